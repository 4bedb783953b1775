import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Direction } from '../messaging/domain/channel';

export const ACTIVITY_CHANNELS = ['phone', 'in_person', 'other'] as const;
export type ActivityChannel = (typeof ACTIVITY_CHANNELS)[number];
export const ACTIVITY_KINDS = ['call', 'meeting', 'note'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** A touchpoint a recruiter logged by hand: a call, a meeting or a note. */
@Entity({ name: 'activities' })
export class ActivityEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' }) id!: string;
  @Column('uuid', { name: 'candidate_id', nullable: true }) candidateId!: string | null;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId!: string | null;
  @Column('uuid', { name: 'user_id', nullable: true }) userId!: string | null;
  @Column('uuid', { name: 'api_key_id', nullable: true }) apiKeyId!: string | null;
  @Column('text') direction!: Direction;
  @Column('text') channel!: ActivityChannel;
  @Column('text') kind!: ActivityKind;
  /** Null when none was given, and after erasure. */
  @Column('text', { nullable: true }) summary!: string | null;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
