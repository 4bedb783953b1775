import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppException, FieldError } from '../../common/app.exception';
import { Clock } from '../../common/clock';
import { decryptSecret, encryptSecret, sha256Hex } from '../../common/crypto';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import { asTenantId, TenantId } from '../../database/tenant-id';
import type { DomainEvent } from '../../events/domain-event-bus';
import { TenantEntity } from '../../tenancy/tenant.entity';
import { parseMailbox } from '../domain/email-address';
import type { TwilioAccount } from '../drivers/driver.types';
import { TenantSenderEntity } from '../entities/tenant-sender.entity';
import { SenderSettingsView, UpdateSenderSettingsDto } from './sender-settings.dto';
import type { SmsSender } from '../entities/tenant-sender.entity';

/** Everything a send needs to know about the tenant's identities, resolved at send time. */
export interface ResolvedSenders {
  tenantName: string;
  webhookKey: string;
  email: { fromAddress: string; fromName: string; replyTo: string | undefined };
  /** undefined: no Twilio account anywhere, SMS goes to the log driver (simulated). */
  twilio: TwilioAccount | undefined;
  smsSender: SmsSender;
  /** Why texts cannot go now although a sender exists: the platform's sender waits for the firm's verified signup email. */
  smsUnavailableReason: string | null;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

/** What an inbound webhook needs before it may touch the tenant: from messaging_webhook_tenant(). */
export interface WebhookTenant {
  tenantId: TenantId;
  active: boolean;
  /** The firm's own Twilio account, when it connected one. */
  ownTwilio?: TwilioCredentials;
  /** The platform's Twilio account (TWILIO_* settings), when there is one. */
  platformTwilio?: TwilioCredentials;
  inboundEmailSecretHash: string | null;
  /** The firm's SendGrid Event Webhook verification key (base64 DER), when set. */
  sendgridWebhookPublicKey: string | null;
}

/** The platform's Twilio account is the operator's money: a firm uses it only once its signup email is verified. */
export const PLATFORM_SMS_NEEDS_VERIFICATION =
  "the firm's signup email is not verified yet (SMS through the platform's Twilio account starts once it is; or connect your own Twilio account)";

/** Why texts are held back on this sender for this firm, or null. */
function smsHold(sender: ResolvedSenders['smsSender'], tenant: TenantEntity | null): string | null {
  return sender === 'platform' && !tenant?.emailVerifiedAt ? PLATFORM_SMS_NEEDS_VERIFICATION : null;
}

const TWILIO_FIELDS = ['twilioAccountSid', 'twilioAuthTokenEncrypted', 'twilioMessagingServiceSid', 'twilioFrom'] as const;

@Injectable()
export class SendersService {
  private readonly logger = new Logger(SendersService.name);

