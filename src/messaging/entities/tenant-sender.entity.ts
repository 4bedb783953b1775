import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which Twilio account texts go through: the firm's own, the platform's default, or none (the log driver: simulated). */
export const SMS_SENDERS = ['tenant', 'platform', 'log'] as const;
export type SmsSender = (typeof SMS_SENDERS)[number];
/** How email goes out: SMTP, or the log driver (simulated) when no SMTP server is configured. */
export const EMAIL_SENDERS = ['smtp', 'log'] as const;
export type EmailSender = (typeof EMAIL_SENDERS)[number];

/**
 * A tenant's sender identities: email from / reply-to, its own Twilio account (the auth token
 * sealed with ENCRYPTION_KEY, never returned), and the inbound-email webhook secret (hashed).
 */
@Entity({ name: 'tenant_senders' })
export class TenantSenderEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text', { name: 'email_from_name', nullable: true })
  emailFromName!: string | null;

  @Column('text', { name: 'email_from_address', nullable: true })
  emailFromAddress!: string | null;

  @Column('text', { name: 'email_reply_to', nullable: true })
  emailReplyTo!: string | null;

  @Column('text', { name: 'twilio_account_sid', nullable: true })
  twilioAccountSid!: string | null;

  @Column('text', { name: 'twilio_auth_token_encrypted', nullable: true })
  twilioAuthTokenEncrypted!: string | null;

  @Column('text', { name: 'twilio_auth_token_last4', nullable: true })
  twilioAuthTokenLast4!: string | null;

  @Column('text', { name: 'twilio_messaging_service_sid', nullable: true })
  twilioMessagingServiceSid!: string | null;

  @Column('text', { name: 'twilio_from', nullable: true })
  twilioFrom!: string | null;

  @Column('text', { name: 'inbound_email_secret_hash', nullable: true })
  inboundEmailSecretHash!: string | null;

  /** The firm's SendGrid Event Webhook verification key (base64 DER, ECDSA P-256): public, stored as is. */
  @Column('text', { name: 'sendgrid_webhook_public_key', nullable: true })
  sendgridWebhookPublicKey!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
