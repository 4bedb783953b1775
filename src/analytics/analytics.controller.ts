import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { AnalyticsService } from './analytics.service';
import { VariantsService } from './variants.service';
import type { Promotion } from './variants.service';
import { AnalyticsFilterDto } from './dto/analytics-filter.dto';
import {
  DeliverabilityAnalyticsView,
  GoneQuietAnalyticsView,
  OutcomeAnalyticsView,
  ReplyAnalyticsView,
  VariantAnalyticsView,
  VariantPromotionSettingsView,
} from './dto/analytics.views';

/** Did following up work? Reply, outcome and deliverability figures for a period (docs/analytics.md). */
@ApiTags('analytics')
@ApiBearerAuth()
@Controller('v1')
export class AnalyticsController {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly variants: VariantsService,
  ) {}

  @Get('analytics/replies')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: 'Reply rate and time to reply (median, p90) of the follow-ups sent in the period, overall and per rule.' })
  @ApiOkResponse({ type: ReplyAnalyticsView })
  replies(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<ReplyAnalyticsView> {
    return this.analytics.replies(p.tenantId, q);
  }

  @Get('analytics/outcomes')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: 'What happened next in the pipeline after a follow-up, against the leads or candidates whose follow-up was cancelled or skipped (a comparison, not proof of cause).' })
  @ApiOkResponse({ type: OutcomeAnalyticsView })
  outcomes(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<OutcomeAnalyticsView> {
    return this.analytics.outcomes(p.tenantId, q);
  }

  @Get('analytics/deliverability')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: 'Failure, skip and opt-out rates of the period, with their top reasons.' })
  @ApiOkResponse({ type: DeliverabilityAnalyticsView })
  deliverability(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<DeliverabilityAnalyticsView> {
    return this.analytics.deliverability(p.tenantId, q);
  }

  @Get('analytics/gone-quiet')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: "Per recruiter, now: active candidates, and those with no touchpoint within the firm's check-in quiet period." })
  @ApiOkResponse({ type: GoneQuietAnalyticsView })
  goneQuiet(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<GoneQuietAnalyticsView> {
    this.analytics.query(q);
    return this.analytics.goneQuiet(p.tenantId, q);
  }

  @Get('analytics/variants')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: "Template variants side by side: closed-window reply rates with Wilson intervals at the firm's confidence, and the leader's confidence (two-proportion z-test)." })
  @ApiOkResponse({ type: VariantAnalyticsView })
  variantComparison(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<VariantAnalyticsView> {
    return this.variants.compare(p.tenantId, q);
  }

  @Get('settings/variant-promotion')
  @RequireScopes('settings:read')
  @ApiOperation({ summary: 'Automatic promotion of template variants: enabled (default false), confidence (default 0.95), minSends per variant (default 100).' })
  @ApiOkResponse({ type: VariantPromotionSettingsView })
  promotionSettings(@CurrentPrincipal() p: Principal): Promise<VariantPromotionSettingsView> {
    return this.variants.settings(p.tenantId);
  }

  @Put('settings/variant-promotion')
  @RequireScopes('settings:write')
  @ApiOperation({ summary: 'Change automatic promotion. Partial; validated whole: nothing changes on a 400.' })
  @ApiBody({ schema: { type: 'object', example: { enabled: true, confidence: 0.95, minSends: 100 } } })
  @ApiOkResponse({ type: VariantPromotionSettingsView })
  updatePromotionSettings(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<VariantPromotionSettingsView> {
    return this.variants.updateSettings(p.tenantId, body, actorOf(p));
  }

  @Post('settings/variant-promotion/evaluate')
  @HttpCode(200)
  @RequireScopes('settings:write')
  @ApiOperation({ summary: 'Run the promotion check now (it also runs hourly): the promotions made, if any.' })
  async evaluatePromotion(@CurrentPrincipal() p: Principal): Promise<{ promotions: Promotion[] }> {
    return { promotions: await this.variants.evaluate(p.tenantId) };
  }
}
