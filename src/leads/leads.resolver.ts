import { Args, Context, ID, Info, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { fieldPrincipal } from '../common/graphql/field-scopes';
import type { GqlContext } from '../common/graphql/field-scopes';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { CandidateView } from '../candidates/dto/candidate.dto';
import { ExternalSourceQueryDto } from '../common/external-source.dto';
import { toConnection } from '../common/graphql/connection';
import { groupBy, indexBy, loaderFor } from '../common/graphql/loaders';
import { FieldPreloads } from '../common/graphql/preload';
import type { PreloadableField } from '../common/graphql/preload';
import { ContactView } from '../contacts/dto/contact.dto';
import { ContactsService } from '../contacts/contacts.service';
import { CandidatesService } from '../candidates/candidates.service';
import {
  ChangeLeadStatusDto,
  CreateLeadDto,
  LeadConnection,
  LeadsArgs,
  LeadStatusChangeView,
  LeadView,
  UpdateLeadDto,
  UpsertLeadDto,
} from './dto/lead.dto';
import { LeadsService } from './leads.service';

@Resolver(() => LeadView)
export class LeadsResolver {
  constructor(
    private readonly service: LeadsService,
    private readonly contacts: ContactsService,
    private readonly candidates: CandidatesService,
    private readonly preloads: FieldPreloads,
  ) {}

  @Query(() => LeadView)
  @RequireScopes('leads:read')
  async lead(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<LeadView> {
    return LeadView.of(await this.service.get(p.tenantId, id));
  }

  @Query(() => LeadConnection)
  @RequireScopes('leads:read')
  async leads(@CurrentPrincipal() p: Principal, @Args() args: LeadsArgs, @Context() ctx: GqlContext, @Info() info: GraphQLResolveInfo): Promise<LeadConnection> {
    const page = await this.service.list(p.tenantId, args, { limit: args.first, cursor: args.after });
    return this.preloads.connection(ctx, info, 'Lead', toConnection(new LeadConnection(), page, (l) => LeadView.of(l)));
  }

  @Mutation(() => LeadView)
  @RequireScopes('leads:write')
  async createLead(@CurrentPrincipal() p: Principal, @Args('input') input: CreateLeadDto): Promise<LeadView> {
    return LeadView.of(await this.service.create(p.tenantId, input, actorOf(p)));
  }

  @Mutation(() => LeadView)
  @RequireScopes('leads:write')
  async updateLead(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateLeadDto): Promise<LeadView> {
    return LeadView.of(await this.service.update(p.tenantId, id, input, actorOf(p)));
  }

  @Mutation(() => LeadView, { description: 'Move a lead through its status machine; an illegal move is ILLEGAL_TRANSITION with extensions.allowed.' })
  @RequireScopes('leads:write')
  async changeLeadStatus(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: ChangeLeadStatusDto,
  ): Promise<LeadView> {
    return LeadView.of(await this.service.changeStatus(p.tenantId, id, input, actorOf(p)));
  }

  @Mutation(() => Boolean)
  @RequireScopes('leads:write')
  async deleteLead(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.remove(p.tenantId, id, actorOf(p));
    return true;
  }

  @Mutation(() => LeadView)
  @RequireScopes('leads:write')
  async upsertLead(
    @CurrentPrincipal() p: Principal,
    @Args('externalId') externalId: string,
    @Args('input') input: UpsertLeadDto,
    @Args('externalSource', { type: () => String, nullable: true }) externalSource?: string,
  ): Promise<LeadView> {
    return LeadView.of(
      await this.service.upsertByExternalId(p.tenantId, ExternalSourceQueryDto.source(externalSource), ExternalSourceQueryDto.externalId(externalId), input, actorOf(p)),
    );
  }

  @ResolveField(() => [LeadStatusChangeView])
  async history(lead: LeadView, _args: unknown, ctx: GqlContext): Promise<LeadStatusChangeView[]> {
    const p = fieldPrincipal(ctx, 'leads:read');
    const rows = await loaderFor(ctx, 'historyByLead', async (ids) => groupBy(ids, await this.service.historyByLeadIds(p.tenantId, ids), (h) => h.leadId)).load(lead.id);
    return rows.map(LeadStatusChangeView.of);
  }

  @ResolveField(() => ContactView, { nullable: true })
  async referrer(lead: LeadView, _args: unknown, ctx: GqlContext): Promise<ContactView | null> {
    const p = fieldPrincipal(ctx, 'contacts:read');
    return lead.referrerContactId ? this.contactLoader(p, ctx).load(lead.referrerContactId) : null;
  }

  @ResolveField(() => ContactView, { nullable: true })
  async employerContact(lead: LeadView, _args: unknown, ctx: GqlContext): Promise<ContactView | null> {
    const p = fieldPrincipal(ctx, 'contacts:read');
    return lead.employerContactId ? this.contactLoader(p, ctx).load(lead.employerContactId) : null;
  }

  @ResolveField(() => CandidateView, { nullable: true })
  async candidate(lead: LeadView, _args: unknown, ctx: GqlContext): Promise<CandidateView | null> {
    const p = fieldPrincipal(ctx, 'candidates:read');
    return loaderFor(ctx, 'candidateById', async (ids) =>
      indexBy(ids, (await this.candidates.findByIds(p.tenantId, ids)).map((c) => CandidateView.of(c)), (c) => c.id),
    ).load(lead.candidateId);
  }

  private contactLoader(p: Principal, ctx: object) {
    return loaderFor(ctx, 'leadContactById', async (ids) =>
      indexBy(ids, (await this.contacts.findByIds(p.tenantId, ids)).map((c) => ContactView.of(c)), (c) => c.id),
    );
  }
}

/**
 * Candidate.leads, batched: one query for every candidate of the page, preloaded by the page's
 * resolver when the query selects it (FieldPreloads), else through a DataLoader.
 */
@Resolver(() => CandidateView)
export class CandidateLeadsResolver {
  private readonly field: PreloadableField<CandidateView, LeadView>;

  constructor(
    private readonly service: LeadsService,
    preloads: FieldPreloads,
  ) {
    this.field = preloads.register<CandidateView, LeadView>('Candidate', 'leads', {
      childType: 'Lead',
      scopes: ['leads:read'],
      key: (c) => c.id,
      load: (p, candidates) => this.byCandidate(p, candidates.map((c) => c.id)),
    });
  }

  @ResolveField(() => [LeadView])
  leads(candidate: CandidateView, _args: unknown, ctx: GqlContext): LeadView[] | Promise<LeadView[]> {
    return this.field.resolve(ctx, candidate);
  }

  private async byCandidate(p: Principal, candidateIds: readonly string[]): Promise<LeadView[][]> {
    return groupBy(candidateIds, (await this.service.findByCandidateIds(p.tenantId, candidateIds)).map((l) => LeadView.of(l)), (l) => l.candidateId);
  }
}
