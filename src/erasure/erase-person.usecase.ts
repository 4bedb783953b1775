import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { Clock } from '../common/clock';
import { suppress } from '../people/suppressions';
import type { SuppressionKind } from '../people/suppressions';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid } from '../database/tenant-id';
import type { TenantId } from '../database/tenant-id';
import { personEvents } from '../people/person-events';
import type { PersonRef } from '../people/person-ref';

export const ERASED_NAME = 'Erased person';
const ERASED = '[erased]';

export interface ErasureResult {
  id: string;
  erasedAt: Date;
  /** Pending follow-ups that were cancelled. */
  cancelledFollowUps: number;
  /** What the suppression list now holds for this person (as hashes only). */
  suppressed: SuppressionKind[];
  /** Messages whose content was removed. */
  messagesScrubbed: number;
}

type Person = PersonRef;

/**
 * Erases a person on request (SPEC "Erasure"), in ONE transaction under RLS:
 *   1. suppressions: SHA-256 of their normalised email and phone (so no create, upsert or import
 *      can bring them back; see people/suppressions.ts);
 *   2. the person: name 'Erased person', email, phone, zone, channel, external id (and a contact's
 *      company and title) removed; erased_at set; a candidate becomes inactive;
 *   3. messages to, from or about them (their follow-ups' messages too: those name them): body,
 *      subject, addresses, provider error text and In-Reply-To removed; open replies → handled;
 *   4. follow-ups: pending ones cancelled ("the person was erased"); one-off texts, and reasons
 *      (a call task's reason carries the name and number), removed, with their attempts' reasons;
 *   5. activities: summaries removed;
 *   6. stored event payloads (the webhook outbox) and stored idempotent answers that still carry
 *      the name, email or phone have those values replaced;
 *   7. consents (and their history) stay as facts: who, which channel, when, from where; no PII;
 *   8. the audit log: the values (never the keys) of the entries about them are redacted, and each
 *      redaction is recorded (audit_redact_person).
 * Rows keep their ids, kinds, directions, channels, statuses and times: the timeline keeps its
 * shape without the content. Erasing twice changes nothing more.
 */
