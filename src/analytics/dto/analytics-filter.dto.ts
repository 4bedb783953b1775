import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { ToDate } from '../../common/iso-date-time';
import { VARIANT_NAME } from '../../follow-ups/domain/variants';
import { AUDIENCES } from '../../follow-ups/domain/templates';
import type { Audience } from '../../follow-ups/domain/templates';
import type { FollowUpRule } from '../../follow-ups/follow-up.entity';
import { FOLLOW_UP_RULES } from '../../follow-ups/rules';
import { CHANNELS } from '../../messaging/domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import { AudienceEnum, ChannelEnum, RuleEnum } from '../../graphql/enums';

/**
 * The period and filters every analytics figure takes, over REST (query string) and GraphQL
 * (input). The period's own checks (until after since, at most 400 days) are made by
 * `resolvePeriod`, so both APIs say the same thing.
 */
@InputType('AnalyticsFilterInput')
export class AnalyticsFilterDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Start of the period (inclusive). Default: 30 days before `until`.' })
  @Field(() => Date, { nullable: true })
  @IsOptional()
  @ToDate()
  @IsDate({ message: 'since must be an ISO-8601 date-time' })
  since?: Date;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'End of the period (exclusive), after `since`; at most 400 days after it. Default: now.' })
  @Field(() => Date, { nullable: true })
  @IsOptional()
  @ToDate()
  @IsDate({ message: 'until must be an ISO-8601 date-time' })
  until?: Date;

  @ApiPropertyOptional({ enum: FOLLOW_UP_RULES, description: 'Only follow-ups of this rule.' })
  @Field(() => RuleEnum, { nullable: true })
  @IsOptional()
  @IsIn(FOLLOW_UP_RULES, { message: `rule is unknown; expected one of: ${FOLLOW_UP_RULES.join(', ')}` })
  rule?: FollowUpRule;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'Only follow-ups sent on this channel.' })
  @Field(() => ChannelEnum, { nullable: true })
  @IsOptional()
  @IsIn(CHANNELS, { message: 'channel must be email or sms' })
  channel?: Channel;

  @ApiPropertyOptional({ format: 'uuid', description: "Only follow-ups of this recruiter's candidates and leads (the owner)." })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: 'recruiter must be a user id (UUID)' })
  recruiter?: string;

  @ApiPropertyOptional({ example: 'b', description: 'Only follow-ups sent with this template variant.' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString({ message: 'variant must be text' })
  @Matches(VARIANT_NAME, { message: 'variant must be a variant name: lowercase letters, digits, - and _, at most 40' })
  variant?: string;

  @ApiPropertyOptional({ enum: AUDIENCES, description: 'Only follow-ups to candidates, or only to contacts.' })
  @Field(() => AudienceEnum, { nullable: true })
  @IsOptional()
  @IsIn(AUDIENCES, { message: 'audience must be candidate or contact' })
  audience?: Audience;

  @ApiPropertyOptional({ minimum: 1, maximum: 60, default: 7, description: 'Days after a send within which an answer counts as a reply.' })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'windowDays must be a whole number of days' })
  @Min(1, { message: 'windowDays must be at least 1' })
  @Max(60, { message: 'windowDays must be at most 60' })
  windowDays?: number;
}
