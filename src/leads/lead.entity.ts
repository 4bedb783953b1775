import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LeadStatus } from './lead-status';

export const LEAD_SOURCES = ['job_board', 'referral', 'staffing_firm', 'direct', 'other'] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

@Entity({ name: 'leads' })
export class LeadEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'candidate_id' })
  candidateId!: string;

  @Column('text')
  company!: string;

  @Column('text')
  position!: string;

  @Column('text')
  source!: LeadSource;

  @Column('uuid', { name: 'referrer_contact_id', nullable: true })
  referrerContactId!: string | null;

  @Column('uuid', { name: 'employer_contact_id', nullable: true })
  employerContactId!: string | null;

  @Column('text')
  status!: LeadStatus;

  @Column('timestamptz', { name: 'resume_sent_at', nullable: true })
  resumeSentAt!: Date | null;

  @Column('timestamptz', { name: 'offer_at', nullable: true })
  offerAt!: Date | null;

  @Column('timestamptz', { name: 'status_changed_at' })
  statusChangedAt!: Date;

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

@Entity({ name: 'lead_status_history' })
export class LeadStatusHistoryEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'lead_id' })
  leadId!: string;

  @Column('text', { name: 'from_status', nullable: true })
  fromStatus!: LeadStatus | null;

  @Column('text', { name: 'to_status' })
  toStatus!: LeadStatus;

  /** When it happened (may be back-dated by an import). */
  @Column('timestamptz', { name: 'changed_at' })
  changedAt!: Date;

  /** When Touchpoint learned of it. */
  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;

  @Column('text', { name: 'actor_kind', nullable: true })
  actorKind!: string | null;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text', { nullable: true })
  note!: string | null;
}
