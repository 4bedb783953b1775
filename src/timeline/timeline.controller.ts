import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { TimelineView } from './timeline.dto';
import { TimelineService } from './timeline.service';

@ApiTags('candidates')
@ApiBearerAuth()
@Controller('v1/candidates')
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  @Get(':id/timeline')
  @RequireScopes('candidates:read', 'leads:read', 'interviews:read', 'references:read')
  @ApiOperation({ summary: "What happened to the candidate, oldest first: lead status changes, interviews, references provided." })
  @ApiOkResponse({ type: TimelineView })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<TimelineView> {
    return { candidateId: id, items: await this.timeline.forCandidate(p.tenantId, id) };
  }
}
