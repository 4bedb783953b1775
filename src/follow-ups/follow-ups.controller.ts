import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { AppException, ErrorCode } from '../common/app.exception';
import { MessageView } from '../messaging/dto/message.dto';
import { AgendaService } from './agenda.service';
import { AgendaQueryDto, AgendaView, CancelDto, FollowUpFilterDto, FollowUpView, SnoozeDto } from './dto/follow-up.dto';
import { FollowUpsService } from './follow-ups.service';

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
  @ApiOperation({ summary: 'List follow-ups (filters: status, rule, candidate, lead, interview, contact, updatedSince).' })
  async list(@CurrentPrincipal() p: Principal, @Query() q: FollowUpFilterDto): Promise<{ items: FollowUpView[]; nextCursor: string | null }> {
    const page = await this.followUps.list(p.tenantId, q);
    return { items: page.items.map(FollowUpView.of), nextCursor: page.nextCursor };
  }

  @Get('follow-ups/:id')
  @RequireScopes('follow_ups:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<FollowUpView> {
    return FollowUpView.of(await this.followUps.get(p.tenantId, id));
  }

  @Post('follow-ups/:id/approve')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  @ApiOperation({ summary: 'Approve a follow-up that awaits approval; it goes out when due.' })
  async approve(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<FollowUpView> {
    return FollowUpView.of(await this.followUps.approve(p.tenantId, id, actorOf(p)));
  }

  @Post('follow-ups/:id/cancel')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  async cancel(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: CancelDto): Promise<FollowUpView> {
    return FollowUpView.of(await this.followUps.cancel(p.tenantId, id, dto.reason, actorOf(p)));
  }

  @Post('follow-ups/:id/snooze')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  @ApiOperation({ summary: 'Move a pending follow-up to a later time.' })
  async snooze(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: SnoozeDto): Promise<FollowUpView> {
    return FollowUpView.of(await this.followUps.snooze(p.tenantId, id, dto.until));
  }

  @Post('follow-ups/:id/send-now')
  @HttpCode(200)
  @RequireScopes('follow_ups:write')
  @ApiOperation({ summary: 'Send a pending follow-up as soon as the sending window and consent allow (approves it).' })
  async sendNow(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<FollowUpView> {
    return FollowUpView.of(await this.followUps.sendNow(p.tenantId, id, actorOf(p)));
  }

  @Get('agenda')
  @RequireScopes('follow_ups:read')
  @ApiOperation({ summary: "Today's agenda (or ?date=): what goes out, awaits approval, needs attention; tasks; who has gone quiet." })
  async getAgenda(@CurrentPrincipal() p: Principal, @Query() q: AgendaQueryDto): Promise<AgendaView> {
    if (q.owner === 'me' && p.kind !== 'user') throw new AppException(ErrorCode.ValidationFailed, "owner=me needs a user token, not an API key");
    const agenda = await this.agenda.forDay(p.tenantId, q.date, q.owner === 'me' && p.kind === 'user' ? p.userId : undefined);
    return {
      date: agenda.date,
      timeZone: agenda.timeZone,
      goingOut: agenda.goingOut.map(FollowUpView.of),
      awaitingApproval: agenda.awaitingApproval.map(FollowUpView.of),
      needsAttention: agenda.needsAttention.map(FollowUpView.of),
      tasks: agenda.tasks.map(FollowUpView.of),
      goneQuiet: agenda.goneQuiet.map(FollowUpView.of),
      repliesToAnswer: agenda.repliesToAnswer.map(MessageView.of),
    };
  }
}