  constructor(
    private readonly db: TenantDb,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get(tenantId: TenantId): Promise<SenderSettingsView> {
    return this.db.tx(tenantId, async (tx) => this.view(tx, await tx.repo(TenantSenderEntity).findOne({})));
  }

  update(tenantId: TenantId, dto: UpdateSenderSettingsDto, actor: DomainEvent['actor']): Promise<SenderSettingsView> {
    return this.db.tx(tenantId, async (tx) => {
      const repo = tx.repo(TenantSenderEntity);
      const now = this.clock.now();
      // One row per tenant: make sure it exists, then lock it, so concurrent PUTs serialise
      // (a refused PUT rolls the insert back with everything else).
      await tx.query(
        `INSERT INTO tenant_senders (tenant_id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT ON CONSTRAINT tenant_senders_pkey DO NOTHING`,
        [tx.tenantId, now],
      );
      await tx.query(`SELECT tenant_id FROM tenant_senders WHERE tenant_id = $1 FOR UPDATE`, [tx.tenantId]);
      const current = await repo.findOne({});
      const next: Partial<TenantSenderEntity> = {};
      const set = <K extends keyof TenantSenderEntity>(key: K, value: TenantSenderEntity[K] | undefined): void => {
        if (value !== undefined) next[key] = value;
      };
      set('emailFromName', dto.emailFromName);
      set('emailFromAddress', dto.emailFromAddress);
      set('emailReplyTo', dto.emailReplyTo);
      set('twilioAccountSid', dto.twilioAccountSid);
      set('twilioMessagingServiceSid', dto.twilioMessagingServiceSid);
      set('twilioFrom', dto.twilioFrom);
      set('sendgridWebhookPublicKey', dto.sendgridWebhookPublicKey);
      if (dto.twilioAuthToken !== undefined) {
        next.twilioAuthTokenEncrypted = dto.twilioAuthToken === null ? null : encryptSecret(this.config.encryptionKeyring, dto.twilioAuthToken);
        next.twilioAuthTokenLast4 = dto.twilioAuthToken === null ? null : dto.twilioAuthToken.slice(-4);
      }
      if (dto.inboundEmailSecret !== undefined) {
        next.inboundEmailSecretHash = dto.inboundEmailSecret === null ? null : sha256Hex(dto.inboundEmailSecret);
      }
      const merged = { ...(current ?? emptySenders()), ...next };
      assertTwilioComplete(merged);
      if (Object.keys(next).length > 0) await repo.update({}, { ...next, updatedAt: now });
      const changed = Object.keys(next).map((k) => (k === 'twilioAuthTokenEncrypted' ? 'twilioAuthToken' : k === 'inboundEmailSecretHash' ? 'inboundEmailSecret' : k));
      const fields = [...new Set(changed.filter((k) => k !== 'twilioAuthTokenLast4'))];
      if (fields.length > 0) tx.emit('settings.senders_updated', { fields }, actor);
      return this.view(tx, await repo.findOne({}));
    });
  }

  /** The identities to send with, read inside the sending transaction. */
  async resolveIn(tx: TenantTx): Promise<ResolvedSenders> {
    const tenant = await tx.memo('tenant', () => tx.manager.getRepository(TenantEntity).findOne({ where: { id: tx.tenantId } }));
    if (!tenant) throw AppException.notFound('Tenant');
    const s = await tx.repo(TenantSenderEntity).findOne({});
    const platformFrom = parseMailbox(this.config.emailFrom);
    const fromAddress = s?.emailFromAddress ?? platformFrom?.address ?? 'no-reply@touchpoint.local';
    // The recipient knows the firm, not the platform: its name is the default display name.
    const fromName = s?.emailFromName ?? tenant.name;
    const own = this.tenantAccount(s);
    const platform = this.config.twilio;
    return {
      tenantName: tenant.name,
      webhookKey: tenant.webhookKey,
      email: { fromAddress, fromName, replyTo: s?.emailReplyTo ?? undefined },
      twilio: own ?? (platform ? { ...platform } : undefined),
      smsSender: own ? 'tenant' : platform ? 'platform' : 'log',
      smsUnavailableReason: smsHold(own ? 'tenant' : platform ? 'platform' : 'log', tenant),
    };
  }

  /**
   * The tenant named by a webhook URL, through the SECURITY DEFINER lookup (no tenant is known
   * yet). undefined for an unknown key.
   */
  /**
   * The Twilio account an outbound message of the tenant went through, found as a status
   * callback names it (its SID, else our id from the callback URL). undefined: no such message,
   * or one sent before accounts were recorded.
   */
  async outboundAccount(tenantId: TenantId, sid: string | undefined, messageId: string | undefined): Promise<string | undefined> {
    return this.db.tx(tenantId, async (tx) => {
      const rows = await tx.query<{ provider_account: string | null }>(
        `SELECT provider_account FROM messages
         WHERE tenant_id = $1 AND provider = 'twilio' AND direction = 'out'
           AND (provider_id = $2 OR (provider_id IS NULL AND id::text = $3))
         LIMIT 1`,
        [tenantId, sid ?? null, messageId ?? null],
      );
      return rows[0]?.provider_account ?? undefined;
    });
  }

  async webhookTenant(webhookKey: string): Promise<WebhookTenant | undefined> {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(webhookKey)) return undefined;
    const rows = (await this.dataSource.query('SELECT * FROM messaging_webhook_tenant($1)', [webhookKey])) as {
      tenant_id: string;
      tenant_status: string;
      twilio_account_sid: string | null;
      twilio_auth_token_encrypted: string | null;
      inbound_email_secret_hash: string | null;
      sendgrid_webhook_public_key: string | null;
    }[];
    const row = rows[0];
    if (!row) return undefined;
    const platform = this.config.twilio;
    const ownToken = row.twilio_account_sid && row.twilio_auth_token_encrypted ? this.decrypt(row.twilio_auth_token_encrypted) : undefined;
    return {
      tenantId: asTenantId(row.tenant_id),
      active: row.tenant_status === 'active',
      ownTwilio: row.twilio_account_sid && ownToken ? { accountSid: row.twilio_account_sid, authToken: ownToken } : undefined,
      platformTwilio: platform ? { accountSid: platform.accountSid, authToken: platform.authToken } : undefined,
      inboundEmailSecretHash: row.inbound_email_secret_hash,
      sendgridWebhookPublicKey: row.sendgrid_webhook_public_key,
    };
  }

  webhookUrls(webhookKey: string): Pick<
    SenderSettingsView,
    'twilioInboundUrl' | 'twilioStatusUrl' | 'emailInboundUrl' | 'emailEventsUrl' | 'sendgridEventsUrl' | 'sendgridInboundUrl' | 'sesUrl' | 'postmarkUrl'
  > {
    const base = this.config.publicUrl;
    const email = `${base}/v1/webhooks/email/${webhookKey}`;
    // {inboundEmailSecret} is a placeholder: the secret is stored hashed, only its owner knows it.
    const withCredentials = base.replace(/^(https?:\/\/)/, '$1touchpoint:{inboundEmailSecret}@');
    return {
      twilioInboundUrl: `${base}/v1/webhooks/twilio/${webhookKey}/inbound`,
      twilioStatusUrl: `${base}/v1/webhooks/twilio/${webhookKey}/status`,
      emailInboundUrl: `${email}/inbound`,
      emailEventsUrl: `${email}/events`,
      sendgridEventsUrl: `${email}/sendgrid/events`,
      sendgridInboundUrl: `${email}/sendgrid/inbound/{inboundEmailSecret}`,
      sesUrl: `${email}/ses/{inboundEmailSecret}`,
      postmarkUrl: `${withCredentials}/v1/webhooks/email/${webhookKey}/postmark`,
    };
  }

