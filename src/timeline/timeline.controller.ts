import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ContactTimelineView, TimelineView } from './timeline.dto';
import { TimelineService } from './timeline.service';

/** Activities and messages join the timeline for callers allowed to read them. */
export function timelineParts(p: Principal): { activities: boolean; messages: boolean } {
  return { activities: p.scopes.includes('activities:read'), messages: p.scopes.includes('messages:read') };
}

@ApiTags('candidates')
@ApiBearerAuth()
@Controller('v1/candidates')
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  @Get(':id/timeline')
  @RequireScopes('candidates:read', 'leads:read', 'interviews:read', 'references:read')
  @ApiOperation({
    summary:
      'What happened to the candidate, oldest first: lead status changes, interviews, references provided; logged activities (with activities:read) and messages in and out (with messages:read).',
  })
  @ApiOkResponse({ type: TimelineView })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<TimelineView> {
    return { candidateId: id, items: await this.timeline.forCandidate(p.tenantId, id, timelineParts(p)) };
  }
}

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts')
export class ContactTimelineController {
  constructor(private readonly timeline: TimelineService) {}

  @Get(':id/timeline')
  @RequireScopes('contacts:read')
  @ApiOperation({
    summary: 'What happened with the contact, oldest first: messages in and out (with messages:read) and logged activities (with activities:read).',
  })
  @ApiOkResponse({ type: ContactTimelineView })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ContactTimelineView> {
    return { contactId: id, items: await this.timeline.forContact(p.tenantId, id, timelineParts(p)) };
  }
}
