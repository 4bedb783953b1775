import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { AppException, ErrorCode } from '../common/app.exception';
import { AgendaService } from './agenda.service';
import { AgendaQueryDto, AgendaView, CancelDto, EditFollowUpDto, FollowUpFilterDto, FollowUpView, SnoozeDto } from './dto/follow-up.dto';
import { FollowUpsService } from './follow-ups.service';
import type { FollowUpWithPreview } from './follow-ups.service';

const view = ({ followUp, preview }: FollowUpWithPreview): FollowUpView => FollowUpView.of(followUp, preview);

@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('v1')
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly agenda: AgendaService,
  ) {}

  @Get('follow-ups')
  @RequireScopes('follow_ups:read')
  @ApiOperation({
    summary:
      'List follow-ups (filters: status, rule, candidate, lead, interview, contact, updatedSince); per lead, interview, candidate or contact with ?leadId= etc. Pending ones carry their preview.',
  })
  async list(@CurrentPrincipal() p: Principal, @Query() q: FollowUpFilterDto): Promise<{ items: FollowUpView[]; nextCursor: string | null }> {
    const page = await this.followUps.listWithPreviews(p.tenantId, q);
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }

  @Get('follow-ups/:id')
  @RequireScopes('follow_ups:read')
  @ApiOperation({ summary: 'One follow-up; a pending one carries its preview: channel and why, recipient, rendered text, local due time.' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<FollowUpView> {
    return view(await this.followUps.getWithPreview(p.tenantId, id));
  }

  @Patch('follow-ups/:id')
  @RequireScopes('follow_ups:write')
  @ApiOperation({ summary: 'Edit the text of one pending follow-up (it then goes as written); body: null goes back to the template.' })
  async edit(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: EditFollowUpDto): Promise<FollowUpView> {
    return view(await this.followUps.edit(p.tenantId, id, dto));
  }

  @Post('follow-ups/:id/approve')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  @ApiOperation({ summary: 'Approve a follow-up that awaits approval; it goes out when due.' })
  async approve(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<FollowUpView> {
    return view(await this.followUps.approve(p.tenantId, id, actorOf(p)));
  }

  @Post('follow-ups/:id/cancel')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  async cancel(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: CancelDto): Promise<FollowUpView> {
    return view(await this.followUps.cancel(p.tenantId, id, dto.reason, actorOf(p)));
  }

  @Post('follow-ups/:id/snooze')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  @ApiOperation({ summary: 'Move a pending follow-up to a later time.' })
  async snooze(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: SnoozeDto): Promise<FollowUpView> {
    return view(await this.followUps.snooze(p.tenantId, id, dto.until));
  }

  @Post('follow-ups/:id/send-now')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  @ApiOperation({ summary: 'Send a pending follow-up as soon as the sending window and consent allow (approves it).' })
  async sendNow(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<FollowUpView> {
    return view(await this.followUps.sendNow(p.tenantId, id, actorOf(p)));
  }

  @Get('agenda')
  @RequireScopes('follow_ups:read')
  @ApiOperation({ summary: "Today's agenda (or ?date=): what goes out, awaits approval, needs attention; tasks; who has gone quiet." })
  async getAgenda(@CurrentPrincipal() p: Principal, @Query() q: AgendaQueryDto): Promise<AgendaView> {
    if (q.owner === 'me' && p.kind !== 'user') throw new AppException(ErrorCode.ValidationFailed, "owner=me needs a user token, not an API key");
    return AgendaView.of(await this.agenda.forDay(p.tenantId, q.date, q.owner === 'me' && p.kind === 'user' ? p.userId : undefined));
  }
}
