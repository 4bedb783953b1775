import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNumber, IsOptional } from 'class-validator';
import { AUDIENCES } from '../../follow-ups/domain/templates';
import { CHANNELS } from '../../messaging/domain/channel';
import { AudienceEnum, ChannelEnum, RuleEnum } from '../../graphql/enums';

@ObjectType('AnalyticsPeriod')
export class PeriodView {
  @ApiProperty() @Field() since!: Date;
  @ApiProperty() @Field() until!: Date;
}

/** A share: `hits` of `n`, and `rate` = hits / n (null when n is 0). */
@ObjectType('AnalyticsProportion')
export class ProportionView {
  @ApiProperty() @Field(() => Int) n!: number;
  @ApiProperty() @Field(() => Int) hits!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) @Field(() => Float, { nullable: true }) rate!: number | null;

  static of(n: number, hits: number): ProportionView {
    return Object.assign(new ProportionView(), { n, hits, rate: n === 0 ? null : hits / n });
  }
}

@ObjectType('ReplyStats')
export class ReplyStatsView {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The rule of this row; null for all rules together.' })
  @Field(() => RuleEnum, { nullable: true })
  rule!: string | null;
  @ApiProperty({ description: 'Follow-ups sent in the period.' }) @Field(() => Int) sent!: number;
  @ApiProperty({ description: 'Of them, answered within the window (any channel, any inbound message or logged inbound activity).' })
  @Field(() => Int)
  replied!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'replied / sent; null when nothing was sent.' })
  @Field(() => Float, { nullable: true })
  replyRate!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Median time from the send to the first answer, in seconds.' })
  @Field(() => Float, { nullable: true })
  medianSecondsToReply!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: '90th percentile time to the first answer, in seconds.' })
  @Field(() => Float, { nullable: true })
  p90SecondsToReply!: number | null;
}

@ObjectType('ReplyAnalytics')
export class ReplyAnalyticsView {
  @ApiProperty({ type: PeriodView }) @Field(() => PeriodView) period!: PeriodView;
  @ApiProperty() @Field(() => Int) windowDays!: number;
  @ApiProperty({ type: ReplyStatsView, description: 'All rules together.' }) @Field(() => ReplyStatsView) total!: ReplyStatsView;
  @ApiProperty({ type: [ReplyStatsView], description: 'One row per rule that sent anything.' }) @Field(() => [ReplyStatsView]) byRule!: ReplyStatsView[];
}

@ObjectType('OutcomeStats')
export class OutcomeStatsView {
  @ApiProperty() @Field(() => RuleEnum) rule!: string;
  @ApiProperty({ example: 'the lead reached interviewing' }) @Field() outcome!: string;
  @ApiProperty({ type: ProportionView, description: 'Leads or candidates whose follow-up was sent in the period, and how many reached the outcome.' })
  @Field(() => ProportionView)
  followedUp!: ProportionView;
  @ApiProperty({ type: ProportionView, description: "The baseline: the firm's leads or candidates whose follow-up of this rule was cancelled or skipped in the period." })
  @Field(() => ProportionView)
  baseline!: ProportionView;
}

@ObjectType('OutcomeAnalytics')
export class OutcomeAnalyticsView {
  @ApiProperty({ type: PeriodView }) @Field(() => PeriodView) period!: PeriodView;
  @ApiProperty({ description: 'Days after the follow-up (or its cancellation) within which the outcome counts.' }) @Field(() => Int) outcomeDays!: number;
  @ApiProperty({ type: [OutcomeStatsView] }) @Field(() => [OutcomeStatsView]) rules!: OutcomeStatsView[];
}

@ObjectType('ReasonCount')
export class ReasonCountView {
  @ApiProperty() @Field() reason!: string;
  @ApiProperty() @Field(() => Int) count!: number;
}

