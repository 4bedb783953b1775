import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { decodeCursor, encodeCursor } from '../common/pagination';
import { TenantDb } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import { personColumn } from './domain/person';
import type { PersonRef } from './outbound.types';
import { findLivePerson, LIVE_PEOPLE_SQL } from '../people/people-directory';

export interface ConversationPerson {
  type: PersonRef['type'];
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  timeZone: string | null;
}

export interface ConversationRow {
  person: ConversationPerson;
  lastMessageAt: Date;
  /** Inbound messages nobody has answered or marked handled. */
  openReplies: number;
  oldestOpenReplyAt: Date | null;
  last: { id: string; direction: 'in' | 'out'; channel: 'email' | 'sms'; subject: string | null; body: string | null; rule: string | null };
}

export interface ThreadMessage {
  id: string;
  direction: 'in' | 'out';
  channel: 'email' | 'sms';
  status: string;
  subject: string | null;
  body: string | null;
  replyState: string | null;
  followUpId: string | null;
  /** The follow-up's rule when the message was sent by one: a playbook rule (automated) or 'one_off'. */
  rule: string | null;
  /** Who wrote a one-off message. */
  authorName: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
}

const THREAD_LIMIT = 200;

/**
 * Conversations: a firm's messages grouped by the person they are with (SMS and email in one
 * thread). Unknown senders (unmatched inbound) have no person and are not a conversation.
 * Read-only; the writes stay with the messaging services.
 */
@Injectable()
export class ConversationsQuery {
  constructor(private readonly db: TenantDb) {}

  /**
   * One page of conversations: those with open replies first, longest waiting first; then the
   * rest, most recent first. The order is one ascending key (rank, k, person id) so the cursor is
   * a plain keyset position: k is the oldest open reply's epoch for rank 0, minus the last
   * message's epoch for rank 1.
   *
   *   WITH per AS (SELECT person, max(created_at), min(created_at) FILTER (WHERE reply_state = 'open'), …
   *                FROM messages WHERE tenant_id = $1 AND (candidate_id IS NOT NULL OR contact_id IS NOT NULL)
   *                GROUP BY person)                       -- messages_candidate_idx / messages_contact_idx
   *   SELECT … FROM per JOIN the live person … WHERE (rank, k, id) > cursor ORDER BY rank, k, id LIMIT n + 1
   *
   * It aggregates the firm's messages per request: fine for an inbox of thousands of people; a
   * conversations table maintained on write is the step after that.
   */
  async page(tenantId: TenantId, page: { limit: number; cursor?: string }): Promise<{ items: ConversationRow[]; cursors: string[]; nextCursor: string | null }> {
    const position = decodeCursor(page.cursor);
    let after: { rank: number; k: number; id: string } | undefined;
    if (position) {
      const [rank, k] = position.k.split(':').map(Number);
      if ((rank !== 0 && rank !== 1) || k === undefined || !Number.isFinite(k) || !isUuid(position.id)) {
        throw AppException.validation([{ field: 'cursor', message: 'is not a cursor from this list' }]);
      }
      after = { rank, k, id: position.id };
    }
    return this.db.tx(tenantId, async (tx) => {
      const rows = await tx.query<{
        person_type: 'candidate' | 'contact';
        person_id: string;
        name: string;
        email: string | null;
        phone: string | null;
        time_zone: string | null;
        last_at: Date;
        open_count: number;
        oldest_open: Date | null;
        rank: number;
        k: string;
        last_id: string;
        last_direction: 'in' | 'out';
        last_channel: 'email' | 'sms';
        last_subject: string | null;
        last_body: string | null;
        last_rule: string | null;
      }>(
        `WITH per AS (
           SELECT CASE WHEN m.candidate_id IS NOT NULL THEN 'candidate' ELSE 'contact' END AS person_type,
                  coalesce(m.candidate_id, m.contact_id) AS person_id,
                  max(m.created_at) AS last_at,
                  count(*) FILTER (WHERE m.reply_state = 'open')::int AS open_count,
                  min(m.created_at) FILTER (WHERE m.reply_state = 'open') AS oldest_open
           FROM messages m
           WHERE m.tenant_id = $1 AND (m.candidate_id IS NOT NULL OR m.contact_id IS NOT NULL)
           GROUP BY 1, 2
         ), ranked AS (
           SELECT per.*, p.name, p.email, p.phone, p.time_zone,
                  CASE WHEN per.oldest_open IS NOT NULL THEN 0 ELSE 1 END AS rank,
                  CASE WHEN per.oldest_open IS NOT NULL THEN extract(epoch FROM per.oldest_open)
                       ELSE -extract(epoch FROM per.last_at) END::float8 AS k
           FROM per
           JOIN ${LIVE_PEOPLE_SQL} p
             ON p.person_type = per.person_type AND p.id = per.person_id
         )
         SELECT r.*, l.id AS last_id, l.direction AS last_direction, l.channel AS last_channel, l.subject AS last_subject,
                left(l.body, 280) AS last_body, f.rule AS last_rule
         FROM ranked r
         CROSS JOIN LATERAL (
           SELECT m.id, m.direction, m.channel, m.subject, m.body, m.follow_up_id FROM messages m
           WHERE m.tenant_id = $1 AND (CASE WHEN r.person_type = 'candidate' THEN m.candidate_id ELSE m.contact_id END) = r.person_id
           ORDER BY m.created_at DESC, m.id DESC LIMIT 1) l
         LEFT JOIN follow_ups f ON f.tenant_id = $1 AND f.id = l.follow_up_id
         WHERE $2::int IS NULL OR (r.rank, r.k, r.person_id) > ($2::int, $3::float8, $4::uuid)
         ORDER BY r.rank, r.k, r.person_id
         LIMIT $5`,
        [tx.tenantId, after?.rank ?? null, after?.k ?? null, after?.id ?? null, page.limit + 1],
      );
      const items = rows.slice(0, page.limit);
      const cursors = items.map((r) => encodeCursor({ k: `${r.rank}:${r.k}`, id: r.person_id }));
      return {
        items: items.map((r) => ({
          person: { type: r.person_type, id: r.person_id, name: r.name, email: r.email, phone: r.phone, timeZone: r.time_zone },
          lastMessageAt: r.last_at,
          openReplies: r.open_count,
          oldestOpenReplyAt: r.oldest_open,
          last: { id: r.last_id, direction: r.last_direction, channel: r.last_channel, subject: r.last_subject, body: r.last_body, rule: r.last_rule },
        })),
        cursors,
        nextCursor: rows.length > page.limit ? (cursors[cursors.length - 1] ?? null) : null,
      };
    });
  }

