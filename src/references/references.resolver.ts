import { Args, ID, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { fieldPrincipal } from '../common/graphql/field-scopes';
import type { GqlContext } from '../common/graphql/field-scopes';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { CandidateView } from '../candidates/dto/candidate.dto';
import { toConnection } from '../common/graphql/connection';
import { groupBy, indexBy, loaderFor } from '../common/graphql/loaders';
import { ContactView } from '../contacts/dto/contact.dto';
import { ContactsService } from '../contacts/contacts.service';
import {
  CreateReferenceDto,
  ProvidedReferencesView,
  ProvideReferencesDto,
  ReferenceConnection,
  ReferenceProvisionView,
  ReferencesArgs,
  ReferenceView,
  UpdateReferenceDto,
} from './dto/reference.dto';
import { ReferenceRecord, ReferencesService } from './references.service';

const view = (r: ReferenceRecord): ReferenceView => ReferenceView.of(r.reference, r.provisions);

@Resolver(() => ReferenceView)
export class ReferencesResolver {
  constructor(
    private readonly service: ReferencesService,
    private readonly contacts: ContactsService,
  ) {}

  @Query(() => ReferenceView)
  @RequireScopes('references:read')
  async reference(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ReferenceView> {
    return view(await this.service.get(p.tenantId, id));
  }

  @Query(() => ReferenceConnection)
  @RequireScopes('references:read')
  async references(@CurrentPrincipal() p: Principal, @Args() args: ReferencesArgs): Promise<ReferenceConnection> {
    const page = await this.service.list(p.tenantId, args, { limit: args.first, cursor: args.after });
    return toConnection(new ReferenceConnection(), page, view);
  }

  @Mutation(() => ReferenceView)
  @RequireScopes('references:write')
  async createReference(@CurrentPrincipal() p: Principal, @Args('input') input: CreateReferenceDto): Promise<ReferenceView> {
    return view(await this.service.create(p.tenantId, input, actorOf(p)));
  }

  @Mutation(() => ReferenceView)
  @RequireScopes('references:write')
  async updateReference(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateReferenceDto): Promise<ReferenceView> {
    return view(await this.service.update(p.tenantId, id, input, actorOf(p)));
  }

  @Mutation(() => Boolean)
  @RequireScopes('references:write')
  async deleteReference(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.remove(p.tenantId, id, actorOf(p));
    return true;
  }

  @Mutation(() => ProvidedReferencesView)
  @RequireScopes('leads:write', 'references:write')
  async provideReferences(
    @CurrentPrincipal() p: Principal,
    @Args('leadId', { type: () => ID }) leadId: string,
    @Args('input') input: ProvideReferencesDto,
  ): Promise<ProvidedReferencesView> {
    const result = await this.service.provide(p.tenantId, leadId, input, actorOf(p));
    return Object.assign(new ProvidedReferencesView(), {
      leadId: result.leadId,
      provisions: result.provisions.map(ReferenceProvisionView.of),
      newlyProvided: result.newlyProvided,
    });
  }

  @ResolveField(() => ContactView, { nullable: true })
  async contact(ref: ReferenceView, _args: unknown, ctx: GqlContext): Promise<ContactView | null> {
    const p = fieldPrincipal(ctx, 'contacts:read');
    return loaderFor(ctx, 'referenceContactById', async (ids) =>
      indexBy(ids, (await this.contacts.findByIds(p.tenantId, ids)).map((c) => ContactView.of(c)), (c) => c.id),
    ).load(ref.contactId);
  }
}

/** Candidate.references, batched: one query for the page's references, one for their provisions. */
@Resolver(() => CandidateView)
export class CandidateReferencesResolver {
  constructor(private readonly service: ReferencesService) {}

  @ResolveField(() => [ReferenceView])
  async references(candidate: CandidateView, _args: unknown, ctx: GqlContext): Promise<ReferenceView[]> {
    const p = fieldPrincipal(ctx, 'references:read');
    return loaderFor(ctx, 'referencesByCandidate', async (ids) =>
      groupBy(ids, (await this.service.findByCandidateIds(p.tenantId, ids)).map(view), (r) => r.candidateId),
    ).load(candidate.id);
  }
}
