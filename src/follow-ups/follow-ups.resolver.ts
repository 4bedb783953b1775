import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { AppException, ErrorCode } from '../common/app.exception';
import { toConnection } from '../common/graphql/connection';
import { JsonScalar } from '../common/graphql/json.scalar';
import { MessageView } from '../messaging/dto/message.dto';
import { AgendaService } from './agenda.service';
import { AgendaView, CancelDto, filterOfArgs, FollowUpArgs, FollowUpConnection, FollowUpView, SnoozeDto } from './dto/follow-up.dto';
import { FollowUpSettingsService } from './follow-up-settings.service';
import { FollowUpsService } from './follow-ups.service';

@Resolver(() => FollowUpView)
export class FollowUpsResolver {
  constructor(
    private readonly service: FollowUpsService,
    private readonly agendaService: AgendaService,
    private readonly settings: FollowUpSettingsService,
  ) {}

  @Query(() => FollowUpConnection)
  @RequireScopes('follow_ups:read')
  async followUps(@CurrentPrincipal() p: Principal, @Args() args: FollowUpArgs): Promise<FollowUpConnection> {
    return toConnection(new FollowUpConnection(), await this.service.list(p.tenantId, filterOfArgs(args)), FollowUpView.of);
  }

  @Query(() => FollowUpView)
  @RequireScopes('follow_ups:read')
  async followUp(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<FollowUpView> {
    return FollowUpView.of(await this.service.get(p.tenantId, id));
  }

  @Query(() => AgendaView)
  @RequireScopes('follow_ups:read')
  async agenda(
    @CurrentPrincipal() p: Principal,
    @Args('date', { nullable: true, description: 'YYYY-MM-DD in the firm time zone; default today' }) date?: string,
    @Args('owner', { nullable: true, description: "'me' for the caller's own candidates" }) owner?: string,
  ): Promise<AgendaView> {
    if (date !== undefined && date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw AppException.validation([{ field: 'date', message: 'must be a calendar date such as 2026-11-27' }]);
    }
    if (owner !== undefined && owner !== null && owner !== 'me') throw AppException.validation([{ field: 'owner', message: "must be 'me'" }]);
    if (owner === 'me' && p.kind !== 'user') throw new AppException(ErrorCode.ValidationFailed, 'owner: me needs a user token, not an API key');
    const a = await this.agendaService.forDay(p.tenantId, date ?? undefined, owner === 'me' && p.kind === 'user' ? p.userId : undefined);
    return {
      date: a.date,
      timeZone: a.timeZone,
      goingOut: a.goingOut.map(FollowUpView.of),
      awaitingApproval: a.awaitingApproval.map(FollowUpView.of),
      needsAttention: a.needsAttention.map(FollowUpView.of),
      tasks: a.tasks.map(FollowUpView.of),
      goneQuiet: a.goneQuiet.map(FollowUpView.of),
      repliesToAnswer: a.repliesToAnswer.map(MessageView.of),
    };
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async approveFollowUp(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<FollowUpView> {
    return FollowUpView.of(await this.service.approve(p.tenantId, id, actorOf(p)));
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async cancelFollowUp(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { nullable: true }) input?: CancelDto,
  ): Promise<FollowUpView> {
    return FollowUpView.of(await this.service.cancel(p.tenantId, id, input?.reason, actorOf(p)));
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async snoozeFollowUp(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string, @Args('input') input: SnoozeDto): Promise<FollowUpView> {
    return FollowUpView.of(await this.service.snooze(p.tenantId, id, input.until));
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async sendFollowUpNow(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<FollowUpView> {
    return FollowUpView.of(await this.service.sendNow(p.tenantId, id, actorOf(p)));
  }

  @Query(() => JsonScalar, { description: 'The follow-up policy: per rule, enabled, timing, maxNudges, requiresApproval, templates.' })
  @RequireScopes('settings:read')
  followUpPolicy(@CurrentPrincipal() p: Principal): Promise<unknown> {
    return this.settings.policy(p.tenantId);
  }

  @Mutation(() => JsonScalar, { description: 'Change the follow-up policy (partial, keyed by rule; null restores a default).' })
  @RequireScopes('settings:write')
  updateFollowUpPolicy(@CurrentPrincipal() p: Principal, @Args('patch', { type: () => JsonScalar }) patch: unknown): Promise<unknown> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw AppException.validation([{ field: 'patch', message: 'must be an object keyed by rule' }]);
    }
    return this.settings.updatePolicy(p.tenantId, patch, actorOf(p));
  }

  @Query(() => JsonScalar, { description: 'Sending windows per channel (recipient-local) and the daily SMS cap.' })
  @RequireScopes('settings:read')
  sendingSettings(@CurrentPrincipal() p: Principal): Promise<unknown> {
    return this.settings.sending(p.tenantId);
  }

  @Mutation(() => JsonScalar, { description: 'Change the sending windows (SMS may be narrowed within 08:00-21:00, never widened) or the daily SMS cap.' })
  @RequireScopes('settings:write')
  updateSendingSettings(
    @CurrentPrincipal() p: Principal,
    @Args('windows', { type: () => JsonScalar, nullable: true }) windows?: unknown,
    @Args('smsDailyCap', { type: () => Int, nullable: true }) smsDailyCap?: number,
  ): Promise<unknown> {
    if (windows !== undefined && windows !== null && (typeof windows !== 'object' || Array.isArray(windows))) {
      throw AppException.validation([{ field: 'windows', message: 'must be an object' }]);
    }
    return this.settings.updateSending(p.tenantId, { windows: windows ?? undefined, smsDailyCap: smsDailyCap ?? undefined }, actorOf(p));
  }
}
