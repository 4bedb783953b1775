import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  Validate,
} from 'class-validator';
import { WarningView } from '../../people/double-check';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { IanaTimeZone } from '../../common/iana-time-zone.validator';
import { IncludeDeleted } from '../../common/include-deleted';
import { ToDate } from '../../common/iso-date-time';
import { PageQueryDto } from '../../common/pagination';
import { IdFilter, listInputs, OneOfFilter, UpdatedSince } from '../../common/list-filters';
import { IsExternalId, IsExternalSource, trim } from '../../common/person-fields';
import { INTERVIEW_FORMATS, INTERVIEW_STATUSES, SCHEDULED_BY } from '../interview.entity';
import type { InterviewEntity, InterviewFormat, InterviewRescheduleEntity, InterviewStatus, ScheduledBy } from '../interview.entity';
import { Nullable, Omittable } from '../../common/validation';
import { UpdateType } from '../../common/update-type';
import { InterviewFormatEnum, InterviewStatusEnum, ScheduledByEnum } from '../../graphql/enums';

const FORMAT_MESSAGE = `format must be one of: ${INTERVIEW_FORMATS.join(', ')}`;

function DurationMinutes(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsInt({ message: 'durationMinutes must be a whole number of minutes' })(target, key);
    Min(1, { message: 'durationMinutes must be positive' })(target, key);
    Max(1440, { message: 'durationMinutes must be at most 1440 (a day)' })(target, key);
  };
}

function InterviewerIds(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsArray()(target, key);
    ArrayMaxSize(20)(target, key);
    IsUUID('all', { each: true, message: 'each of interviewerIds must be a UUID' })(target, key);
  };
}

