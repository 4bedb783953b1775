import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppException } from '../common/app.exception';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { sha256Hex } from '../common/crypto';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import { personKey } from '../people/person-ref';
import { ConsentService } from './consent/consent.service';
import { inviteCalendar } from './domain/calendar-invite';
import { isMessageId, replySubject, threadHeaders } from './domain/email-headers';
import { personColumns, personOf } from './domain/person';
import { isTwilioMessageStatus, nextStatus } from './domain/twilio-status';
import { createUnsubscribeToken, unsubscribeKey } from './domain/unsubscribe-token';
import { EMAIL_DRIVER, SMS_DRIVER } from './drivers/driver.types';
import type { Channel } from './domain/channel';
import type { EmailDriver, OutboundEmail, OutboundSms, SendOutcome, SmsDriver, TwilioAccount } from './drivers/driver.types';
import { withOptOutLine } from './domain/sms-compliance';
import { smsCountryRefusal } from './domain/sms-countries';
import { EngagementService } from './engagement.service';
import { MessageEntity, MessageProvider, MessageStatus } from './entities/message.entity';
import { emailBouncedReason, EMPTY_PERSON_STATE } from './outbound.types';
import { EmailDeliverabilityService } from './deliverability/email-deliverability.service';
import { threadOf } from './outbound.types';
import type { EmailThread, OutboundContext, OutboundMessenger, OutboundRequest, OutboundResult, PersonRef, PersonState, PreparedSend, ThreadRef } from './outbound.types';
import { SendersService } from './senders/senders.service';
import { describeError } from '../common/describe-error';

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
    private readonly deliverability: EmailDeliverabilityService,
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
   * Five reads, whatever the number of people: the firm's senders, the people's engagement (last
   * inbound channel, first SMS), their opt-outs, their undeliverable addresses, and the earlier
   * emails of the threads asked about (so a preview and the send give the same "Re:" subject).
   * One after the other: a dispatcher lane holds at most one pooled connection.
   */
  async context(tenantId: TenantId, people: readonly PersonRef[], threadRefs: readonly ThreadRef[] = []): Promise<OutboundContext> {
    return this.db.tx(tenantId, async (tx) => {
      const senders = await this.senders.resolveIn(tx);
      const engagement = await this.engagement.getManyIn(tx, people);
      const optOuts = await this.consent.optOutsIn(tx, people);
      const undeliverable = await this.deliverability.undeliverableIn(tx, people);
      const threads = await this.threadsIn(tx, threadRefs);
      const states = new Map<string, PersonState>();
      for (const p of people) {
        const key = personKey(p);
        const e = engagement.get(key);
        const out = optOuts.get(key);
        states.set(key, {
          lastInboundChannel: e?.lastInboundChannel ?? null,
          optedOut: { email: out?.has('email') ?? false, sms: out?.has('sms') ?? false },
          firstSms: (e?.firstSmsAt ?? null) === null,
          undeliverableEmails: undeliverable.get(key) ?? [],
        });
      }
      const twilio = senders.twilio;
      return {
        tenantId,
        senders,
        smsSenderKey: twilio ? `twilio:${sha256Hex(`${twilio.accountSid}:${twilio.messagingServiceSid ?? twilio.from ?? ''}`).slice(0, 32)}` : `log:${tenantId}`,
        // The log driver stands in when no Twilio account exists (development): SMS is "configured".
        smsConfigured: true,
        smsUnavailableReason: senders.smsUnavailableReason,
        smsCountries: this.config.sms.countries,
        people: states,
        threads,
      };
    });
  }

  finalText(channel: Channel, text: string, person: PersonState): string {
    return channel === 'sms' ? withOptOutLine(text, person.firstSms) : text;
  }

  /**
   * Step 1, for a batch of one tenant: consent from `context`, then every messages row in ONE
   * INSERT, in the caller's unit of work if any. Answers one PreparedSend per request, in order.
   */
  prepare(requests: readonly OutboundRequest[], context: OutboundContext): Promise<PreparedSend[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return this.db.tx(context.tenantId, async (tx) => {
      const now = this.clock.now();
      const senders = context.senders;
      const out: PreparedSend[] = [];
      const rows: Omit<MessageEntity, 'tenantId'>[] = [];
      for (const request of requests) {
        const blocked = (reason: string): PreparedSend => ({ kind: 'blocked', tenantId: request.tenantId, reason });
        const to = request.recipient.address.trim();
        const state = context.people.get(personKey(request.person)) ?? EMPTY_PERSON_STATE;
        if (!to) {
          out.push(blocked(request.channel === 'email' ? 'no email address' : 'no phone number'));
          continue;
        }
        if (state.optedOut[request.channel]) {
          out.push(blocked(`opted out of ${request.channel === 'email' ? 'email' : 'SMS'}`));
          continue;
        }
        // Checked when the channel was chosen; again here, so no caller can text outside the allowlist.
        const refusal = request.channel === 'sms' ? (context.smsUnavailableReason ?? smsCountryRefusal(to, context.smsCountries)) : null;
        if (refusal) {
          out.push(blocked(refusal));
          continue;
        }
        const bounced = request.channel === 'email' ? emailBouncedReason(state, to) : null;
        if (bounced) {
          out.push(blocked(bounced));
          continue;
        }
        const thread = request.channel === 'email' && request.threadKey ? context.threads.get(threadOf(request.person, request.threadKey)) : undefined;
        const message = this.messageRow(request, to, senders, now, thread);
        rows.push(message);
        out.push(this.ready(request, message, to, senders, thread));
      }
      await tx.repo(MessageEntity).insertMany(rows);
      return out;
    });
  }

  /** Step 2: the driver call, outside any transaction. */
  async deliver(send: PreparedSend): Promise<SendOutcome | undefined> {
    return send.kind === 'blocked' ? undefined : this.callDriver(send);
  }

  /**
   * Step 3, for a batch of one tenant: the providers' answers on the messages rows (forward-only:
   * a status callback may have reconciled one while its driver waited), the people's engagement,
   * and 21610 opt-outs, in a few statements whatever the batch size (joins the caller's unit of
   * work). Answers one result per send, in order.
   */
  async complete(sends: readonly { send: PreparedSend; outcome: SendOutcome | undefined }[]): Promise<OutboundResult[]> {
    const results: OutboundResult[] = sends.map(({ send, outcome }) =>
      send.kind === 'blocked' || !outcome
        ? { messageId: null, outcome: { kind: 'blocked', reason: send.kind === 'blocked' ? send.reason : 'not sent' } }
        : { messageId: send.message.id, outcome },
    );
    const recorded = sends.flatMap(({ send, outcome }) => (send.kind === 'ready' && outcome ? [{ message: send.message, outcome }] : []));
    if (recorded.length > 0) await this.db.tx(recorded[0]!.message.tenantId as TenantId, (tx) => this.record(tx, recorded));
    return results;
  }

  /**
   * The earlier emails of each (person, thread key) of a batch, in one read: their Message-IDs
   * (oldest first) and the first one's subject. Only emails that left (a Message-ID recorded).
   */
  private async threadsIn(tx: TenantTx, refs: readonly ThreadRef[]): Promise<Map<string, EmailThread>> {
    const threads = new Map<string, { subject: string; messageIds: string[] }>();
    // Each (person, key) once: a duplicate in the join would repeat every Message-ID.
    const threaded = [...new Map(refs.map((r) => [threadOf(r.person, r.threadKey), r])).values()];
    if (threaded.length === 0) return threads;
    const rows = await tx.query<{ candidate_id: string | null; contact_id: string | null; thread_key: string; provider_id: string; subject: string | null }>(
      `SELECT m.candidate_id, m.contact_id, m.thread_key, m.provider_id, m.subject
       FROM messages m
       JOIN unnest($2::text[], $3::uuid[], $4::uuid[]) AS w(thread_key, candidate_id, contact_id)
         ON m.thread_key = w.thread_key
        AND m.candidate_id IS NOT DISTINCT FROM w.candidate_id AND m.contact_id IS NOT DISTINCT FROM w.contact_id
       WHERE m.tenant_id = $1 AND m.channel = 'email' AND m.direction = 'out' AND m.provider_id LIKE '<%>'
       ORDER BY m.created_at, m.id`,
      [
        tx.tenantId,
        threaded.map((r) => r.threadKey),
        threaded.map((r) => (r.person.type === 'candidate' ? r.person.id : null)),
        threaded.map((r) => (r.person.type === 'contact' ? r.person.id : null)),
      ],
    );
    for (const r of rows) {
      const person = personOf({ candidateId: r.candidate_id, contactId: r.contact_id });
      if (!person || !isMessageId(r.provider_id)) continue;
      const key = threadOf(person, r.thread_key);
      const thread = threads.get(key);
      if (thread) thread.messageIds.push(r.provider_id);
      else threads.set(key, { subject: r.subject ?? '', messageIds: [r.provider_id] });
    }
    return threads;
  }

  private messageRow(request: OutboundRequest, to: string, senders: OutboundContext['senders'], now: Date, thread: EmailThread | undefined): MessageEntity {
    const email = request.channel === 'email';
    const account = senders.twilio;
    return Object.assign(new MessageEntity(), {
      tenantId: request.tenantId,
      id: randomUUID(),
      ...personColumns(request.person),
      userId: request.author?.userId ?? null,
      followUpId: request.followUpId ?? null,
      direction: 'out' as const,
      channel: request.channel,
      status: 'sending' as const,
      provider: (email ? this.emailDriver.name : account ? 'twilio' : 'log') as MessageProvider,
      providerId: null,
      providerAccount: !email && account ? account.accountSid : null,
      fromAddress: email ? senders.email.fromAddress : account ? (account.from ?? account.messagingServiceSid ?? null) : null,
      toAddress: to,
      subject: email ? (thread?.subject ? replySubject(thread.subject) : request.subject?.trim() || `A message from ${senders.tenantName}`) : null,
      body: request.text,
      errorCode: null,
      errorMessage: null,
      inReplyTo: null,
      replyState: null,
      matched: true,
      threadKey: request.threadKey ?? null,
      createdAt: now,
      updatedAt: now,
    });
  }

  private ready(request: OutboundRequest, message: MessageEntity, to: string, senders: OutboundContext['senders'], thread: EmailThread | undefined): PreparedSend {
    if (request.channel === 'email') {
      const threading = thread ? threadHeaders(thread.messageIds) : undefined;
      const email: OutboundEmail = {
        messageId: message.id,
        to,
        toName: request.recipient.name,
        from: senders.email.fromAddress,
        fromName: request.author ? `${request.author.name} – ${senders.email.fromName}` : senders.email.fromName,
        ...(senders.email.replyTo ? { replyTo: senders.email.replyTo } : {}),
        subject: message.subject ?? '',
        text: request.text,
        ...(request.invite
          ? { calendar: { method: request.invite.method, content: inviteCalendar({ ...request.invite, attendee: { name: request.recipient.name, email: to }, stamp: message.createdAt }) } }
          : {}),
        ...(threading ? { inReplyTo: threading.inReplyTo, references: threading.references } : {}),
        ...(request.automated ? { unsubscribeUrl: this.unsubscribeUrl(request.tenantId, request.person, 'email') } : {}),
      };
      return { kind: 'ready', tenantId: request.tenantId, message, email };
    }
    const account: TwilioAccount | undefined = senders.twilio;
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
      return { kind: 'unknown', code: 'driver_error', reason: describeError(err) };
    }
  }

  /**
   * The answers of a batch on its messages rows:
   *   SELECT id, status, provider_id FROM messages WHERE tenant_id = $1 AND id = ANY($2) FOR UPDATE
   *   UPDATE messages m SET status = v.status, provider_id = v.provider_id, … FROM unnest(…) v WHERE m.id = v.id
   *   + the people's engagement (recordOutboundMany), and per 21610 the opt-out.
   */
  private async record(tx: TenantTx, sent: readonly { message: MessageEntity; outcome: SendOutcome }[]): Promise<void> {
    const current = new Map(
      (
        await tx.query<{ id: string; status: MessageStatus; provider_id: string | null }>(
          `SELECT id, status, provider_id FROM messages WHERE tenant_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE`,
          [tx.tenantId, sent.map((s) => s.message.id)],
        )
      ).map((r) => [r.id, r]),
    );
    const now = this.clock.now();
    const updates: { id: string; status: MessageStatus; providerId: string | null; errorCode: string | null; errorMessage: string | null }[] = [];
    const reached: { person: PersonRef; channel: 'email' | 'sms'; at: Date }[] = [];
    for (const { message, outcome } of sent) {
      const row = current.get(message.id);
      if (!row) continue;
      const person: PersonRef = message.candidateId ? { type: 'candidate', id: message.candidateId } : { type: 'contact', id: message.contactId! };
      // A status callback may have reconciled the row while the driver was still waiting.
      const reconciled = row.provider_id !== null;
      let status: MessageStatus = row.status;
      if (outcome.kind === 'sent') {
        const reported = MESSAGE_STATUS_SET.has(outcome.status) ? (outcome.status as MessageStatus) : 'queued';
        if (!reconciled) status = reported;
        else if (isTwilioMessageStatus(reported)) status = nextStatus(row.status, reported) as MessageStatus;
        updates.push({ id: message.id, status, providerId: row.provider_id ?? outcome.providerId, errorCode: null, errorMessage: null });
      } else if (!reconciled) {
        status = outcome.kind === 'unknown' ? 'unknown' : 'failed';
        updates.push({ id: message.id, status, providerId: null, errorCode: outcome.code ?? null, errorMessage: outcome.reason.slice(0, 1000) });
      }
      // An unknown outcome may have reached the person: count it, so nobody is texted twice in a row.
      if (outcome.kind === 'sent' || outcome.kind === 'unknown') reached.push({ person, channel: message.channel, at: message.createdAt });
      if (outcome.kind === 'permanent' && outcome.code === '21610') {
        await this.consent.change(tx, person, { channel: 'sms', status: 'opted_out', source: 'provider_error', messageId: message.id });
      }
      tx.emit(
        'message.status_changed',
        {
          messageId: message.id,
          person,
          channel: message.channel,
          direction: 'out',
          status,
          previousStatus: row.status,
          outcome: outcome.kind,
          errorCode: outcome.kind === 'sent' ? null : (outcome.code ?? null),
          followUpId: message.followUpId,
        },
        { kind: 'system' },
      );
    }
    if (updates.length > 0) {
      await tx.query(
        `UPDATE messages m SET status = v.status, provider_id = coalesce(v.provider_id, m.provider_id),
                error_code = CASE WHEN v.failed THEN v.error_code ELSE m.error_code END,
                error_message = CASE WHEN v.failed THEN v.error_message ELSE m.error_message END, updated_at = $2
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[]) AS v(id, status, provider_id, error_code, error_message, failed)
         WHERE m.tenant_id = $1 AND m.id = v.id`,
        [
          tx.tenantId,
          now,
          updates.map((u) => u.id),
          updates.map((u) => u.status),
          updates.map((u) => u.providerId),
          updates.map((u) => u.errorCode),
          updates.map((u) => u.errorMessage),
          updates.map((u) => u.providerId === null && (u.status === 'failed' || u.status === 'unknown')),
        ],
      );
    }
    await this.engagement.recordOutboundMany(tx, reached);
  }
}
