import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AuditEntryView, AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireScopes('audit:read')
  @ApiOperation({ summary: 'Who changed what (admins): every write by a user or API key, with the before and after of changed fields. Secrets and message bodies are never recorded.' })
  list(@CurrentPrincipal() p: Principal, @Query() q: AuditQueryDto): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    return this.audit.list(p.tenantId, q);
  }
}
