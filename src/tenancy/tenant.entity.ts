import { Column, Entity, PrimaryColumn } from 'typeorm';

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** Opaque key that names the tenant in inbound webhook URLs. Not a secret by itself. */
  @Column('text', { name: 'webhook_key' })
  webhookKey!: string;

  @Column('text', { name: 'time_zone' })
  timeZone!: string;

  @Column('text')
  status!: TenantStatus;

  @Column('jsonb')
  settings!: Record<string, unknown>;

  /** When the firm's signup email was verified (null: not yet). The platform's SMS sender waits for it. */
  @Column('timestamptz', { name: 'email_verified_at', nullable: true })
  emailVerifiedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
