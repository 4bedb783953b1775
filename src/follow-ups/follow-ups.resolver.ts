import { Args, ID, Int, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { AppException, ErrorCode } from '../common/app.exception';
import { toConnection } from '../common/graphql/connection';
import { JsonScalar } from '../common/graphql/json.scalar';
import { fieldPrincipal } from '../common/graphql/field-scopes';
import type { GqlContext } from '../common/graphql/field-scopes';
import { loaderFor } from '../common/graphql/loaders';
import { FollowUpPreviewView } from './dto/follow-up-preview.dto';
import { AgendaService } from './agenda.service';
import { AgendaView, CancelDto, EditFollowUpDto, filterOfArgs, FollowUpArgs, FollowUpConnection, FollowUpView, SnoozeDto } from './dto/follow-up.dto';
import { FollowUpSettingsService } from './follow-up-settings.service';
import { PreviewTemplateUseCase } from './compose/template-preview.usecase';
import { TemplatePreviewDto, TemplatePreviewView } from './dto/template-preview.dto';
import { FollowUpsService } from './follow-ups.service';
import { AgendaOwnerEnum } from '../graphql/enums';
import type { AgendaOwner } from './agenda-owner';

@Resolver(() => FollowUpView)
export class FollowUpsResolver {
  constructor(
    private readonly service: FollowUpsService,
    private readonly agendaService: AgendaService,
    private readonly settings: FollowUpSettingsService,
    private readonly templates: PreviewTemplateUseCase,
  ) {}

  @Query(() => TemplatePreviewView, { description: "A draft template rendered as one of this firm's follow-ups would read, from a real candidate (or a sample). Nothing is written." })
  @RequireScopes('settings:read')
  previewTemplate(@CurrentPrincipal() p: Principal, @Args('input') input: TemplatePreviewDto): Promise<TemplatePreviewView> {
    return this.templates.execute(p.tenantId, input, p.kind === 'user' ? p.userId : null);
  }

  @Query(() => FollowUpConnection)
  @RequireScopes('follow_ups:read')
  async followUps(@CurrentPrincipal() p: Principal, @Args() args: FollowUpArgs): Promise<FollowUpConnection> {
    return toConnection(new FollowUpConnection(), await this.service.list(p.tenantId, filterOfArgs(args)), (f) => FollowUpView.of(f));
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
    @Args('owner', { type: () => AgendaOwnerEnum, nullable: true, description: "me: the caller's own candidates" }) owner?: AgendaOwner,
  ): Promise<AgendaView> {
    if (date !== undefined && date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw AppException.validation([{ field: 'date', message: 'must be a calendar date such as 2026-11-27' }]);
    }
    if (owner === 'me' && p.kind !== 'user') throw new AppException(ErrorCode.ValidationFailed, 'owner: me needs a user token, not an API key');
    return AgendaView.of(await this.agendaService.forDay(p.tenantId, date ?? undefined, owner === 'me' && p.kind === 'user' ? p.userId : undefined));
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async approveFollowUp(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<FollowUpView> {
    return FollowUpView.of((await this.service.approve(p.tenantId, id, actorOf(p))).followUp);
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async cancelFollowUp(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { nullable: true }) input?: CancelDto,
  ): Promise<FollowUpView> {
    return FollowUpView.of((await this.service.cancel(p.tenantId, id, input?.reason, actorOf(p))).followUp);
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async snoozeFollowUp(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string, @Args('input') input: SnoozeDto): Promise<FollowUpView> {
    return FollowUpView.of((await this.service.snooze(p.tenantId, id, input.until)).followUp);
  }

  @Mutation(() => FollowUpView)
  @RequireScopes('follow_ups:write')
  async sendFollowUpNow(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<FollowUpView> {
    return FollowUpView.of((await this.service.sendNow(p.tenantId, id, actorOf(p))).followUp);
  }

  @Mutation(() => FollowUpView, { description: 'Edit the text of one pending follow-up (it then goes as written); body: null goes back to the template.' })
  @RequireScopes('follow_ups:write')
  async editFollowUp(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string, @Args('input') input: EditFollowUpDto): Promise<FollowUpView> {
    return FollowUpView.of((await this.service.edit(p.tenantId, id, input)).followUp);
  }

  /**
   * What a pending follow-up would be if it went out now (null once it is not pending). Batched:
   * every preview a request asks for is composed in one go.
   */
  @ResolveField(() => FollowUpPreviewView, { nullable: true })
  async preview(followUp: FollowUpView, _args: unknown, ctx: GqlContext): Promise<FollowUpPreviewView | null> {
    const p = fieldPrincipal(ctx, 'follow_ups:read');
    // The agenda composed its previews with its sections already.
    if (followUp.preview !== undefined) return followUp.preview;
    const loader = loaderFor(ctx, 'followUpPreview', async (ids) => {
      const previews = await this.service.previewsByIds(p.tenantId, ids);
      return ids.map((id) => previews.get(id) ?? null);
    });
    return loader.load(followUp.id);
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
