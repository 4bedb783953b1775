import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { TenantEntity } from '../../tenancy/tenant.entity';
import { ConsentService } from '../consent/consent.service';
import { classifyKeyword } from '../domain/keywords';
import { personColumns } from '../domain/person';
import { helpReply, twimlEmpty, twimlMessage } from '../domain/twiml';
import { EngagementService } from '../engagement.service';
import type { PersonRef } from '../outbound.types';
import { matchByPhone } from '../../people/people-directory';

/** What the keyword of an inbound SMS meant for this person (in `message.received`). */
export type InboundKeyword = 'opt_out' | 'opt_in' | 'confirm' | 'help' | null;

export interface InboundSmsInput {
  tenantId: TenantId;
  /** The form parameters Twilio posted (already signature-checked). Unknown ones are ignored. */
  params: Record<string, unknown>;
}

export interface InboundSmsResult {
  /** TwiML to answer with. */
  twiml: string;
  messageId: string | null;
  duplicate: boolean;
}

function param(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : undefined;
}

/**
 * Records an inbound SMS, once per MessageSid:
 *   - INSERT ... ON CONFLICT (tenant_id, provider, provider_id) DO NOTHING: a retried or
 *     concurrent delivery of the same message stores one row, and only its first delivery has
 *     effects (concurrent ones wait on the unique index, then see the row);
 *   - `From` is matched to a candidate, else a contact, of THIS tenant; an unknown sender is kept
 *     as an unmatched message for the recruiter;
 *   - engagement: last inbound channel sms;
 *   - keywords (whole message): STOP & co. opt out of SMS only; START/UNSTOP (and YES from an
 *     opted-out person) opt back in; HELP/INFO answer with the firm's name; YES/Y/C/CONFIRM
 *     otherwise flag a confirmation;
 *   - events after commit: consent.changed, message.received.
 * The TwiML answer depends only on the body and the tenant, so a retried delivery gets the same.
 */
@Injectable()
export class RecordInboundSmsUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly consent: ConsentService,
    private readonly engagement: EngagementService,
  ) {}

  execute(input: InboundSmsInput): Promise<InboundSmsResult> {
    return this.db.tx(input.tenantId, (tx) => this.run(tx, input.params));
  }

  private async run(tx: TenantTx, params: Record<string, unknown>): Promise<InboundSmsResult> {
    const sid = param(params, 'MessageSid') ?? param(params, 'SmsMessageSid') ?? param(params, 'SmsSid');
    const from = param(params, 'From')?.trim() ?? '';
    const to = param(params, 'To')?.trim() ?? null;
    const body = param(params, 'Body') ?? '';
    const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tx.tenantId } });
    const firmName = tenant?.name ?? 'Your recruiter';
    const keyword = classifyKeyword(body);
    const answer = keyword === 'help' ? twimlMessage(helpReply(firmName)) : twimlEmpty();
    if (!sid || !/^(SM|MM)[0-9a-zA-Z]{10,64}$/.test(sid)) {
      // Not a message Twilio could have sent us; nothing to record.
      return { twiml: twimlEmpty(), messageId: null, duplicate: false };
    }

    const person = from ? await matchByPhone(tx, from) : null;
    const now = this.clock.now();
    let effective: InboundKeyword = null;
    let consentOut = false;
    if (person) {
      consentOut = await this.consent.isOptedOutIn(tx, person, 'sms');
    }
    switch (keyword) {
      case 'opt_out':
        effective = 'opt_out';
        break;
      case 'opt_in':
        effective = 'opt_in';
        break;
      case 'yes':
        effective = consentOut ? 'opt_in' : 'confirm';
        break;
      case 'confirm':
        effective = 'confirm';
        break;
      case 'help':
        effective = 'help';
        break;
      default:
        effective = null;
    }
    // Keywords other than a confirmation are handled by the system; everything else waits for a recruiter.
    const replyState = effective === 'opt_out' || effective === 'opt_in' || effective === 'help' ? 'handled' : 'open';
    const cols = person ? personColumns(person) : { candidateId: null, contactId: null };
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO messages (tenant_id, candidate_id, contact_id, direction, channel, status, provider, provider_id,
                             from_address, to_address, body, reply_state, matched, created_at, updated_at, provider_account)
       VALUES ($1, $2, $3, 'in', 'sms', 'received', 'twilio', $4, $5, $6, $7, $8, $9, $10, $10, $11)
       ON CONFLICT ON CONSTRAINT messages_provider_id_key DO NOTHING
       RETURNING id`,
      // The AccountSid was checked by the webhook's guard (its token verified the signature).
      [tx.tenantId, cols.candidateId, cols.contactId, sid, from || null, to, body, replyState, person !== null, now, param(params, 'AccountSid') ?? null],
    );
    const messageId = inserted[0]?.id;
    if (!messageId) return { twiml: answer, messageId: null, duplicate: true };

    if (person) {
      await this.engagement.recordInbound(tx, person, 'sms', now);
      if (effective === 'opt_out') {
        await this.consent.change(tx, person, { channel: 'sms', status: 'opted_out', source: 'keyword', messageId, actor: { kind: 'system' } });
      } else if (effective === 'opt_in') {
        await this.consent.change(tx, person, { channel: 'sms', status: 'opted_in', source: 'keyword', messageId, actor: { kind: 'system' } });
      }
    }
    tx.emit(
      'message.received',
      {
        messageId,
        person: person satisfies PersonRef | null,
        channel: 'sms',
        keyword: effective,
        confirmation: effective === 'confirm',
        from: from || null,
      },
      { kind: 'system' },
    );
    return { twiml: answer, messageId, duplicate: false };
  }
}
