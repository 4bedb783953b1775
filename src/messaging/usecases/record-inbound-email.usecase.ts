import { Injectable } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import { AppException } from '../../common/app.exception';
import { sha256Hex } from '../../common/crypto';
import { EmailDeliverabilityService } from '../deliverability/email-deliverability.service';
import { dsnKind, parseDsn } from '../deliverability/dsn';
import { Clock } from '../../common/clock';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { parseMailbox } from '../domain/email-address';
import { normalizeMessageId, parseMessageIds } from '../domain/email-headers';
import { personColumns, personOf } from '../domain/person';
import { EngagementService } from '../engagement.service';
import type { PersonRef } from '../outbound.types';
import { matchByEmail } from '../../people/people-directory';

export interface InboundEmailInput {
  tenantId: TenantId;
  from: string;
  to?: string;
  subject?: string;
  text?: string;
  messageId: string;
  inReplyTo?: string;
  /** The References header: the thread's Message-IDs, oldest first. */
  references?: string;
}

export interface InboundEmailResult {
  messageId: string | null;
  duplicate: boolean;
  matched: boolean;
  person: PersonRef | null;
  /** It was a delivery status notification: recorded as bounces, not as a reply. */
  bounce?: { recipients: number; recorded: number };
}

/**
 * Records an inbound email reply, once per Message-ID. It is matched to the person (and the
 * thread: the lead) of the outbound message it answers (In-Reply-To = our Message-ID, else the
 * latest of ours in References), else by the sender's address; an
 * unknown sender is kept as an unmatched message. Same effects as an inbound SMS, minus keywords:
 * engagement (last inbound channel email) and `message.received`.
 */
