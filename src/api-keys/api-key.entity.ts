import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('text')
  name!: string;

  /** The first characters of the key, shown in lists so a person can tell keys apart. */
  @Column('text')
  prefix!: string;

  /** SHA-256 of the key. The key itself is shown once and never stored. */
  @Column('text', { name: 'key_hash', select: false })
  keyHash!: string;

  @Column('text', { array: true })
  scopes!: string[];

  @Column('uuid', { name: 'created_by_user_id' })
  createdByUserId!: string;

  /** Who owns what the key creates without an owner; null: the admin who made the key. */
  @Column('uuid', { name: 'default_owner_user_id', nullable: true })
  defaultOwnerUserId!: string | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
