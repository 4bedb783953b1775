import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Channel, Direction } from '../domain/channel';

export const MESSAGE_STATUSES = [
  'sending',
  'queued',
  'accepted',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'received',
  'simulated',
  'unknown',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const MESSAGE_PROVIDERS = ['twilio', 'smtp', 'log'] as const;
export type MessageProvider = (typeof MESSAGE_PROVIDERS)[number];
export const REPLY_STATES = ['open', 'answered', 'handled'] as const;
export type ReplyState = (typeof REPLY_STATES)[number];

/** One email or SMS, in or out: the record of what happened. */
@Entity({ name: 'messages' })
export class MessageEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'candidate_id', nullable: true })
  candidateId!: string | null;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId!: string | null;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  @Column('uuid', { name: 'follow_up_id', nullable: true })
  followUpId!: string | null;

  @Column('text')
  direction!: Direction;

  @Column('text')
  channel!: Channel;

  @Column('text')
  status!: MessageStatus;

  @Column('text')
  provider!: MessageProvider;

  @Column('text', { name: 'provider_id', nullable: true })
  providerId!: string | null;

  /** The Twilio account (AccountSid) the message went through; its status callbacks are verified with that account's token. */
  @Column('text', { name: 'provider_account', nullable: true })
  providerAccount!: string | null;

  @Column('text', { name: 'from_address', nullable: true })
  fromAddress!: string | null;

  @Column('text', { name: 'to_address', nullable: true })
  toAddress!: string | null;

  @Column('text', { nullable: true })
  subject!: string | null;

  @Column('text', { nullable: true })
  body!: string | null;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;

  @Column('text', { name: 'error_message', nullable: true })
  errorMessage!: string | null;

  @Column('text', { name: 'in_reply_to', nullable: true })
  inReplyTo!: string | null;

  @Column('text', { name: 'reply_state', nullable: true })
  replyState!: ReplyState | null;

  @Column('boolean')
  matched!: boolean;

  /** The conversation (`lead:<id>`, `follow-up:<id>`) an email belongs to: see OutboundRequest.threadKey. */
  @Column('text', { name: 'thread_key', nullable: true })
  threadKey!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