@InputType('ScheduleInterviewInput')
export class ScheduleInterviewDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  @IsUUID('all', { message: 'leadId must be a UUID' })
  leadId!: string;

  @ApiProperty({ example: '2026-12-03T15:00:00Z', description: 'Must be in the future.' })
  @Field(() => Date)
  @ToDate()
  @IsDate({ message: 'startsAt must be an ISO-8601 date-time' })
  startsAt!: Date;

  @ApiProperty({ example: 45, minimum: 1, maximum: 1440 })
  @Field(() => Int)
  @DurationMinutes()
  durationMinutes!: number;

  @ApiProperty({ enum: INTERVIEW_FORMATS, example: 'video' })
  @Field(() => InterviewFormatEnum)
  @IsIn(INTERVIEW_FORMATS, { message: FORMAT_MESSAGE })
  format!: InterviewFormat;

  @ApiPropertyOptional({ example: '1 Main St, Springfield, 3rd floor' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  location?: string | null;

  @ApiPropertyOptional({ example: 'https://meet.example.com/abc-defg-hij' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true }, { message: 'meetingUrl must be an http(s) URL' })
  @MaxLength(2000)
  meetingUrl?: string | null;

  @ApiPropertyOptional({ example: 'America/New_York', description: 'Where the interview happens; for display.' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Validate(IanaTimeZone)
  timeZone?: string | null;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Contacts of this firm who interview.' })
  @Field(() => [ID], { nullable: true })
  @Omittable()
  @InterviewerIds()
  interviewerIds?: string[];

  @ApiPropertyOptional({ enum: SCHEDULED_BY, default: 'employer' })
  @Field(() => ScheduledByEnum, { nullable: true })
  @Omittable()
  @IsIn(SCHEDULED_BY, { message: 'scheduledBy must be employer or staffing_firm' })
  scheduledBy?: ScheduledBy;

  @ApiPropertyOptional({ format: 'uuid', description: 'The contact who scheduled it (an employer or staffing-firm contact).' })
  @Field(() => ID, { nullable: true })
  @Nullable()
  @IsUUID('all', { message: 'scheduledByContactId must be a UUID' })
  scheduledByContactId?: string | null;

  @ApiPropertyOptional({ example: 'GH-INT-55' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsExternalId()
  externalId?: string;

  @ApiPropertyOptional({ example: 'greenhouse' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsExternalSource()
  externalSource?: string;
}

/** Details that can change without moving the interview. Time changes go through reschedule. */
@InputType('UpdateInterviewInput')
export class UpdateInterviewDto extends UpdateType(ScheduleInterviewDto, [
  'format',
  'location',
  'meetingUrl',
  'timeZone',
  'interviewerIds',
  'scheduledBy',
  'scheduledByContactId',
]) {}

@InputType('RescheduleInterviewInput')
export class RescheduleInterviewDto {
  @ApiProperty({ example: '2026-12-04T16:00:00Z', description: 'The new start; must be in the future.' })
  @Field(() => Date)
  @ToDate()
  @IsDate({ message: 'startsAt must be an ISO-8601 date-time' })
  startsAt!: Date;

  @ApiPropertyOptional({ example: 60, description: 'The new length; default unchanged.' })
  @Field(() => Int, { nullable: true })
  @Omittable()
  @DurationMinutes()
  durationMinutes?: number;

  @ApiPropertyOptional({ example: 'Hiring manager travelling' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

@InputType('InterviewTransitionInput')
export class InterviewTransitionDto {
  @ApiPropertyOptional({ example: 'Position filled' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export interface InterviewFilter {
  includeDeleted?: boolean;
  leadId?: string;
  candidateId?: string;
  status?: InterviewStatus;
  updatedSince?: Date;
}

/** The filters of GET /v1/interviews and of interviews(…): one definition for both. */
@ArgsType()
export class InterviewFilterDto implements InterviewFilter {
  @IncludeDeleted()
  includeDeleted?: boolean;

  @IdFilter()
  leadId?: string;

  @IdFilter()
  candidateId?: string;

  @OneOfFilter(InterviewStatusEnum)
  status?: InterviewStatus;

  @UpdatedSince('interviews')
  updatedSince?: Date;
}

const lists = listInputs(InterviewFilterDto);

/** GET /v1/interviews?…&limit=…&cursor=… */
export class ListInterviewsQueryDto extends lists.Query {}

/** interviews(…, first: …, after: …) */
@ArgsType()
export class InterviewsArgs extends lists.Args {}

@ObjectType('InterviewReschedule')
export class InterviewRescheduleView {
  @ApiProperty() @Field() previousStartsAt!: Date;
  @ApiProperty() @Field(() => Int) previousDurationMinutes!: number;
  @ApiProperty() @Field() newStartsAt!: Date;
  @ApiProperty() @Field(() => Int) newDurationMinutes!: number;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) reason!: string | null;
  @ApiProperty() @Field() rescheduledAt!: Date;

  static of(r: InterviewRescheduleEntity): InterviewRescheduleView {
    return Object.assign(new InterviewRescheduleView(), {
      previousStartsAt: r.previousStartsAt,
      previousDurationMinutes: r.previousDurationMinutes,
      newStartsAt: r.newStartsAt,
      newDurationMinutes: r.newDurationMinutes,
      reason: r.reason,
      rescheduledAt: r.rescheduledAt,
    });
  }
}

@ObjectType('Interview')
export class InterviewView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) leadId!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) candidateId!: string;
  @ApiProperty() @Field() startsAt!: Date;
  @ApiProperty() @Field() endsAt!: Date;
  @ApiProperty({ example: 45 }) @Field(() => Int) durationMinutes!: number;
  @ApiProperty({ enum: INTERVIEW_FORMATS }) @Field(() => InterviewFormatEnum) format!: string;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) location!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) meetingUrl!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) timeZone!: string | null;
  @ApiProperty({ enum: SCHEDULED_BY }) @Field(() => ScheduledByEnum) scheduledBy!: string;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) scheduledByContactId!: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) @Field(() => [ID]) interviewerIds!: string[];
  @ApiProperty({ enum: INTERVIEW_STATUSES }) @Field(() => InterviewStatusEnum) status!: string;
  @ApiProperty() @Field() statusChangedAt!: Date;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) cancelReason!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) externalId!: string | null;
  @ApiProperty() @Field() externalSource!: string;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;
  @ApiPropertyOptional({ nullable: true, description: 'Set when soft-deleted (lists with includeDeleted).' })
  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;
  @ApiProperty({ type: [WarningView], description: 'Double-check warnings about the interviewers; never blocking.' })
  @Field(() => [WarningView])
  warnings!: WarningView[];

  static of(e: InterviewEntity, interviewerIds: string[], warnings: WarningView[] = []): InterviewView {
    return Object.assign(new InterviewView(), {
      id: e.id,
      leadId: e.leadId,
      candidateId: e.candidateId,
      startsAt: e.startsAt,
      endsAt: new Date(e.startsAt.getTime() + e.durationMinutes * 60_000),
      durationMinutes: e.durationMinutes,
      format: e.format,
      location: e.location,
      meetingUrl: e.meetingUrl,
      timeZone: e.timeZone,
      scheduledBy: e.scheduledBy,
      scheduledByContactId: e.scheduledByContactId,
      interviewerIds,
      status: e.status,
      statusChangedAt: e.statusChangedAt,
      cancelReason: e.cancelReason,
      externalId: e.externalId,
      externalSource: e.externalSource,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      deletedAt: e.deletedAt,
      warnings,
    });
  }
}

export class InterviewPageView {
  @ApiProperty({ type: [InterviewView] }) items!: InterviewView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor!: string | null;
}

@ObjectType('InterviewConnection')
export class InterviewConnection extends Connection(InterviewView, 'Interview') {}