  /** Which sender the firm's texts go through: its own Twilio account, the platform's, or the log driver. */
  async smsSenderOf(tenantId: TenantId): Promise<Pick<ResolvedSenders, 'smsSender' | 'smsUnavailableReason'>> {
    return this.db.tx(tenantId, async (tx) => {
      const s = await tx.repo(TenantSenderEntity).findOne({});
      const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tx.tenantId } });
      const smsSender = this.smsSenderKind(s);
      return { smsSender, smsUnavailableReason: smsHold(smsSender, tenant) };
    });
  }

  private smsSenderKind(s: TenantSenderEntity | null): ResolvedSenders['smsSender'] {
    return s?.twilioAccountSid && s.twilioAuthTokenEncrypted ? 'tenant' : this.config.twilio ? 'platform' : 'log';
  }

  private tenantAccount(s: TenantSenderEntity | null): TwilioAccount | undefined {
    if (!s?.twilioAccountSid || !s.twilioAuthTokenEncrypted) return undefined;
    const authToken = this.decrypt(s.twilioAuthTokenEncrypted);
    if (!authToken) return undefined;
    return {
      accountSid: s.twilioAccountSid,
      authToken,
      ...(s.twilioMessagingServiceSid ? { messagingServiceSid: s.twilioMessagingServiceSid } : {}),
      ...(s.twilioFrom ? { from: s.twilioFrom } : {}),
    };
  }

  private decrypt(sealed: string): string | undefined {
    try {
      return decryptSecret(this.config.encryptionKeyring, sealed);
    } catch (err) {
      // Sealed under a key in neither ENCRYPTION_KEY nor ENCRYPTION_KEYS_OLD: unusable until re-entered.
      this.logger.error({ err }, 'stored Twilio auth token cannot be decrypted with ENCRYPTION_KEY or ENCRYPTION_KEYS_OLD');
      return undefined;
    }
  }

  private async view(tx: TenantTx, s: TenantSenderEntity | null): Promise<SenderSettingsView> {
    const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tx.tenantId } });
    const v = new SenderSettingsView();
    Object.assign(v, {
      emailFromName: s?.emailFromName ?? null,
      emailFromAddress: s?.emailFromAddress ?? null,
      emailReplyTo: s?.emailReplyTo ?? null,
      twilioAccountSid: s?.twilioAccountSid ?? null,
      twilioAuthTokenSet: !!s?.twilioAuthTokenEncrypted,
      twilioAuthTokenLast4: s?.twilioAuthTokenEncrypted ? s.twilioAuthTokenLast4 : null,
      twilioMessagingServiceSid: s?.twilioMessagingServiceSid ?? null,
      twilioFrom: s?.twilioFrom ?? null,
      inboundEmailSecretSet: !!s?.inboundEmailSecretHash,
      sendgridWebhookPublicKey: s?.sendgridWebhookPublicKey ?? null,
      smsSender: this.smsSenderKind(s),
      emailSender: this.config.smtp ? 'smtp' : 'log',
      ...this.webhookUrls(tenant?.webhookKey ?? ''),
      updatedAt: s?.updatedAt ?? null,
    });
    return v;
  }
}

function emptySenders(): Omit<TenantSenderEntity, 'tenantId' | 'createdAt' | 'updatedAt'> {
  return {
    emailFromName: null,
    emailFromAddress: null,
    emailReplyTo: null,
    twilioAccountSid: null,
    twilioAuthTokenEncrypted: null,
    twilioAuthTokenLast4: null,
    twilioMessagingServiceSid: null,
    twilioFrom: null,
    inboundEmailSecretHash: null,
    sendgridWebhookPublicKey: null,
  };
}

function assertTwilioComplete(s: Pick<TenantSenderEntity, (typeof TWILIO_FIELDS)[number]>): void {
  const errors: FieldError[] = [];
  const any = TWILIO_FIELDS.some((f) => s[f] !== null);
  if (!any) return;
  if (!s.twilioAccountSid) errors.push({ field: 'twilioAccountSid', message: 'is required when any Twilio setting is set' });
  if (!s.twilioAuthTokenEncrypted) errors.push({ field: 'twilioAuthToken', message: 'is required with a Twilio account SID' });
  if (!s.twilioMessagingServiceSid && !s.twilioFrom) {
    errors.push({ field: 'twilioMessagingServiceSid', message: 'or twilioFrom is required with a Twilio account SID' });
  }
  if (errors.length > 0) throw AppException.validation(errors);
}
