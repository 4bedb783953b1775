import { Column, Entity, PrimaryColumn } from 'typeorm';

export const USER_ROLES = ['admin', 'recruiter'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/** `invited` until the invite is accepted. */
export const USER_STATUSES = ['invited', 'active'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('text')
  email!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: UserRole;

  @Column('text')
  status!: UserStatus;

  @Column('text', { name: 'password_hash', nullable: true, select: false })
  passwordHash!: string | null;

  @Column('text', { name: 'invite_token_hash', nullable: true, select: false })
  inviteTokenHash!: string | null;

  @Column('timestamptz', { name: 'invite_expires_at', nullable: true })
  inviteExpiresAt!: Date | null;

  /** When the user proved they receive mail at `email` (the signup's verification link). */
  @Column('timestamptz', { name: 'email_verified_at', nullable: true })
  emailVerifiedAt!: Date | null;

  @Column('text', { name: 'email_verification_token_hash', nullable: true, select: false })
  emailVerificationTokenHash!: string | null;

  @Column('timestamptz', { name: 'email_verification_expires_at', nullable: true })
  emailVerificationExpiresAt!: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;

  /** Whether this user gets an email when one of their people replies (issue 8; the tenant can turn it off for all). */
  @Column('boolean', { name: 'notify_replies', default: true })
  notifyReplies!: boolean;
}