@Injectable()
export class ErasePersonUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  execute(tenantId: TenantId, person: Person, actor: { kind: 'user' | 'api_key'; id: string }): Promise<ErasureResult> {
    const now = this.clock.now();
    const label = person.type === 'candidate' ? 'Candidate' : 'Contact';
    if (!isUuid(person.id)) throw AppException.notFound(label);
    return this.db.tx(tenantId, async (tx) => {
      const table = person.type === 'candidate' ? 'candidates' : 'contacts';
      const rows = await tx.query<{ name: string; email: string | null; phone: string | null; external_id: string | null; erased_at: Date | null }>(
        `SELECT name, email, phone, external_id, erased_at FROM ${table} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
        [tx.tenantId, person.id],
      );
      const found = rows[0];
      if (!found) throw AppException.notFound(label);
      const suppressed = await suppress(tx, found, now);
      const erasedAt = found.erased_at ?? now;
      await tx.query(
        person.type === 'candidate'
          ? `UPDATE candidates SET name = $3, email = NULL, phone = NULL, time_zone = NULL, preferred_channel = NULL,
                    external_id = NULL, status = 'inactive', erased_at = $4, updated_at = $5
             WHERE tenant_id = $1 AND id = $2`
          : `UPDATE contacts SET name = $3, email = NULL, phone = NULL, time_zone = NULL, preferred_channel = NULL,
                    external_id = NULL, company = NULL, title = NULL, erased_at = $4, updated_at = $5
             WHERE tenant_id = $1 AND id = $2`,
        [tx.tenantId, person.id, ERASED_NAME, erasedAt, now],
      );
      const col = person.type === 'candidate' ? 'candidate_id' : 'contact_id';
      const recipientCol = person.type === 'candidate' ? 'recipient_candidate_id' : 'recipient_contact_id';
      const aboutThem = person.type === 'candidate' ? `(f.${recipientCol} = $2 OR f.candidate_id = $2)` : `f.${recipientCol} = $2`;

      const cancelled = await tx.query<{ id: string; rule: string }>(
        `WITH cancelled AS (
           UPDATE follow_ups f SET status = 'cancelled', reason = 'the person was erased', lease_until = NULL, claimed_by = NULL, updated_at = $3
           WHERE f.tenant_id = $1 AND ${aboutThem} AND f.status IN ('planned', 'awaiting_approval')
           RETURNING f.id, f.rule)
         SELECT id, rule FROM cancelled`,
        [tx.tenantId, person.id, now],
      );
      const messages = await tx.query<{ id: string }>(
        `WITH scrubbed AS (UPDATE messages m SET body = NULL, subject = NULL, from_address = NULL, to_address = NULL, error_message = NULL,
                in_reply_to = NULL, reply_state = CASE WHEN m.reply_state = 'open' THEN 'handled' ELSE m.reply_state END, updated_at = $3
         WHERE m.tenant_id = $1
           AND (m.${col} = $2
                OR m.follow_up_id IN (SELECT f.id FROM follow_ups f WHERE f.tenant_id = $1 AND ${aboutThem})
                OR (m.candidate_id IS NULL AND m.contact_id IS NULL
                    AND (lower(m.from_address) = lower($4) OR m.from_address = $5 OR lower(m.to_address) = lower($4) OR m.to_address = $5)))
           AND (m.body IS NOT NULL OR m.subject IS NOT NULL OR m.from_address IS NOT NULL OR m.to_address IS NOT NULL)
         RETURNING m.id) SELECT id FROM scrubbed`,
        [tx.tenantId, person.id, now, found.email ?? '', found.phone ?? ''],
      );
      await tx.query(
        `UPDATE follow_up_attempts a SET reason = NULL
         WHERE a.tenant_id = $1 AND a.reason IS NOT NULL AND a.follow_up_id IN (SELECT f.id FROM follow_ups f WHERE f.tenant_id = $1 AND ${aboutThem})`,
        [tx.tenantId, person.id],
      );
      await tx.query(
        `UPDATE follow_ups f SET subject = NULL, body = NULL,
                reason = CASE WHEN f.status = 'cancelled' AND f.reason = 'the person was erased' THEN f.reason ELSE NULL END, updated_at = $3
         WHERE f.tenant_id = $1 AND ${aboutThem} AND (f.subject IS NOT NULL OR f.body IS NOT NULL OR f.reason IS NOT NULL)`,
        [tx.tenantId, person.id, now],
      );
      await tx.query(`UPDATE activities SET summary = NULL, updated_at = $3 WHERE tenant_id = $1 AND ${col} = $2 AND summary IS NOT NULL`, [tx.tenantId, person.id, now]);
      // Bounces (issue 16): the address and the remote server's words are theirs.
      await tx.query(`DELETE FROM email_undeliverable WHERE tenant_id = $1 AND ${col} = $2`, [tx.tenantId, person.id]);
      await tx.query(
        `UPDATE email_delivery_events SET address = '[erased]', diagnostic = NULL
         WHERE tenant_id = $1 AND (${col} = $2 OR lower(address) = lower($3)) AND address <> '[erased]'`,
        [tx.tenantId, person.id, found.email ?? ''],
      );
      await scrubStoredJson(tx, [found.email, found.phone, found.name]);
      // The audit trail keeps who changed what and when, but not the erased person's values: only
      // the entries about them (their row, and rows that referred to them), values only, each
      // redaction recorded in audit_redactions (migration audit-redactions).
      await tx.query('SELECT audit_redact_person($1::uuid, $2::text[])', [person.id, [found.name, found.email, found.phone, found.external_id].filter((v) => v !== null && v !== ERASED_NAME)]);

      for (const c of cancelled) tx.emit('follow_up.cancelled', { followUpId: c.id, rule: c.rule, reason: 'the person was erased' }, actor);
      personEvents.updated(tx, person, ['name', 'email', 'phone', 'erasedAt'], actor);
      personEvents.erased(tx, person, actor);
      return { id: person.id, erasedAt, cancelledFollowUps: cancelled.length, suppressed, messagesScrubbed: messages.length };
    });
  }
}

/**
 * Stored JSON that may quote the person: the webhook outbox's and the reactions' event payloads (a
 * message.received carries the sender's number) and stored idempotent answers (a create's response). The values are
 * replaced inside the JSON text; a value with characters JSON escapes (quotes, backslashes,
 * control characters) cannot appear verbatim there and is skipped.
 */
async function scrubStoredJson(tx: TenantTx, values: (string | null)[]): Promise<void> {
  const safe = values.filter((v): v is string => typeof v === 'string' && v.length >= 3 && v !== ERASED_NAME && !/["\\\u0000-\u001f]/.test(v));
  if (safe.length === 0) return;
  const targets: [string, string, string][] = [
    ['outbox_events', 'payload', 'jsonb'],
    ['idempotency_keys', 'response_body', 'jsonb'],
    ['reactions', 'payload', 'jsonb'],
  ];
  for (const [table, column] of targets) {
    const exists = await tx.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [table]);
    if (!exists[0]?.ok) continue;
    let expr = `${column}::text`;
    const params: unknown[] = [tx.tenantId];
    const likes: string[] = [];
    for (const v of safe) {
      params.push(v);
      expr = `replace(${expr}, $${params.length}, '${ERASED}')`;
      likes.push(`strpos(${column}::text, $${params.length}) > 0`);
    }
    await tx.query(`UPDATE ${table} SET ${column} = (${expr})::jsonb WHERE tenant_id = $1 AND ${column} IS NOT NULL AND (${likes.join(' OR ')})`, params);
  }
}
