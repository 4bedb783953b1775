import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CHANNELS } from '../messaging/domain/channel';
import type { Channel } from '../messaging/domain/channel';
import type { RecipientType } from './domain/dedupe';
import type { RuleKey } from './rules';

/** A playbook rule, or a one-off message a recruiter wrote (issue 8): it carries its own text. */
export type FollowUpRule = RuleKey | 'one_off';
export const ONE_OFF = 'one_off' as const;

export const FOLLOW_UP_STATUSES = ['planned', 'awaiting_approval', 'sending', 'sent', 'failed', 'unknown', 'cancelled', 'skipped'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/** Statuses from which a follow-up can still go out (or be changed by a recruiter). */
export const PENDING_STATUSES: readonly FollowUpStatus[] = ['planned', 'awaiting_approval'];

/** A message to a person, or a task for the recruiter (no one to send to, or a call to make). */
export const FOLLOW_UP_KINDS = ['message', 'task'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/** The channel a follow-up goes on, chosen at send time: `phone` is a call task (the person last called). */
export const FOLLOW_UP_CHANNELS = [...CHANNELS, 'phone'] as const;
export type FollowUpChannel = (typeof FOLLOW_UP_CHANNELS)[number];

@Entity({ name: 'follow_ups' })
export class FollowUpEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' }) id!: string;
  @Column('text') rule!: FollowUpRule;
  @Column('text') kind!: FollowUpKind;
  @Column('text', { name: 'dedupe_key' }) dedupeKey!: string;
  @Column('text') status!: FollowUpStatus;
  @Column('uuid', { name: 'candidate_id', nullable: true }) candidateId!: string | null;
  @Column('uuid', { name: 'lead_id', nullable: true }) leadId!: string | null;
  @Column('uuid', { name: 'interview_id', nullable: true }) interviewId!: string | null;
  @Column('text', { name: 'recipient_type' }) recipientType!: RecipientType;
  @Column('uuid', { name: 'recipient_candidate_id', nullable: true }) recipientCandidateId!: string | null;
  @Column('uuid', { name: 'recipient_contact_id', nullable: true }) recipientContactId!: string | null;
  @Column('uuid', { name: 'owner_user_id', nullable: true }) ownerUserId!: string | null;
  @Column('uuid', { name: 'parent_follow_up_id', nullable: true }) parentFollowUpId!: string | null;
  @Column('int', { name: 'nudge_number', nullable: true }) nudgeNumber!: number | null;
  @Column('text') occurrence!: string;
  @Column('text', { nullable: true }) channel!: FollowUpChannel | null;
  @Column('timestamptz', { name: 'due_at' }) dueAt!: Date;
  @Column('timestamptz', { name: 'lease_until', nullable: true }) leaseUntil!: Date | null;
  @Column('text', { name: 'claimed_by', nullable: true }) claimedBy!: string | null;
  @Column('int') attempts!: number;
  @Column('timestamptz', { name: 'send_started_at', nullable: true }) sendStartedAt!: Date | null;
  /** A send slot this row already holds under the sender's rate limit (set when it was deferred for it). */
  @Column('timestamptz', { name: 'rate_slot_at', nullable: true }) rateSlotAt!: Date | null;
  @Column('boolean', { name: 'requires_approval' }) requiresApproval!: boolean;
  @Column('timestamptz', { name: 'approved_at', nullable: true }) approvedAt!: Date | null;
  @Column('uuid', { name: 'approved_by_user_id', nullable: true }) approvedByUserId!: string | null;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { name: 'error_code', nullable: true }) errorCode!: string | null;
  @Column('uuid', { name: 'message_id', nullable: true }) messageId!: string | null;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
  /** One-off messages: the text the recruiter wrote (removed by erasure). */
  @Column('text', { nullable: true }) subject!: string | null;
  @Column('text', { nullable: true }) body!: string | null;
  /** One-off messages: the channel the request named (no fallback to the other one). */
  @Column('text', { name: 'requested_channel', nullable: true }) requestedChannel!: Channel | null;
  /** The template variant it was (or will be) sent with, when the rule has variants for that channel and audience. */
  @Column('text', { nullable: true }) variant!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'follow_up_attempts' })
export class FollowUpAttemptEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' }) id!: string;
  @Column('uuid', { name: 'follow_up_id' }) followUpId!: string;
  @Column('int') attempt!: number;
  @Column('text') outcome!: string;
  @Column('text', { nullable: true }) channel!: string | null;
  @Column('text', { nullable: true }) code!: string | null;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('uuid', { name: 'message_id', nullable: true }) messageId!: string | null;
  @Column('timestamptz') at!: Date;
}
