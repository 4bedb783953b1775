import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import { isUuid, TenantId } from '../../database/tenant-id';
import { ConsentService } from '../consent/consent.service';
import { personOf } from '../domain/person';
import { applyStatusCallback, isTwilioMessageStatus } from '../domain/twilio-status';
import { MessageEntity, MessageStatus } from '../entities/message.entity';

export interface TwilioStatusInput {
  tenantId: TenantId;
  params: Record<string, unknown>;
  /** Our message id from the StatusCallback URL's query (reconciles a send whose outcome was unknown). */
  messageId?: string;
}

function param(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : undefined;
}

/** Twilio statuses we keep as they are; others (scheduled, canceled, ...) map onto ours. */
const STORED: Readonly<Record<string, MessageStatus>> = {
  scheduled: 'queued',
  accepted: 'accepted',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * A Twilio status callback. The message is found by its SID among THIS tenant's outbound SMS
 * (another tenant's SID is invisible under RLS), or by our id in the URL when the send's outcome
 * never got its SID (timeout, crash). The status only moves forward (twilio-status.ts);
 * failed/undelivered keep their error code; 21610 opts the person out of SMS. An unknown SID
 * changes nothing and still gets a 2xx.
 */
@Injectable()
export class RecordTwilioStatusUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly consent: ConsentService,
  ) {}

  execute(input: TwilioStatusInput): Promise<{ changed: boolean; messageId: string | null }> {
    return this.db.tx(input.tenantId, (tx) => this.run(tx, input));
  }

  private async run(tx: TenantTx, input: TwilioStatusInput): Promise<{ changed: boolean; messageId: string | null }> {
    const sid = param(input.params, 'MessageSid') ?? param(input.params, 'SmsSid');
    const incoming = (param(input.params, 'MessageStatus') ?? param(input.params, 'SmsStatus') ?? '').trim().toLowerCase();
    const errorCode = param(input.params, 'ErrorCode')?.trim() || null;
    if (!sid || !isTwilioMessageStatus(incoming)) return { changed: false, messageId: null };

    const repo = tx.repo(MessageEntity);
    let rows = await tx.query<{ id: string }>(
      `SELECT id FROM messages
       WHERE tenant_id = $1 AND provider = 'twilio' AND provider_id = $2 AND direction = 'out'
       FOR UPDATE`,
      [tx.tenantId, sid],
    );
    if (rows.length === 0 && input.messageId && isUuid(input.messageId)) {
      rows = await tx.query<{ id: string }>(
        `SELECT id FROM messages
         WHERE tenant_id = $1 AND id = $2 AND provider = 'twilio' AND direction = 'out' AND provider_id IS NULL
         FOR UPDATE`,
        [tx.tenantId, input.messageId],
      );
    }
    const id = rows[0]?.id;
    if (!id) return { changed: false, messageId: null };
    const message = await repo.findOne({ id });
    if (!message) return { changed: false, messageId: null };

    // Our own 'sending' (the crash marker, no SID yet) is not Twilio's 'sending': any report replaces it.
    const current = message.providerId === null ? null : message.status;
    const next = applyStatusCallback({ status: current, errorCode: message.errorCode }, { status: incoming, errorCode });
    const now = this.clock.now();
    const stored = next.changed && next.status ? (STORED[next.status] ?? message.status) : message.status;
    const changed = stored !== message.status || message.providerId === null;
    if (changed) {
      await repo.update(
        { id },
        {
          status: stored,
          providerId: sid,
          ...(next.changed ? { errorCode: next.errorCode, errorMessage: next.errorCode ? `Twilio error ${next.errorCode}` : null } : {}),
          updatedAt: now,
        },
      );
      tx.emit(
        'message.status_changed',
        {
          messageId: id,
          person: personOf(message),
          channel: 'sms',
          direction: 'out',
          status: stored,
          previousStatus: message.status,
          errorCode: next.changed ? next.errorCode : message.errorCode,
          followUpId: message.followUpId,
        },
        { kind: 'system' },
      );
    }
    const person = personOf(message);
    if (person && errorCode === '21610') {
      await this.consent.change(tx, person, { channel: 'sms', status: 'opted_out', source: 'provider_error', messageId: id, actor: { kind: 'system' } });
    }
    return { changed, messageId: id };
  }
}
