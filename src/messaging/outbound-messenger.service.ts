import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { sha256Hex } from '../common/crypto';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import { personKey } from '../people/person-ref';
import { ConsentService } from './consent/consent.service';
import { personColumns } from './domain/person';
import { isTwilioMessageStatus, nextStatus } from './domain/twilio-status';
import { createUnsubscribeToken, unsubscribeKey } from './domain/unsubscribe-token';
import { EMAIL_DRIVER, SMS_DRIVER } from './drivers/driver.types';
import type { EmailDriver, MessageChannel, OutboundEmail, OutboundSms, SendOutcome, SmsDriver, TwilioAccount } from './drivers/driver.types';
import { withOptOutLine } from './domain/sms-compliance';
import { EngagementService } from './engagement.service';
import { MessageEntity, MessageProvider, MessageStatus } from './entities/message.entity';
import { EMPTY_PERSON_STATE } from './outbound.types';
import type { OutboundContext, OutboundMessenger, OutboundRequest, OutboundResult, PersonRef, PersonState, PreparedSend } from './outbound.types';
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

/**
 * OutboundMessenger: the one way a message leaves Touchpoint (follow-ups and one-off messages).
 *
 *   0. context(): what messaging knows about the people and the firm's senders, read once in the
 *      sending transaction and handed back to prepare.
 *   1. prepare (in the caller's transaction): consent from that context; INSERT the messages row
 *      (status 'sending', our uuid). COMMIT. That row is the crash marker.
 *   2. deliver: the driver, outside any transaction.
 *   3. complete (a transaction): record the provider's answer on the row (forward-only, in case a
 *      status callback got there first), update the person's engagement, opt out on 21610.
 *
 * SMS compliance lives here: finalText() adds the opt-out line to the first SMS to a person.
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

  /** The one-click unsubscribe URL of a person's channel (RFC 8058). */
  unsubscribeUrl(tenantId: string, person: PersonRef, channel: 'email' | 'sms' = 'email'): string {
    return `${this.config.publicUrl}/v1/unsubscribe/${createUnsubscribeToken(this.unsubscribeKey, { tenantId, person, channel })}`;
  }

  /**
   * Three reads, whatever the number of people: the firm's senders, the people's engagement (last
   * inbound channel, first SMS) and their opt-outs. One after the other: a dispatcher lane holds
   * at most one pooled connection.
   */
  async context(tenantId: TenantId, people: readonly PersonRef[]): Promise<OutboundContext> {
    return this.db.tx(tenantId, async (tx) => {
      const senders = await this.senders.resolveIn(tx);
      const engagement = await this.engagement.getManyIn(tx, people);
      const optOuts = await this.consent.optOutsIn(tx, people);
      const states = new Map<string, PersonState>();
      for (const p of people) {
        const key = personKey(p);
        const e = engagement.get(key);
        const out = optOuts.get(key);
        states.set(key, {
          lastInboundChannel: e?.lastInboundChannel ?? null,
          optedOut: { email: out?.has('email') ?? false, sms: out?.has('sms') ?? false },
          firstSms: (e?.firstSmsAt ?? null) === null,
        });
      }
      const twilio = senders.twilio;
      return {
        tenantId,
        senders,
        smsSenderKey: twilio ? `twilio:${sha256Hex(`${twilio.accountSid}:${twilio.messagingServiceSid ?? twilio.from ?? ''}`).slice(0, 32)}` : `log:${tenantId}`,
        // The log driver stands in when no Twilio account exists (development): SMS is "configured".
        smsConfigured: true,
        people: states,
      };
    });
  }

  finalText(channel: MessageChannel, text: string, person: PersonState): string {
    return channel === 'sms' ? withOptOutLine(text, person.firstSms) : text;
  }

  /** Step 1: checks and writes the messages row, in the caller's unit of work if any. */
  prepare(request: OutboundRequest, context: OutboundContext): Promise<PreparedSend> {
    return this.db.tx(request.tenantId, (tx) => this.prepareIn(tx, request, context));
  }

  /** Step 2: the driver call, outside any transaction. */
  async deliver(send: PreparedSend): Promise<SendOutcome | undefined> {
    return send.kind === 'blocked' ? undefined : this.callDriver(send);
  }

  /** Step 3: records the provider's answer (joins the caller's unit of work if any). */
  async complete(send: PreparedSend, outcome: SendOutcome | undefined): Promise<OutboundResult> {
    if (send.kind === 'blocked' || !outcome) {
      return { messageId: null, outcome: { kind: 'blocked', reason: send.kind === 'blocked' ? send.reason : 'not sent' } };
    }
    await this.db.tx(send.tenantId, (tx) => this.record(tx, send.message, outcome));
    return { messageId: send.message.id, outcome };
  }

  private async prepareIn(tx: TenantTx, request: OutboundRequest, context: OutboundContext): Promise<PreparedSend> {
    const blocked = (reason: string): PreparedSend => ({ kind: 'blocked', tenantId: request.tenantId, reason });
    const to = request.recipient.address.trim();
    if (!to) return blocked(request.channel === 'email' ? 'no email address' : 'no phone number');
    const state = context.people.get(personKey(request.person)) ?? EMPTY_PERSON_STATE;
    if (state.optedOut[request.channel]) return blocked(`opted out of ${request.channel === 'email' ? 'email' : 'SMS'}`);
    const senders = context.senders;
    const now = this.clock.now();
    const base = {
      ...personColumns(request.person),
      userId: request.author?.userId ?? null,
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
      const fromName = request.author ? `${request.author.name} – ${senders.email.fromName}` : senders.email.fromName;
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
        toName: request.recipient.name,
        from: senders.email.fromAddress,
        fromName,
        ...(senders.email.replyTo ? { replyTo: senders.email.replyTo } : {}),
        subject,
        text: request.text,
        ...(request.automated ? { unsubscribeUrl: this.unsubscribeUrl(tx.tenantId, request.person, 'email') } : {}),
      };
      return { kind: 'ready', tenantId: request.tenantId, message, email };
    }

    const account: TwilioAccount | undefined = senders.twilio;
    const provider: MessageProvider = account ? 'twilio' : 'log';
    const message = await tx.repo(MessageEntity).insert({
      ...base,
      provider,
      fromAddress: account ? (account.from ?? account.messagingServiceSid ?? null) : null,
      subject: null,
      body: request.text,
    });
    const sms: OutboundSms = {
      messageId: message.id,
      to,
      body: request.text,
      // The log driver never uses (or keeps) the token; it records the simulated send.
      account: account ?? { accountSid: 'simulated', authToken: '' },
      statusCallbackUrl: `${this.config.publicUrl}/v1/webhooks/twilio/${encodeURIComponent(senders.webhookKey)}/status?messageId=${message.id}`,
    };
    return { kind: 'ready', tenantId: request.tenantId, message, sms, smsDriver: account ? this.twilioDriver : this.logSmsDriver };
  }

  private async callDriver(prepared: Extract<PreparedSend, { kind: 'ready' }>): Promise<SendOutcome> {
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
