import { Injectable } from '@nestjs/common';
import { AppException } from '../../common/app.exception';
import { Clock } from '../../common/clock';
import { TenantDb } from '../../database/tenant-db.service';
import { isUuid } from '../../database/tenant-id';
import type { TenantId } from '../../database/tenant-id';
import type { ReactionPage, ReactionQueryDto, ReactionView } from './reaction.dto';
import { ReactionRunner } from './reaction-runner';

interface Row {
  id: string;
  seq: string;
  reaction: string;
  event_type: string;
  event_id: string;
  payload: unknown;
  actor_kind: string | null;
  actor_id: string | null;
  occurred_at: Date;
  status: string;
  attempts: number;
  last_error: string | null;
  last_error_at: Date | null;
  next_attempt_at: Date;
  done_at: Date | null;
}

const STATE_SQL: Record<NonNullable<ReactionQueryDto['state']>, string> = {
  open: `status <> 'done'`,
  failing: `status = 'pending'`,
  dead: `status = 'dead'`,
  done: `status = 'done'`,
};

/**
 * The admins' view of reactions that failed where their change was made: the error, the change
 * it belongs to, the retries, and a retry now.
 *
 *   SELECT … FROM reactions WHERE tenant_id = $1 AND status <> 'done' [AND seq > $cursor]
 *   ORDER BY seq LIMIT $limit + 1                              -- reactions_open_idx
 */
@Injectable()
export class ReactionsService {
  constructor(
    private readonly db: TenantDb,
    private readonly runner: ReactionRunner,
    private readonly clock: Clock,
  ) {}

  async list(tenantId: TenantId, q: ReactionQueryDto): Promise<ReactionPage> {
    const limit = q.limit ?? 50;
    const after = q.cursor ? decodeSeq(q.cursor) : '0';
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<Row>(
        `SELECT id, seq::text AS seq, reaction, event_type, event_id, payload, actor_kind, actor_id, occurred_at, status, attempts,
                last_error, last_error_at, next_attempt_at, done_at
         FROM reactions WHERE tenant_id = $1 AND ${STATE_SQL[q.state ?? 'open']} AND seq > $2::bigint
         ORDER BY seq LIMIT $3`,
        [tenantId, after, limit + 1],
      ),
    );
    const page = rows.slice(0, limit);
    return { items: page.map(viewOf), nextCursor: rows.length > limit ? encodeSeq(page[page.length - 1]!.seq) : null };
  }

  /** Runs a failing or dead reaction now, and answers it as it then stands. */
  async retry(tenantId: TenantId, id: string): Promise<ReactionView> {
    if (!isUuid(id)) throw AppException.notFound('Reaction');
    const now = this.clock.now();
    const found = await this.db.tx(tenantId, (tx) =>
      tx.query<{ status: string }>(
        `WITH r AS (
           UPDATE reactions SET status = CASE WHEN status = 'dead' THEN 'pending' ELSE status END,
                  attempts = CASE WHEN status = 'dead' THEN 0 ELSE attempts END, next_attempt_at = $3
           WHERE tenant_id = $1 AND id = $2 RETURNING status)
         SELECT status FROM r`,
        [tenantId, id, now],
      ),
    );
    if (found.length === 0) throw AppException.notFound('Reaction');
    if (found[0]!.status === 'pending') await this.runner.runOne(tenantId, id);
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<Row>(
        `SELECT id, seq::text AS seq, reaction, event_type, event_id, payload, actor_kind, actor_id, occurred_at, status, attempts,
                last_error, last_error_at, next_attempt_at, done_at
         FROM reactions WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      ),
    );
    return viewOf(rows[0]!);
  }
}

function viewOf(r: Row): ReactionView {
  return {
    id: r.id,
    reaction: r.reaction,
    eventType: r.event_type,
    eventId: r.event_id,
    change: r.payload,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    occurredAt: r.occurred_at,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    nextAttemptAt: r.next_attempt_at,
    doneAt: r.done_at,
  };
}

function encodeSeq(seq: string): string {
  return Buffer.from(`r:${seq}`).toString('base64url');
}

function decodeSeq(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^r:(\d{1,18})$/.exec(raw);
  if (!m) throw AppException.validation([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
  return m[1]!;
}
