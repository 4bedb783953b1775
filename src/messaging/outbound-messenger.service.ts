import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { withOptOutLine } from '../follow-ups/domain/templates';
import { UserEntity } from '../users/user.entity';
import { ConsentService } from './consent/consent.service';
import { personColumns } from './domain/person';
import { isTwilioMessageStatus, nextStatus } from './domain/twilio-status';
import { createUnsubscribeToken, unsubscribeKey } from './domain/unsubscribe-token';
import { EMAIL_DRIVER, SMS_DRIVER } from './drivers/driver.types';
import type { EmailDriver, OutboundEmail, OutboundSms, SendOutcome, SmsDriver, TwilioAccount } from './drivers/driver.types';
import { EngagementService } from './engagement.service';
import { MessageEntity, MessageProvider, MessageStatus } from './entities/message.entity';
import type { OutboundMessenger, OutboundRequest, OutboundResult, PersonRef, PreparedSend } from './outbound.types';
import { findLivePerson } from './people-directory';
import { SendersService } from './senders/senders.service';

/** The SMS driver used when no Twilio account is resolvable: records `simulated`. */
export const LOG_SMS_DRIVER = Symbol('LOG_SMS_DRIVER');

const MESSAGE_STATUS_SET: ReadonlySet<string> = new Set<MessageStatus>([
  'queued',
  'accepted',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'simulated',
]);

type Prepared =
  | { kind: 'blocked'; reason: string }
  | {
      kind: 'ready';
      message: MessageEntity;
      email?: OutboundEmail;
      sms?: OutboundSms;
      smsDriver?: SmsDriver;
    };

/**
 * OutboundMessenger: the one way a message leaves Touchpoint (follow-ups and one-off messages).
 *
 *   1. tx: re-check the person, their address and consent; resolve the sender; INSERT the
 *      messages row (status 'sending', our uuid). COMMIT. That row is the crash marker.
 *   2. call the driver, outside any transaction.
 *   3. tx: record the provider's answer on the row (forward-only, in case a status callback got
 *      there first), update the person's engagement, opt out on 21610. COMMIT, emit events.
 *
 * The first SMS to a person carries the opt-out line (templates.withOptOutLine).
 */
