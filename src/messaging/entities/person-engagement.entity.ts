import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EngagementChannel = 'email' | 'sms' | 'phone';

/**
 * What the follow-up engine reads about a person's recent contact: the channel of their latest
 * inbound touch (channel matching), and the last time anything went in or out (check-ins).
 */
@Entity({ name: 'person_engagement' })
export class PersonEngagementEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'candidate_id', nullable: true })
  candidateId!: string | null;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId!: string | null;

  @Column('text', { name: 'last_inbound_channel', nullable: true })
  lastInboundChannel!: EngagementChannel | null;

  @Column('timestamptz', { name: 'last_inbound_at', nullable: true })
  lastInboundAt!: Date | null;

  @Column('timestamptz', { name: 'last_outbound_at', nullable: true })
  lastOutboundAt!: Date | null;

  @Column('timestamptz', { name: 'last_contact_at', nullable: true })
  lastContactAt!: Date | null;

  @Column('timestamptz', { name: 'first_sms_at', nullable: true })
  firstSmsAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
