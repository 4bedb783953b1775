import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ActorKind } from '../../auth/principal';
import type { Channel } from '../domain/channel';

export const CONSENT_STATUSES = ['opted_in', 'opted_out'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
export const CONSENT_SOURCES = ['keyword', 'link', 'api', 'provider_error', 'complaint'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** The current consent of one person on one channel. No row: opted in (never asked to stop). */
@Entity({ name: 'consents' })
export class ConsentEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'candidate_id', nullable: true })
  candidateId!: string | null;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId!: string | null;

  @Column('text')
  channel!: Channel;

  @Column('text')
  status!: ConsentStatus;

  @Column('text')
  source!: ConsentSource;

  @Column('timestamptz', { name: 'changed_at' })
  changedAt!: Date;
}

/** Every consent change, in order: the history behind ConsentEntity. */
@Entity({ name: 'consent_events' })
export class ConsentEventEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'candidate_id', nullable: true })
  candidateId!: string | null;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId!: string | null;

  @Column('text')
  channel!: Channel;

  @Column('text')
  status!: ConsentStatus;

  @Column('text')
  source!: ConsentSource;

  /** The inbound message (keyword) or outbound message (provider error) that caused it. */
  @Column('uuid', { name: 'message_id', nullable: true })
  messageId!: string | null;

  @Column('text', { name: 'actor_kind', nullable: true })
  actorKind!: ActorKind | null;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
