import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { AnalyticsService } from './analytics.service';
import { VariantsService } from './variants.service';
import { AnalyticsFilterDto } from './dto/analytics-filter.dto';
import { DeliverabilityAnalyticsView, GoneQuietAnalyticsView, OutcomeAnalyticsView, ReplyAnalyticsView, VariantAnalyticsView, VariantPromotionInput, VariantPromotionSettingsView } from './dto/analytics.views';

@Resolver()
export class AnalyticsResolver {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly variants: VariantsService,
  ) {}

  @Query(() => ReplyAnalyticsView, { description: 'Reply rate and time to reply of the follow-ups sent in the period.' })
  @RequireScopes('analytics:read')
  replyAnalytics(@CurrentPrincipal() p: Principal, @Args('filter', { nullable: true }) filter?: AnalyticsFilterDto): Promise<ReplyAnalyticsView> {
    return this.analytics.replies(p.tenantId, filter ?? {});
  }

  @Query(() => OutcomeAnalyticsView, { description: 'Outcome rates after follow-ups, with their baseline (a comparison, not proof of cause).' })
  @RequireScopes('analytics:read')
  outcomeAnalytics(@CurrentPrincipal() p: Principal, @Args('filter', { nullable: true }) filter?: AnalyticsFilterDto): Promise<OutcomeAnalyticsView> {
    return this.analytics.outcomes(p.tenantId, filter ?? {});
  }

  @Query(() => DeliverabilityAnalyticsView, { description: 'Failure, skip and opt-out rates with their top reasons.' })
  @RequireScopes('analytics:read')
  deliverabilityAnalytics(@CurrentPrincipal() p: Principal, @Args('filter', { nullable: true }) filter?: AnalyticsFilterDto): Promise<DeliverabilityAnalyticsView> {
    return this.analytics.deliverability(p.tenantId, filter ?? {});
  }

  @Query(() => GoneQuietAnalyticsView, { description: 'Per recruiter, now: active candidates and those gone quiet.' })
  @RequireScopes('analytics:read')
  goneQuietAnalytics(@CurrentPrincipal() p: Principal, @Args('filter', { nullable: true }) filter?: AnalyticsFilterDto): Promise<GoneQuietAnalyticsView> {
    this.analytics.query(filter ?? {});
    return this.analytics.goneQuiet(p.tenantId, filter ?? {});
  }

  @Query(() => VariantAnalyticsView, { description: 'Template variants side by side, with Wilson intervals and the leader’s confidence.' })
  @RequireScopes('analytics:read')
  variantAnalytics(@CurrentPrincipal() p: Principal, @Args('filter', { nullable: true }) filter?: AnalyticsFilterDto): Promise<VariantAnalyticsView> {
    return this.variants.compare(p.tenantId, filter ?? {});
  }

  @Query(() => VariantPromotionSettingsView, { description: 'Automatic promotion of template variants.' })
  @RequireScopes('settings:read')
  variantPromotionSettings(@CurrentPrincipal() p: Principal): Promise<VariantPromotionSettingsView> {
    return this.variants.settings(p.tenantId);
  }

  @Mutation(() => VariantPromotionSettingsView, { description: 'Change automatic promotion of template variants (partial; nothing changes on an error).' })
  @RequireScopes('settings:write')
  updateVariantPromotion(@CurrentPrincipal() p: Principal, @Args('input') input: VariantPromotionInput): Promise<VariantPromotionSettingsView> {
    const patch = Object.fromEntries(Object.entries({ ...input }).filter(([, v]) => v !== undefined));
    return this.variants.updateSettings(p.tenantId, patch, actorOf(p));
  }
}
