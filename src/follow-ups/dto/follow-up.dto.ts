import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDate, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { ToDate } from '../../common/iso-date-time';
import { IdFilter, listInputs, OneOfFilter, UpdatedSince } from '../../common/list-filters';
import { MessageView } from '../../messaging/dto/message.dto';
import { FollowUpPreviewView } from './follow-up-preview.dto';
import { FOLLOW_UP_RULES } from '../rules';
import type { Agenda } from '../agenda.service';
import type { FollowUpEntity } from '../follow-up.entity';
import { FOLLOW_UP_CHANNELS, FOLLOW_UP_KINDS, FOLLOW_UP_STATUSES } from '../follow-up.entity';
import { RECIPIENT_TYPES } from '../domain/dedupe';
import { Nullable, Omittable } from '../../common/validation';
import { AGENDA_OWNERS } from '../agenda-owner';
import type { AgendaOwner } from '../agenda-owner';
import { FollowUpChannelEnum, FollowUpKindEnum, FollowUpStatusEnum, RecipientTypeEnum, RuleEnum } from '../../graphql/enums';

@ObjectType('FollowUp')
export class FollowUpView {
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty({ enum: FOLLOW_UP_RULES }) @Field(() => RuleEnum) rule!: string;
  @ApiProperty({ enum: FOLLOW_UP_KINDS, description: 'A task is for the recruiter (no recipient, or a call to make).' })
  @Field(() => FollowUpKindEnum)
  kind!: string;
  @ApiProperty({ enum: FOLLOW_UP_STATUSES }) @Field(() => FollowUpStatusEnum) status!: string;
  @ApiPropertyOptional({ enum: FOLLOW_UP_CHANNELS, nullable: true, description: 'Chosen at send time.' })
  @Field(() => FollowUpChannelEnum, { nullable: true })
  channel!: string | null;
  @ApiProperty() @Field() dueAt!: Date;
  @ApiPropertyOptional({ nullable: true, description: 'Why it was skipped, failed, cancelled or deferred; what a task asks.' })
  @Field(() => String, { nullable: true })
  reason!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) errorCode!: string | null;
  @ApiProperty() @Field(() => Int) attempts!: number;
  @ApiProperty({ enum: RECIPIENT_TYPES }) @Field(() => RecipientTypeEnum) recipientType!: string;
  @ApiPropertyOptional({ nullable: true }) @Field(() => ID, { nullable: true }) recipientId!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => ID, { nullable: true }) candidateId!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => ID, { nullable: true }) leadId!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => ID, { nullable: true }) interviewId!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => ID, { nullable: true }) messageId!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Int, { nullable: true }) nudgeNumber!: number | null;
  @ApiProperty() @Field() requiresApproval!: boolean;
  @ApiPropertyOptional({ nullable: true, description: 'A one-off message, or an edited follow-up: its subject (email), as written.' })
  @Field(() => String, { nullable: true })
  subject!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'A one-off message, or an edited follow-up: the text a recruiter wrote (null: the rule’s template).' })
  @Field(() => String, { nullable: true })
  body!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => Date, { nullable: true }) sentAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The firm's template variant it was sent with (null: the rule's one template)." })
  @Field(() => String, { nullable: true })
  variant!: string | null;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;
  /** REST carries it inline; GraphQL resolves it as a field (batched), only when asked for. */
  @ApiPropertyOptional({ type: FollowUpPreviewView, nullable: true, description: 'Pending follow-ups: what it would be if it went out now. Null once sent, failed, cancelled or skipped, and for tasks.' })
  preview?: FollowUpPreviewView | null;

  static of(e: FollowUpEntity, preview?: FollowUpPreviewView | null): FollowUpView {
    const v = new FollowUpView();
    Object.assign(v, {
      id: e.id,
      rule: e.rule,
      kind: e.kind,
      status: e.status,
      channel: e.channel,
      dueAt: e.dueAt,
      reason: e.reason,
      errorCode: e.errorCode,
      attempts: e.attempts,
      recipientType: e.recipientType,
      recipientId: e.recipientCandidateId ?? e.recipientContactId ?? e.ownerUserId,
      candidateId: e.candidateId,
      leadId: e.leadId,
      interviewId: e.interviewId,
      messageId: e.messageId,
      nudgeNumber: e.nudgeNumber,
      requiresApproval: e.requiresApproval,
      subject: e.subject,
      body: e.body,
      sentAt: e.sentAt,
      variant: e.variant,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
    if (preview !== undefined) v.preview = preview;
    return v;
  }
}

@ObjectType('FollowUpConnection')
export class FollowUpConnection extends Connection(FollowUpView, 'FollowUp') {}

export interface FollowUpFilter {
  status?: string;
  rule?: string;
  candidateId?: string;
  leadId?: string;
  interviewId?: string;
  contactId?: string;
  updatedSince?: Date;
  limit?: number;
  cursor?: string;
}

/** The filters of GET /v1/follow-ups and of followUps(…): one definition for both. */
@ArgsType()
export class FollowUpFilterFieldsDto {
  @OneOfFilter(FollowUpStatusEnum)
  status?: string;

  @OneOfFilter(RuleEnum)
  rule?: string;

  @IdFilter() candidateId?: string;
  @IdFilter() leadId?: string;
  @IdFilter() interviewId?: string;
  @IdFilter() contactId?: string;

  @UpdatedSince('follow-ups')
  updatedSince?: Date;
}

const lists = listInputs(FollowUpFilterFieldsDto);

/** REST: GET /v1/follow-ups?status=…&limit=…&cursor=… */
export class FollowUpFilterDto extends lists.Query {}

/** GraphQL: followUps(status: …, first: …, after: …) */
@ArgsType()
export class FollowUpArgs extends lists.Args {}

export function filterOfArgs(a: FollowUpArgs): FollowUpFilter {
  const { first, after, ...rest } = a;
  return { ...rest, limit: first, cursor: after };
}

@InputType('SnoozeFollowUpInput')
export class SnoozeDto {
  @ApiProperty({ example: '2026-12-01T15:00:00Z', description: 'When it should go out instead (in the future).' })
  @Field()
  @ToDate()
  @IsDate({ message: 'until must be an ISO-8601 date-time' })
  until!: Date;
}

@InputType('EditFollowUpInput')
export class EditFollowUpDto {
  @ApiPropertyOptional({ nullable: true, example: 'Following up on Jane Doe', description: 'Email subject; null: back to the template.' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsString({ message: 'subject must be text' })
  @Length(1, 200, { message: 'subject must be 1 to 200 characters' })
  @Matches(/^[^\r\n]*$/, { message: 'subject must be a single line' })
  subject?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'Hi Hank, any news on Jane’s resume? Happy to set up a call.', description: 'The text as it should go; null: back to the rule’s template.' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsString({ message: 'body must be text' })
  @Length(1, 5000, { message: 'body must be 1 to 5000 characters' })
  body?: string | null;
}

@InputType('CancelFollowUpInput')
export class CancelDto {
  @ApiPropertyOptional({ example: 'Spoke to them on the phone' })
  @Field({ nullable: true })
  @Omittable()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class AgendaQueryDto {
  @ApiPropertyOptional({ example: '2026-11-27', description: "The day, in the firm's time zone (default: today)." })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'date must be a calendar date such as 2026-11-27' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a calendar date such as 2026-11-27' })
  date?: string;

  @ApiPropertyOptional({ enum: AGENDA_OWNERS, description: "'me' narrows to the caller's own candidates (users only)." })
  @IsOptional()
  @IsIn(AGENDA_OWNERS, { message: "owner must be 'me'" })
  owner?: AgendaOwner;
}

@ObjectType('Agenda')
export class AgendaView {
  /** The one mapping of an agenda to its view, for REST and GraphQL alike. */
  static of(a: Agenda): AgendaView {
    const view = (f: FollowUpEntity): FollowUpView => FollowUpView.of(f, a.previews.get(f.id) ?? null);
    return Object.assign(new AgendaView(), {
      date: a.date,
      timeZone: a.timeZone,
      goingOut: a.goingOut.map(view),
      awaitingApproval: a.awaitingApproval.map(view),
      needsAttention: a.needsAttention.map(view),
      tasks: a.tasks.map(view),
      goneQuiet: a.goneQuiet.map(view),
      repliesToAnswer: a.repliesToAnswer.map(MessageView.of),
    });
  }

  @ApiProperty({ example: '2026-11-27' }) @Field() date!: string;
  @ApiProperty({ example: 'America/New_York' }) @Field() timeZone!: string;
  @ApiProperty({ type: [FollowUpView], description: 'Messages going out that day.' }) @Field(() => [FollowUpView]) goingOut!: FollowUpView[];
  @ApiProperty({ type: [FollowUpView] }) @Field(() => [FollowUpView]) awaitingApproval!: FollowUpView[];
  @ApiProperty({ type: [FollowUpView], description: 'Failed, unknown or skipped, with the reason, for manual action.' })
  @Field(() => [FollowUpView])
  needsAttention!: FollowUpView[];
  @ApiProperty({ type: [FollowUpView], description: 'Tasks for the recruiter: calls to make, follow-ups with no one to send to.' })
  @Field(() => [FollowUpView])
  tasks!: FollowUpView[];
  @ApiProperty({ type: [FollowUpView], description: 'Candidate check-ins due that day: who has gone quiet.' })
  @Field(() => [FollowUpView])
  goneQuiet!: FollowUpView[];
  @ApiProperty({ type: [MessageView], description: 'Replies to answer: inbound messages still open (not answered, not marked handled), oldest first.' })
  @Field(() => [MessageView])
  repliesToAnswer!: MessageView[];
}