  /** The live person, or null (unknown, deleted, another tenant's). */
  async person(tenantId: TenantId, ref: PersonRef): Promise<ConversationPerson | null> {
    if (!isUuid(ref.id)) return null;
    return this.db.tx(tenantId, async (tx) => {
      const p = await findLivePerson(tx, ref);
      return p ? { type: ref.type, id: p.ref.id, name: p.name, email: p.email, phone: p.phone, timeZone: p.timeZone } : null;
    });
  }

  /**
   * The person's latest messages, oldest first, with the rule of the follow-up that sent each
   * and the author of a one-off; `earlier` says whether older ones exist (GET /v1/messages has them all).
   *   … FROM messages m LEFT JOIN follow_ups f … LEFT JOIN users u …
   *   WHERE m.tenant_id = $1 AND m.candidate_id = $2 ORDER BY m.created_at DESC, m.id DESC LIMIT 201   -- messages_candidate_idx
   */
  async thread(tenantId: TenantId, ref: PersonRef): Promise<{ messages: ThreadMessage[]; earlier: boolean }> {
    return this.db.tx(tenantId, async (tx) => {
      const rows = await tx.query<{
        id: string;
        direction: 'in' | 'out';
        channel: 'email' | 'sms';
        status: string;
        subject: string | null;
        body: string | null;
        reply_state: string | null;
        follow_up_id: string | null;
        rule: string | null;
        author_name: string | null;
        error_code: string | null;
        error_message: string | null;
        created_at: Date;
      }>(
        `SELECT m.id, m.direction, m.channel, m.status, m.subject, m.body, m.reply_state, m.follow_up_id, f.rule,
                CASE WHEN f.rule = 'one_off' THEN u.name END AS author_name, m.error_code, m.error_message, m.created_at
         FROM messages m
         LEFT JOIN follow_ups f ON f.tenant_id = m.tenant_id AND f.id = m.follow_up_id
         LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = coalesce(m.user_id, f.owner_user_id)
         WHERE m.tenant_id = $1 AND m.${personColumn(ref)} = $2
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT ${THREAD_LIMIT + 1}`,
        [tx.tenantId, ref.id],
      );
      return {
        earlier: rows.length > THREAD_LIMIT,
        messages: rows
          .slice(0, THREAD_LIMIT)
          .reverse()
          .map((r) => ({
            id: r.id,
            direction: r.direction,
            channel: r.channel,
            status: r.status,
            subject: r.subject,
            body: r.body,
            replyState: r.reply_state,
            followUpId: r.follow_up_id,
            rule: r.rule,
            authorName: r.author_name,
            errorCode: r.error_code,
            errorMessage: r.error_message,
            createdAt: r.created_at,
          })),
      };
    });
  }
}
