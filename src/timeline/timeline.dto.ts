import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LeadStatusEnum } from '../graphql/enums';

export const TIMELINE_KINDS = [
  'lead.status_changed',
  'interview.scheduled',
  'interview.rescheduled',
  'interview.confirmed',
  'interview.completed',
  'interview.cancelled',
  'interview.no_show',
  'references.provided',
  'activity.logged',
  'message.sent',
  'message.received',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One thing that happened to a candidate. Which ids are set depends on the kind. */
@ObjectType('TimelineEntry')
export class TimelineEntryView {
  @ApiProperty({ description: 'When it happened.' }) @Field() at!: Date;
  @ApiProperty({ enum: TIMELINE_KINDS }) @Field() kind!: string;
  @ApiProperty({ example: 'Applied: Backend Engineer at Globex' }) @Field() summary!: string;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) leadId!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) interviewId!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) referenceId!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) @Field(() => ID, { nullable: true }) contactId!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Lead status before (status changes).' }) @Field(() => LeadStatusEnum, { nullable: true }) from!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Lead status after (status changes).' }) @Field(() => LeadStatusEnum, { nullable: true }) to!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Interview start (interview entries; the new start for a reschedule).' })
  @Field(() => Date, { nullable: true })
  startsAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, description: 'The previous start (reschedules).' }) @Field(() => Date, { nullable: true }) previousStartsAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: 'Logged activities.' }) @Field(() => ID, { nullable: true }) activityId!: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: 'Messages in and out.' }) @Field(() => ID, { nullable: true }) messageId!: string | null;

  static of(fields: Partial<TimelineEntryView> & { at: Date; kind: TimelineKind; summary: string }): TimelineEntryView {
    return Object.assign(new TimelineEntryView(), {
      leadId: null,
      interviewId: null,
      referenceId: null,
      contactId: null,
      from: null,
      to: null,
      startsAt: null,
      previousStartsAt: null,
      activityId: null,
      messageId: null,
      ...fields,
    });
  }
}

export class TimelineView {
  @ApiProperty({ format: 'uuid' }) candidateId!: string;
  @ApiProperty({ type: [TimelineEntryView], description: 'Oldest first.' }) items!: TimelineEntryView[];
}

export class ContactTimelineView {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ type: [TimelineEntryView], description: 'Oldest first.' }) items!: TimelineEntryView[];
}
