import { Args, Context, ID, Info, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { fieldPrincipal } from '../common/graphql/field-scopes';
import type { GqlContext } from '../common/graphql/field-scopes';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { toConnection } from '../common/graphql/connection';
import { groupBy, loaderFor } from '../common/graphql/loaders';
import { FieldPreloads } from '../common/graphql/preload';
import type { PreloadableField } from '../common/graphql/preload';
import { ContactView } from '../contacts/dto/contact.dto';
import { ContactsService } from '../contacts/contacts.service';
import { LeadView } from '../leads/dto/lead.dto';
import {
  InterviewConnection,
  InterviewRescheduleView,
  InterviewsArgs,
  InterviewTransitionDto,
  InterviewView,
  RescheduleInterviewDto,
  ScheduleInterviewDto,
  UpdateInterviewDto,
} from './dto/interview.dto';
import { InterviewRecord, InterviewsService } from './interviews.service';

const view = (r: InterviewRecord): InterviewView => InterviewView.of(r.interview, r.interviewerIds, r.warnings);

@Resolver(() => InterviewView)
export class InterviewsResolver {
  private readonly interviewersField: PreloadableField<InterviewView, ContactView>;

  constructor(
    private readonly service: InterviewsService,
    private readonly contacts: ContactsService,
    private readonly preloads: FieldPreloads,
  ) {
    this.interviewersField = preloads.register<InterviewView, ContactView>('Interview', 'interviewers', {
      childType: 'Contact',
      scopes: ['contacts:read'],
      key: (i) => i.id,
      load: (p, interviews) => this.interviewersOf(p, interviews),
    });
  }

  @Query(() => InterviewView)
  @RequireScopes('interviews:read')
  async interview(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<InterviewView> {
    return view(await this.service.get(p.tenantId, id));
  }

  @Query(() => InterviewConnection)
  @RequireScopes('interviews:read')
  async interviews(
    @CurrentPrincipal() p: Principal,
    @Args() args: InterviewsArgs,
    @Context() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<InterviewConnection> {
    const page = await this.service.list(p.tenantId, args, { limit: args.first, cursor: args.after });
    return this.preloads.connection(ctx, info, 'Interview', toConnection(new InterviewConnection(), page, view));
  }

  @Mutation(() => InterviewView)
  @RequireScopes('interviews:write')
  async scheduleInterview(@CurrentPrincipal() p: Principal, @Args('input') input: ScheduleInterviewDto): Promise<InterviewView> {
    return view(await this.service.schedule(p.tenantId, input, actorOf(p)));
  }

  @Mutation(() => InterviewView)
  @RequireScopes('interviews:write')
  async updateInterview(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateInterviewDto): Promise<InterviewView> {
    return view(await this.service.update(p.tenantId, id, input, actorOf(p)));
  }

  @Mutation(() => InterviewView)
  @RequireScopes('interviews:write')
  async rescheduleInterview(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: RescheduleInterviewDto,
  ): Promise<InterviewView> {
    return view(await this.service.reschedule(p.tenantId, id, input, actorOf(p)));
  }

  @Mutation(() => InterviewView)
  @RequireScopes('interviews:write')
  async confirmInterview(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<InterviewView> {
    return view(await this.service.confirm(p.tenantId, id, actorOf(p)));
  }

  @Mutation(() => InterviewView)
  @RequireScopes('interviews:write')
  async cancelInterview(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { nullable: true }) input?: InterviewTransitionDto,
  ): Promise<InterviewView> {
    return view(await this.service.closeOut(p.tenantId, id, 'cancelled', input?.reason, actorOf(p)));
  }

  @Mutation(() => InterviewView)
  @RequireScopes('interviews:write')
  async completeInterview(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<InterviewView> {
    return view(await this.service.closeOut(p.tenantId, id, 'completed', undefined, actorOf(p)));
  }

  @Mutation(() => InterviewView)
  @RequireScopes('interviews:write')
  async markInterviewNoShow(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<InterviewView> {
    return view(await this.service.closeOut(p.tenantId, id, 'no_show', undefined, actorOf(p)));
  }

  @Mutation(() => Boolean)
  @RequireScopes('interviews:write')
  async deleteInterview(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.remove(p.tenantId, id, actorOf(p));
    return true;
  }

  @ResolveField(() => [InterviewRescheduleView])
  async reschedules(interview: InterviewView, _args: unknown, ctx: GqlContext): Promise<InterviewRescheduleView[]> {
    const p = fieldPrincipal(ctx, 'interviews:read');
    const rows = await loaderFor(ctx, 'reschedulesByInterview', async (ids) =>
      groupBy(ids, await this.service.reschedulesByInterviewIds(p.tenantId, ids), (r) => r.interviewId),
    ).load(interview.id);
    return rows.map(InterviewRescheduleView.of);
  }

  /**
   * Interviewers, batched: the interviewer ids are already on each interview; one query loads the
   * contacts of every interview in the batch (preloaded with the page when the query selects them).
   */
  @ResolveField(() => [ContactView])
  interviewers(interview: InterviewView, _args: unknown, ctx: GqlContext): ContactView[] | Promise<ContactView[]> {
    return this.interviewersField.resolve(ctx, interview);
  }

  private async contactViews(p: Principal, ids: readonly string[]): Promise<ContactView[]> {
    return (await this.contacts.findByIds(p.tenantId, ids)).map((c) => ContactView.of(c));
  }

  private async interviewersOf(p: Principal, interviews: readonly InterviewView[]): Promise<ContactView[][]> {
    const byId = new Map((await this.contactViews(p, [...new Set(interviews.flatMap((i) => i.interviewerIds))])).map((c) => [c.id, c] as const));
    return interviews.map((i) => i.interviewerIds.flatMap((id) => byId.get(id) ?? []));
  }
}

/** Lead.interviews, batched: one transaction for the interviews of every lead in the page and their interviewer ids (preloaded with the page when selected). */
@Resolver(() => LeadView)
export class LeadInterviewsResolver {
  private readonly field: PreloadableField<LeadView, InterviewView>;

  constructor(
    private readonly service: InterviewsService,
    preloads: FieldPreloads,
  ) {
    this.field = preloads.register<LeadView, InterviewView>('Lead', 'interviews', {
      childType: 'Interview',
      scopes: ['interviews:read'],
      key: (l) => l.id,
      load: (p, leads) => this.byLead(p, leads.map((l) => l.id)),
    });
  }

  @ResolveField(() => [InterviewView])
  interviews(lead: LeadView, _args: unknown, ctx: GqlContext): InterviewView[] | Promise<InterviewView[]> {
    return this.field.resolve(ctx, lead);
  }

  private async byLead(p: Principal, leadIds: readonly string[]): Promise<InterviewView[][]> {
    return groupBy(leadIds, (await this.service.findByLeadIds(p.tenantId, leadIds)).map((r) => InterviewView.of(r.interview, r.interviewerIds)), (v) => v.leadId);
  }
}
