import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Channel } from '../messaging/domain/channel';

export const CONTACT_ROLES = ['employer_contact', 'interviewer', 'referrer', 'reference', 'staffing_firm'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

@Entity({ name: 'contacts' })
export class ContactEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { nullable: true })
  phone!: string | null;

  @Column('text', { nullable: true })
  company!: string | null;

  @Column('text', { nullable: true })
  title!: string | null;

  @Column('text', { name: 'time_zone', nullable: true })
  timeZone!: string | null;

  @Column('text', { name: 'preferred_channel', nullable: true })
  preferredChannel!: Channel | null;

  /** What this person is to the firm: employer contact, interviewer, referrer, reference, staffing-firm contact. */
  @Column('text', { array: true })
  roles!: ContactRole[];

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