@Injectable()
export class RecordInboundEmailUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly engagement: EngagementService,
    private readonly deliverability: EmailDeliverabilityService,
  ) {}

  execute(input: InboundEmailInput): Promise<InboundEmailResult> {
    // A provider's payload is not the API's DTO: PostgreSQL cannot store NUL in text, so it goes.
    const clean = (v: string | undefined): string | undefined => v?.replace(/\u0000/g, '');
    const safe: InboundEmailInput = {
      ...input,
      from: clean(input.from) ?? '',
      to: clean(input.to),
      subject: clean(input.subject),
      text: clean(input.text),
      messageId: clean(input.messageId) ?? '',
      inReplyTo: clean(input.inReplyTo),
      references: clean(input.references),
    };
    if (!safe.from.trim() || !safe.messageId.trim()) {
      throw AppException.validation([{ field: safe.from.trim() ? 'messageId' : 'from', message: 'is required' }]);
    }
    return this.db.tx(input.tenantId, (tx) => this.run(tx, safe));
  }

  /**
   * What a forwarder posts: the whole message (`raw`: everything is read from it, a message
   * without From or Message-ID is a 400), or its fields (the DTO requires from and messageId).
   */
  executePosted(tenantId: TenantId, posted: Partial<Omit<InboundEmailInput, 'tenantId'>> & { raw?: string }): Promise<InboundEmailResult> {
    const { raw, ...fields } = posted;
    return raw !== undefined ? this.executeMime(tenantId, raw) : this.execute({ ...fields, tenantId, from: fields.from ?? '', messageId: fields.messageId ?? '' });
  }

  /**
   * A whole message as received (RFC 5322 MIME), parsed with mailparser. A delivery status
   * notification (multipart/report; report-type=delivery-status) is a bounce, not a reply: each
   * recipient's action becomes a delivery event (deliverability). Anything else is a reply, its
   * fields read from the parsed headers.
   */
  async executeMime(tenantId: TenantId, raw: string | Buffer, fallback: Partial<Omit<InboundEmailInput, 'tenantId'>> = {}): Promise<InboundEmailResult> {
    const dsn = await parseDsn(raw);
    if (dsn) {
      const id = dsn.messageId ?? `sha256:${sha256Hex(typeof raw === 'string' ? raw : raw.toString('utf8'))}`;
      const results = await this.deliverability.recordMany(
        tenantId,
        dsn.recipients.flatMap((r) => {
          const kind = dsnKind(r);
          return kind
            ? [{ provider: 'dsn' as const, providerEventId: `${id}:${r.address.toLowerCase()}`, kind, address: r.address, messageRef: dsn.originalMessageId, diagnostic: r.diagnostic ?? r.status, occurredAt: dsn.arrivalDate ?? this.clock.now() }]
            : [];
        }),
      );
      return { messageId: null, duplicate: results.length > 0 && results.every((r) => !r.recorded), matched: results.some((r) => r.person !== null), person: results[0]?.person ?? null, bounce: { recipients: dsn.recipients.length, recorded: results.filter((r) => r.recorded).length } };
    }
    const parsed = await simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    const from = parsed.from?.value[0];
    const to = parsed.to ? (Array.isArray(parsed.to) ? parsed.to : [parsed.to]).flatMap((t) => t.value).map((a) => a.address).filter(Boolean).join(', ') : undefined;
    const references = parsed.references === undefined ? undefined : Array.isArray(parsed.references) ? parsed.references.join(' ') : parsed.references;
    const messageId = parsed.messageId ?? fallback.messageId;
    const sender = from?.address ? (from.name ? `${from.name} <${from.address}>` : from.address) : fallback.from;
    if (!messageId || !sender) {
      throw AppException.validation([{ field: 'raw', message: `has no ${messageId ? 'From address' : 'Message-ID header'}: not an email message` }]);
    }
    return this.execute({
      tenantId,
      from: sender,
      to: to || fallback.to,
      subject: parsed.subject ?? fallback.subject,
      text: parsed.text?.trimEnd() || fallback.text?.trimEnd(),
      messageId,
      inReplyTo: parsed.inReplyTo ?? fallback.inReplyTo,
      references: references ?? fallback.references,
    });
  }

  private async run(tx: TenantTx, input: InboundEmailInput): Promise<InboundEmailResult> {
    const providerId = normalizeMessageId(input.messageId);
    const inReplyTo = input.inReplyTo ? normalizeMessageId(input.inReplyTo) : null;
    const fromAddress = parseMailbox(input.from)?.address ?? input.from.trim();
    let person: PersonRef | null = null;
    let threadKey: string | null = null;
    // In-Reply-To first, then References from the newest: the first of ours names person and thread.
    const answered = [...new Set([...(inReplyTo ? [inReplyTo] : []), ...parseMessageIds(input.references ?? null).reverse()])].slice(0, 50);
    if (answered.length > 0) {
      const rows = await tx.query<{ candidate_id: string | null; contact_id: string | null; thread_key: string | null }>(
        `SELECT m.candidate_id, m.contact_id, m.thread_key FROM messages m
         JOIN unnest($2::text[]) WITH ORDINALITY AS a(id, n) ON m.provider_id = a.id
         WHERE m.tenant_id = $1 AND m.provider IN ('smtp', 'log') AND m.direction = 'out'
         ORDER BY a.n LIMIT 1`,
        [tx.tenantId, answered],
      );
      const r = rows[0];
      if (r) {
        person = personOf({ candidateId: r.candidate_id, contactId: r.contact_id });
        threadKey = r.thread_key;
      }
    }
    person ??= await matchByEmail(tx, fromAddress);
    const now = this.clock.now();
    const cols = person ? personColumns(person) : { candidateId: null, contactId: null };
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO messages (tenant_id, candidate_id, contact_id, direction, channel, status, provider, provider_id,
                             from_address, to_address, subject, body, in_reply_to, reply_state, matched, thread_key, created_at, updated_at)
       VALUES ($1, $2, $3, 'in', 'email', 'received', 'smtp', $4, $5, $6, $7, $8, $9, 'open', $10, $12, $11, $11)
       ON CONFLICT ON CONSTRAINT messages_provider_id_key DO NOTHING
       RETURNING id`,
      [
        tx.tenantId,
        cols.candidateId,
        cols.contactId,
        providerId,
        fromAddress,
        input.to?.trim() || null,
        input.subject ?? null,
        input.text ?? null,
        inReplyTo,
        person !== null,
        now,
        threadKey,
      ],
    );
    const messageId = inserted[0]?.id;
    if (!messageId) {
      const existing = await tx.query<{ id: string; candidate_id: string | null; contact_id: string | null }>(
        `SELECT id, candidate_id, contact_id FROM messages WHERE tenant_id = $1 AND provider = 'smtp' AND provider_id = $2`,
        [tx.tenantId, providerId],
      );
      const e = existing[0];
      const p = e ? personOf({ candidateId: e.candidate_id, contactId: e.contact_id }) : null;
      return { messageId: e?.id ?? null, duplicate: true, matched: p !== null, person: p };
    }
    if (person) await this.engagement.recordInbound(tx, person, 'email', now);
    tx.emit('message.received', { messageId, person, channel: 'email', keyword: null, confirmation: false, from: fromAddress }, { kind: 'system' });
    return { messageId, duplicate: false, matched: person !== null, person };
  }
}