@ObjectType('DeliverabilityAnalytics')
export class DeliverabilityAnalyticsView {
  @ApiProperty({ type: PeriodView }) @Field(() => PeriodView) period!: PeriodView;
  @ApiProperty({ description: 'Follow-ups settled in the period: sent, failed, unknown, skipped or cancelled.' }) @Field(() => Int) settled!: number;
  @ApiProperty() @Field(() => Int) sent!: number;
  @ApiProperty({ type: ProportionView, description: 'Failed (and unknown) of those handed to a provider or failing on the way.' })
  @Field(() => ProportionView)
  failures!: ProportionView;
  @ApiProperty({ type: ProportionView, description: 'Skipped of those due to go out (nobody to reach, no template).' }) @Field(() => ProportionView) skips!: ProportionView;
  @ApiProperty({ type: ProportionView, description: 'Sent follow-ups whose recipient opted out within the window.' }) @Field(() => ProportionView) optOuts!: ProportionView;
  @ApiProperty() @Field(() => Int) cancelled!: number;
  @ApiProperty({ type: [ReasonCountView] }) @Field(() => [ReasonCountView]) topFailureReasons!: ReasonCountView[];
  @ApiProperty({ type: [ReasonCountView] }) @Field(() => [ReasonCountView]) topSkipReasons!: ReasonCountView[];
  @ApiProperty({ type: [ReasonCountView], description: 'How they opted out: keyword, link, api, provider_error.' }) @Field(() => [ReasonCountView]) topOptOutReasons!: ReasonCountView[];
  @ApiProperty({ type: [ReasonCountView] }) @Field(() => [ReasonCountView]) topCancelReasons!: ReasonCountView[];
}

@ObjectType('GoneQuietRecruiter')
export class GoneQuietRowView {
  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: 'The owner; null for candidates nobody owns.' })
  @Field(() => ID, { nullable: true })
  recruiterId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) recruiterName!: string | null;
  @ApiProperty({ description: 'Active candidates.' }) @Field(() => Int) active!: number;
  @ApiProperty({ description: 'Of them, with no message in or out and no logged activity within the cadence.' }) @Field(() => Int) quiet!: number;
}

@ObjectType('GoneQuietAnalytics')
export class GoneQuietAnalyticsView {
  @ApiProperty() @Field() asOf!: Date;
  @ApiProperty({ example: 'P7D', description: "The firm's check-in quiet period." }) @Field() cadence!: string;
  @ApiProperty({ type: [GoneQuietRowView] }) @Field(() => [GoneQuietRowView]) recruiters!: GoneQuietRowView[];
}

@ObjectType('VariantStats')
export class VariantStatsView {
  @ApiProperty() @Field() variant!: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: "Its weight in the firm's policy now (null: no longer configured)." })
  @Field(() => Float, { nullable: true })
  weight!: number | null;
  @ApiProperty({ description: 'Sends whose reply window has closed.' }) @Field(() => Int) sent!: number;
  @ApiProperty() @Field(() => Int) replied!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) @Field(() => Float, { nullable: true }) replyRate!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Wilson score interval of the reply rate at the firm’s confidence: low end.' })
  @Field(() => Float, { nullable: true })
  low!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Wilson score interval: high end.' }) @Field(() => Float, { nullable: true }) high!: number | null;
}

@ObjectType('VariantComparison')
export class VariantComparisonView {
  @ApiProperty() @Field(() => RuleEnum) rule!: string;
  @ApiProperty({ enum: CHANNELS }) @Field(() => ChannelEnum) channel!: string;
  @ApiProperty({ enum: AUDIENCES }) @Field(() => AudienceEnum) audience!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The variant with the highest reply rate.' }) @Field(() => String, { nullable: true }) leader!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'One-sided two-proportion z-test: how sure we may be that the leader beats each other variant (the lowest).' })
  @Field(() => Float, { nullable: true })
  leaderConfidence!: number | null;
  @ApiProperty({ type: [VariantStatsView] }) @Field(() => [VariantStatsView]) variants!: VariantStatsView[];
}

@ObjectType('VariantAnalytics')
export class VariantAnalyticsView {
  @ApiProperty({ type: PeriodView }) @Field(() => PeriodView) period!: PeriodView;
  @ApiProperty() @Field(() => Int) windowDays!: number;
  @ApiProperty({ description: "The firm's confidence level (intervals and promotion)." }) @Field(() => Float) confidence!: number;
  @ApiProperty({ type: [VariantComparisonView] }) @Field(() => [VariantComparisonView]) comparisons!: VariantComparisonView[];
}

@ObjectType('VariantPromotionSettings')
export class VariantPromotionSettingsView {
  @ApiProperty({ description: 'Promote a leading variant automatically.' }) @Field() enabled!: boolean;
  @ApiProperty({ example: 0.95 }) @Field(() => Float) confidence!: number;
  @ApiProperty({ example: 100 }) @Field(() => Int) minSends!: number;
}

/** GraphQL's change of the promotion settings (validated by the service, like the REST body). */
@InputType('VariantPromotionInput')
export class VariantPromotionInput {
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean({ message: 'enabled must be true or false' }) enabled?: boolean;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber({}, { message: 'confidence must be a number' }) confidence?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt({ message: 'minSends must be a whole number' }) minSends?: number;
}
