import { Column, Entity, PrimaryColumn } from 'typeorm';

export const INTERVIEW_FORMATS = ['phone', 'video', 'in_person'] as const;
export type InterviewFormat = (typeof INTERVIEW_FORMATS)[number];
export const INTERVIEW_STATUSES = ['scheduled', 'confirmed', 'completed', 'cancelled', 'no_show'] as const;
export type InterviewStatus = (typeof INTERVIEW_STATUSES)[number];
export const SCHEDULED_BY = ['employer', 'staffing_firm'] as const;
export type ScheduledBy = (typeof SCHEDULED_BY)[number];

/** Only an upcoming interview can be moved, confirmed or closed out. */
export const ACTIVE_INTERVIEW_STATUSES: readonly InterviewStatus[] = ['scheduled', 'confirmed'];

@Entity({ name: 'interviews' })
export class InterviewEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'lead_id' })
  leadId!: string;

  /** Copied from the lead, for the candidate's timeline and loaders. */
  @Column('uuid', { name: 'candidate_id' })
  candidateId!: string;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('integer', { name: 'duration_minutes' })
  durationMinutes!: number;

  @Column('text')
  format!: InterviewFormat;

  @Column('text', { nullable: true })
  location!: string | null;

  @Column('text', { name: 'meeting_url', nullable: true })
  meetingUrl!: string | null;

  @Column('text', { name: 'time_zone', nullable: true })
  timeZone!: string | null;

  @Column('text', { name: 'scheduled_by' })
  scheduledBy!: ScheduledBy;

  @Column('uuid', { name: 'scheduled_by_contact_id', nullable: true })
  scheduledByContactId!: string | null;

  @Column('text')
  status!: InterviewStatus;

  @Column('timestamptz', { name: 'status_changed_at' })
  statusChangedAt!: Date;

  @Column('text', { name: 'cancel_reason', nullable: true })
  cancelReason!: string | null;

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

@Entity({ name: 'interview_interviewers' })
export class InterviewInterviewerEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { name: 'interview_id' })
  interviewId!: string;

  @PrimaryColumn('uuid', { name: 'contact_id' })
  contactId!: string;

  @Column('smallint')
  position!: number;
}

@Entity({ name: 'interview_reschedules' })
export class InterviewRescheduleEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'interview_id' })
  interviewId!: string;

  @Column('timestamptz', { name: 'previous_starts_at' })
  previousStartsAt!: Date;

  @Column('integer', { name: 'previous_duration_minutes' })
  previousDurationMinutes!: number;

  @Column('timestamptz', { name: 'new_starts_at' })
  newStartsAt!: Date;

  @Column('integer', { name: 'new_duration_minutes' })
  newDurationMinutes!: number;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('timestamptz', { name: 'rescheduled_at' })
  rescheduledAt!: Date;

  @Column('text', { name: 'actor_kind', nullable: true })
  actorKind!: string | null;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;
}