@Injectable()
export class OutboundMessengerService implements OutboundMessenger {
  private readonly logger = new Logger(OutboundMessengerService.name);
  private readonly unsubscribeKey: Buffer;

  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly senders: SendersService,
    private readonly consent: ConsentService,
    private readonly engagement: EngagementService,
    @Inject(EMAIL_DRIVER) private readonly emailDriver: EmailDriver,
    @Inject(SMS_DRIVER) private readonly twilioDriver: SmsDriver,
    @Inject(LOG_SMS_DRIVER) private readonly logSmsDriver: SmsDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.unsubscribeKey = unsubscribeKey(config.encryptionKey);
  }

  /** Whether the next SMS to this person is their first (and so carries the opt-out line). */
  isFirstSmsTo(tenantId: OutboundRequest['tenantId'], person: PersonRef): Promise<boolean> {
    return this.engagement.isFirstSmsTo(tenantId, person);
  }

  /** The one-click unsubscribe URL of a person's channel (RFC 8058). */
  unsubscribeUrl(tenantId: string, person: PersonRef, channel: 'email' | 'sms' = 'email'): string {
    return `${this.config.publicUrl}/v1/unsubscribe/${createUnsubscribeToken(this.unsubscribeKey, { tenantId, person, channel })}`;
  }

  async send(request: OutboundRequest): Promise<OutboundResult> {
    const prepared = await this.prepare(request);
    return this.complete(prepared, await this.deliver(prepared));
  }

  /**
   * Step 1 of send(), for callers that batch their own transactions (the dispatcher): checks
   * and writes the messages row in `TenantDb.tx`, which joins the caller's unit of work if any.
   */
  async prepare(request: OutboundRequest): Promise<PreparedSend> {
    const prepared = await this.db.tx(request.tenantId, (tx) => this.prepareIn(tx, request));
    return { tenantId: request.tenantId, prepared };
  }

  /** Step 2: the driver call, outside any transaction. */
  async deliver(send: PreparedSend): Promise<SendOutcome | undefined> {
    const p = send.prepared as Prepared;
    return p.kind === 'blocked' ? undefined : this.callDriver(p);
  }

  /** Step 3: records the provider's answer (joins the caller's unit of work if any). */
  async complete(send: PreparedSend, outcome: SendOutcome | undefined): Promise<OutboundResult> {
    const p = send.prepared as Prepared;
    if (p.kind === 'blocked' || !outcome) {
      return { messageId: null, outcome: { kind: 'blocked', reason: p.kind === 'blocked' ? p.reason : 'not sent' } };
    }
    await this.db.tx(send.tenantId, (tx) => this.record(tx, p.message, outcome));
    return { messageId: p.message.id, outcome };
  }

  private async prepareIn(tx: TenantTx, request: OutboundRequest): Promise<Prepared> {
    const person = await findLivePerson(tx, request.person);
    if (!person) return { kind: 'blocked', reason: `${request.person.type} not found (deleted or unknown)` };
    const to = request.channel === 'email' ? person.email : person.phone;
    if (!to) return { kind: 'blocked', reason: request.channel === 'email' ? 'no email address' : 'no phone number' };
    if (await this.consent.isOptedOutIn(tx, request.person, request.channel)) {
      return { kind: 'blocked', reason: `opted out of ${request.channel === 'email' ? 'email' : 'SMS'}` };
    }
    let user: UserEntity | null = null;
    if (request.userId) {
      user = await tx.repo(UserEntity).findOne({ id: request.userId });
      if (!user) throw AppException.validation([{ field: 'userId', message: 'is not a user of this firm' }]);
    }
    const senders = await this.senders.resolveIn(tx);
    const now = this.clock.now();
    const base = {
      ...personColumns(request.person),
      userId: user?.id ?? null,
      followUpId: request.followUpId ?? null,
      direction: 'out' as const,
      channel: request.channel,
      status: 'sending' as const,
      providerId: null,
      toAddress: to,
      errorCode: null,
      errorMessage: null,
      inReplyTo: null,
      replyState: null,
      matched: true,
      createdAt: now,
      updatedAt: now,
    };

    if (request.channel === 'email') {
      const fromName = user ? `${user.name} – ${senders.email.fromName}` : senders.email.fromName;
      const subject = request.subject?.trim() || `A message from ${senders.tenantName}`;
      const message = await tx.repo(MessageEntity).insert({
        ...base,
        provider: this.emailDriver.name,
        fromAddress: senders.email.fromAddress,
        subject,
        body: request.text,
      });
      const email: OutboundEmail = {
        messageId: message.id,
        to,
        toName: person.name,
        from: senders.email.fromAddress,
        fromName,
        ...(senders.email.replyTo ? { replyTo: senders.email.replyTo } : {}),
        subject,
        text: request.text,
        ...(request.automated ? { unsubscribeUrl: this.unsubscribeUrl(tx.tenantId, request.person, 'email') } : {}),
      };
      return { kind: 'ready', message, email };
    }

    const account: TwilioAccount | undefined = senders.twilio;
    const engagement = await this.engagement.getIn(tx, request.person);
    const body = withOptOutLine(request.text, engagement.firstSmsAt === null);
    const provider: MessageProvider = account ? 'twilio' : 'log';
    const message = await tx.repo(MessageEntity).insert({
      ...base,
      provider,
      fromAddress: account ? (account.from ?? account.messagingServiceSid ?? null) : null,
      subject: null,
      body,
    });
    const sms: OutboundSms = {
      messageId: message.id,
      to,
      body,
      // The log driver never uses (or keeps) the token; it records the simulated send.
      account: account ?? { accountSid: 'simulated', authToken: '' },
      statusCallbackUrl: `${this.config.publicUrl}/v1/webhooks/twilio/${encodeURIComponent(senders.webhookKey)}/status?messageId=${message.id}`,
    };
    return { kind: 'ready', message, sms, smsDriver: account ? this.twilioDriver : this.logSmsDriver };
  }

  private async callDriver(prepared: Extract<Prepared, { kind: 'ready' }>): Promise<SendOutcome> {
    try {
      if (prepared.email) return await this.emailDriver.send(prepared.email);
      if (prepared.sms && prepared.smsDriver) return await prepared.smsDriver.send(prepared.sms);
      return { kind: 'permanent', code: 'no_driver', reason: 'no driver for this channel' };
    } catch (err) {
      // Drivers classify every provider answer; a throw is a bug, and whether the message left is unknown.
      this.logger.error({ err, messageId: prepared.message.id }, 'driver threw instead of returning an outcome');
      return { kind: 'unknown', code: 'driver_error', reason: err instanceof Error ? err.message : String(err) };
    }
  }

  private async record(tx: TenantTx, sent: MessageEntity, outcome: SendOutcome): Promise<void> {
    const rows = await tx.query<{ status: MessageStatus; provider_id: string | null }>(
      `SELECT status, provider_id FROM messages WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tx.tenantId, sent.id],
    );
    const row = rows[0];
    if (!row) return;
    const now = this.clock.now();
    const person: PersonRef = sent.candidateId ? { type: 'candidate', id: sent.candidateId } : { type: 'contact', id: sent.contactId! };
    // A status callback may have reconciled the row while the driver was still waiting.
    const reconciled = row.provider_id !== null;
    let status: MessageStatus = row.status;
    let patch: Partial<MessageEntity> = {};
    if (outcome.kind === 'sent') {
      const reported = MESSAGE_STATUS_SET.has(outcome.status) ? (outcome.status as MessageStatus) : 'queued';
      if (!reconciled) {
        status = reported;
      } else if (isTwilioMessageStatus(reported)) {
        status = nextStatus(row.status, reported) as MessageStatus;
      }
      patch = { status, providerId: row.provider_id ?? outcome.providerId };
    } else if (!reconciled) {
      status = outcome.kind === 'unknown' ? 'unknown' : 'failed';
      patch = { status, errorCode: outcome.code ?? null, errorMessage: outcome.reason.slice(0, 1000) };
    }
    if (Object.keys(patch).length > 0) {
      await tx.repo(MessageEntity).update({ id: sent.id }, { ...patch, updatedAt: now });
    }
    if (outcome.kind === 'sent' || outcome.kind === 'unknown') {
      // An unknown outcome may have reached the person: count it, so nobody is texted twice in a row.
      await this.engagement.recordOutbound(tx, person, sent.channel, sent.createdAt);
    }
    if (outcome.kind === 'permanent' && outcome.code === '21610') {
      await this.consent.change(tx, person, { channel: 'sms', status: 'opted_out', source: 'provider_error', messageId: sent.id });
    }
    tx.emit('message.status_changed', {
      messageId: sent.id,
      person,
      channel: sent.channel,
      direction: 'out',
      status,
      previousStatus: row.status,
      outcome: outcome.kind,
      errorCode: outcome.kind === 'sent' ? null : (outcome.code ?? null),
      followUpId: sent.followUpId,
    }, { kind: 'system' });
  }
}
