import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AnalyticsService } from './analytics.service';
import { AnalyticsFilterDto } from './dto/analytics-filter.dto';
import { DeliverabilityAnalyticsView, GoneQuietAnalyticsView, OutcomeAnalyticsView, ReplyAnalyticsView } from './dto/analytics.views';

/** Did following up work? Reply, outcome and deliverability figures for a period (docs/analytics.md). */
@ApiTags('analytics')
@ApiBearerAuth()
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('replies')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: 'Reply rate and time to reply (median, p90) of the follow-ups sent in the period, overall and per rule.' })
  @ApiOkResponse({ type: ReplyAnalyticsView })
  replies(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<ReplyAnalyticsView> {
    return this.analytics.replies(p.tenantId, q);
  }

  @Get('outcomes')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: 'What happened next in the pipeline after a follow-up, against the leads or candidates whose follow-up was cancelled or skipped (a comparison, not proof of cause).' })
  @ApiOkResponse({ type: OutcomeAnalyticsView })
  outcomes(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<OutcomeAnalyticsView> {
    return this.analytics.outcomes(p.tenantId, q);
  }

  @Get('deliverability')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: 'Failure, skip and opt-out rates of the period, with their top reasons.' })
  @ApiOkResponse({ type: DeliverabilityAnalyticsView })
  deliverability(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<DeliverabilityAnalyticsView> {
    return this.analytics.deliverability(p.tenantId, q);
  }

  @Get('gone-quiet')
  @RequireScopes('analytics:read')
  @ApiOperation({ summary: "Per recruiter, now: active candidates, and those with no touchpoint within the firm's check-in quiet period." })
  @ApiOkResponse({ type: GoneQuietAnalyticsView })
  goneQuiet(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsFilterDto): Promise<GoneQuietAnalyticsView> {
    this.analytics.query(q);
    return this.analytics.goneQuiet(p.tenantId, q);
  }
}
