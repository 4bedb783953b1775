import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Channel } from '../messaging/domain/channel';

export const CANDIDATE_STATUSES = ['active', 'placed', 'inactive'] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

@Entity({ name: 'candidates' })
export class CandidateEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  email!: string | null;

  /** E.164, normalised on the way in. */
  @Column('text', { nullable: true })
  phone!: string | null;

  /** IANA zone; null falls back to the tenant's. */
  @Column('text', { name: 'time_zone', nullable: true })
  timeZone!: string | null;

  @Column('text', { name: 'preferred_channel', nullable: true })
  preferredChannel!: Channel | null;

  @Column('uuid', { name: 'owner_user_id', nullable: true })
  ownerUserId!: string | null;

  @Column('text')
  status!: CandidateStatus;

  @Column('text', { name: 'external_id', nullable: true })
  externalId!: string | null;

  @Column('text', { name: 'external_source' })
  externalSource!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
