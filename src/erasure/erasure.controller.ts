import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { ErasePersonUseCase } from './erase-person.usecase';
import { ErasureView, requireAdmin } from './erasure.dto';

@ApiTags('erasure')
@ApiBearerAuth()
@Controller('v1')
export class ErasureController {
  constructor(private readonly erase: ErasePersonUseCase) {}

  @Post('candidates/:id/erase')
  @HttpCode(200)
  @RequireScopes('candidates:write')
  @ApiOperation({ summary: 'Erase a candidate on request (admins): personal data and message content removed, pending follow-ups cancelled, email and phone suppressed (hashed).' })
  @ApiOkResponse({ type: ErasureView })
  async candidate(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ErasureView> {
    requireAdmin(p);
    return ErasureView.of(await this.erase.execute(p.tenantId, { type: 'candidate', id }, actorOf(p)));
  }

  @Post('contacts/:id/erase')
  @HttpCode(200)
  @RequireScopes('contacts:write')
  @ApiOperation({ summary: 'Erase a contact on request (admins): personal data and message content removed, pending follow-ups cancelled, email and phone suppressed (hashed).' })
  @ApiOkResponse({ type: ErasureView })
  async contact(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ErasureView> {
    requireAdmin(p);
    return ErasureView.of(await this.erase.execute(p.tenantId, { type: 'contact', id }, actorOf(p)));
  }
}
