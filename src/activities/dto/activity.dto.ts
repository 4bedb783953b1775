import { ArgsType, Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { ToDate } from '../../common/iso-date-time';
import { PageQueryDto } from '../../common/pagination';
import { IdFilter, listInputs, OneOfFilter } from '../../common/list-filters';
import { DIRECTIONS } from '../../messaging/domain/channel';
import type { Direction } from '../../messaging/domain/channel';
import { ACTIVITY_CHANNELS, ACTIVITY_KINDS } from '../activity.entity';
import type { ActivityChannel, ActivityEntity, ActivityKind } from '../activity.entity';
import { Nullable, Omittable } from '../../common/validation';
import { ActivityChannelEnum, ActivityKindEnum, DirectionEnum } from '../../graphql/enums';

const trimOrNull = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() || null : value);

@InputType('LogActivityInput')
export class LogActivityDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The candidate (exactly one of candidateId and contactId).' })
  @Field(() => ID, { nullable: true })
  @Omittable()
  @IsUUID('all', { message: 'candidateId must be a UUID' })
  candidateId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The contact (exactly one of candidateId and contactId).' })
  @Field(() => ID, { nullable: true })
  @Omittable()
  @IsUUID('all', { message: 'contactId must be a UUID' })
  contactId?: string;

  @ApiProperty({ enum: ACTIVITY_KINDS, example: 'call' })
  @Field(() => ActivityKindEnum)
  @IsIn(ACTIVITY_KINDS, { message: `kind must be one of: ${ACTIVITY_KINDS.join(', ')}` })
  kind!: ActivityKind;

  @ApiProperty({ enum: DIRECTIONS, example: 'in', description: "'in' when they reached out (an inbound call counts as a reply)." })
  @Field(() => DirectionEnum)
  @IsIn(DIRECTIONS, { message: 'direction must be in or out' })
  direction!: Direction;

  @ApiPropertyOptional({ enum: ACTIVITY_CHANNELS, description: 'Default: phone for a call, in_person for a meeting, other for a note.' })
  @Field(() => ActivityChannelEnum, { nullable: true })
  @Omittable()
  @IsIn(ACTIVITY_CHANNELS, { message: `channel must be one of: ${ACTIVITY_CHANNELS.join(', ')}` })
  channel?: ActivityChannel;

  @ApiPropertyOptional({ example: 'Hank called back: they want a second interview.', maxLength: 5000 })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trimOrNull)
  @IsString({ message: 'summary must be text' })
  @MaxLength(5000, { message: 'summary must be at most 5000 characters' })
  summary?: string | null;

  @ApiPropertyOptional({ example: '2026-12-09T15:00:00Z', description: 'When it happened (not in the future); default now.' })
  @Field(() => Date, { nullable: true })
  @Omittable()
  @ToDate()
  @IsDate({ message: 'occurredAt must be an ISO-8601 date-time' })
  occurredAt?: Date;
}

@ObjectType('Activity')
export class ActivityView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) candidateId!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) contactId!: string | null;
  @ApiProperty({ enum: ACTIVITY_KINDS }) @Field(() => ActivityKindEnum) kind!: string;
  @ApiProperty({ enum: DIRECTIONS }) @Field(() => DirectionEnum) direction!: string;
  @ApiProperty({ enum: ACTIVITY_CHANNELS }) @Field(() => ActivityChannelEnum) channel!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) summary!: string | null;
  @ApiProperty() @Field() occurredAt!: Date;
  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: 'The user who logged it.' }) @Field(() => ID, { nullable: true }) userId!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: 'The API key that logged it.' }) @Field(() => ID, { nullable: true }) apiKeyId!: string | null;
  @ApiProperty() @Field() createdAt!: Date;

  static of(a: ActivityEntity): ActivityView {
    return Object.assign(new ActivityView(), {
      id: a.id,
      candidateId: a.candidateId,
      contactId: a.contactId,
      kind: a.kind,
      direction: a.direction,
      channel: a.channel,
      summary: a.summary,
      occurredAt: a.occurredAt,
      userId: a.userId,
      apiKeyId: a.apiKeyId,
      createdAt: a.createdAt,
    });
  }
}

export interface ActivityFilter {
  candidateId?: string;
  contactId?: string;
  kind?: ActivityKind;
  direction?: Direction;
}

/** The filters of GET /v1/activities and of activities(…): one definition for both. */
@ArgsType()
export class ActivityFilterDto implements ActivityFilter {
  @IdFilter()
  candidateId?: string;

  @IdFilter()
  contactId?: string;

  @OneOfFilter(ActivityKindEnum)
  kind?: ActivityKind;

  @OneOfFilter(DirectionEnum, 'direction must be in or out')
  direction?: Direction;
}

const lists = listInputs(ActivityFilterDto);

/** GET /v1/activities?…&limit=…&cursor=… */
export class ListActivitiesQueryDto extends lists.Query {}

/** activities(…, first: …, after: …) */
@ArgsType()
export class ActivitiesArgs extends lists.Args {}

@ObjectType('ActivityConnection')
export class ActivityConnection extends Connection(ActivityView, 'Activity') {}

export class ActivityPageView {
  @ApiProperty({ type: [ActivityView] }) items!: ActivityView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
