import { Args, Context, ID, Info, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { TenantRateLimit } from '../auth/tenant-rate-limit';
import { toConnection } from '../common/graphql/connection';
import type { GqlContext } from '../common/graphql/field-scopes';
import { FieldPreloads } from '../common/graphql/preload';
import { ExternalSourceQueryDto } from '../common/external-source.dto';
import { CandidatesService } from './candidates.service';
import {
  BulkUpsertCandidateDto,
  CandidateConnection,
  CandidatesArgs,
  CandidateView,
  CreateCandidateDto,
  UpdateCandidateDto,
  UpsertCandidateDto,
  UpsertCandidatesPayload,
} from './dto/candidate.dto';

@Resolver(() => CandidateView)
export class CandidatesResolver {
  constructor(
    private readonly service: CandidatesService,
    private readonly rateLimit: TenantRateLimit,
    private readonly preloads: FieldPreloads,
  ) {}

  @Query(() => CandidateView)
  @RequireScopes('candidates:read')
  async candidate(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<CandidateView> {
    return CandidateView.of(await this.service.get(p.tenantId, id));
  }

  @Query(() => CandidateConnection)
  @RequireScopes('candidates:read')
  async candidates(
    @CurrentPrincipal() p: Principal,
    @Args() args: CandidatesArgs,
    @Context() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CandidateConnection> {
    const page = await this.service.list(p.tenantId, args, { limit: args.first, cursor: args.after });
    return this.preloads.connection(ctx, info, 'Candidate', toConnection(new CandidateConnection(), page, (c) => CandidateView.of(c)));
  }

  @Mutation(() => CandidateView)
  @RequireScopes('candidates:write')
  async createCandidate(@CurrentPrincipal() p: Principal, @Args('input') input: CreateCandidateDto): Promise<CandidateView> {
    const { candidate, warnings } = await this.service.create(p.tenantId, input, actorOf(p));
    return CandidateView.of(candidate, warnings);
  }

  @Mutation(() => CandidateView)
  @RequireScopes('candidates:write')
  async updateCandidate(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateCandidateDto,
  ): Promise<CandidateView> {
    const { candidate, warnings } = await this.service.update(p.tenantId, id, input, actorOf(p));
    return CandidateView.of(candidate, warnings);
  }

  @Mutation(() => Boolean)
  @RequireScopes('candidates:write')
  async deleteCandidate(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.remove(p.tenantId, id, actorOf(p));
    return true;
  }

  @Mutation(() => CandidateView, { description: 'Create or update the candidate your ATS knows by externalId (idempotent).' })
  @RequireScopes('candidates:write')
  async upsertCandidate(
    @CurrentPrincipal() p: Principal,
    @Args('externalId') externalId: string,
    @Args('input') input: UpsertCandidateDto,
    @Args('externalSource', { type: () => String, nullable: true }) externalSource?: string,
  ): Promise<CandidateView> {
    const { candidate, warnings } = await this.service.upsertByExternalId(
      p.tenantId,
      ExternalSourceQueryDto.source(externalSource),
      ExternalSourceQueryDto.externalId(externalId),
      input,
      actorOf(p),
    );
    return CandidateView.of(candidate, warnings);
  }

  @Mutation(() => UpsertCandidatesPayload, {
    description:
      'Bulk upsert by externalId, 1 to 100 items, idempotent. One result per item, in order, with its error. atomic: true writes all or nothing; false (default) writes every valid item.',
  })
  @RequireScopes('candidates:write')
  async upsertCandidates(
    @CurrentPrincipal() p: Principal,
    @Args('input', { type: () => [BulkUpsertCandidateDto] }) input: BulkUpsertCandidateDto[],
    @Args('atomic', { type: () => Boolean, nullable: true, defaultValue: false }) atomic: boolean,
  ): Promise<UpsertCandidatesPayload> {
    // Each item counts against the firm's rate limit, before anything is validated or written.
    this.rateLimit.chargeItems(p.tenantId, input.length);
    const items = await this.service.validateBulk(input);
    const results = await this.service.upsertMany(p.tenantId, items, atomic === true, actorOf(p));
    return Object.assign(new UpsertCandidatesPayload(), {
      atomic: atomic === true,
      written: results.filter((r) => r.candidate !== null).length,
      failed: results.filter((r) => r.error !== null).length,
      unchanged: results.filter((r) => r.candidate !== null && !r.changed).length,
      results: results.map((r) => ({
        index: r.index,
        externalId: r.externalId,
        created: r.created,
        changed: r.changed,
        candidate: r.candidate ? CandidateView.of(r.candidate, r.warnings) : null,
        error: r.error,
      })),
    });
  }
}
