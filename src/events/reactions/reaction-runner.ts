import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Actor } from '../../auth/principal';
import { Clock } from '../../common/clock';
import { isDatabaseUnavailable } from '../../common/db-errors';
import { requestContext } from '../../common/request-context';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantTx } from '../../database/tenant-db.service';
import { isUuid } from '../../database/tenant-id';
import type { TenantId } from '../../database/tenant-id';
import { MetricsService } from '../../metrics/metrics.service';
import { DomainEventBus } from '../domain-event-bus';
import type { Reaction, ReactionSettler } from '../domain-event-bus';
import type { AnyDomainEvent } from '../domain-events';
import { MAX_REACTION_ATTEMPTS, reactionRetryDelayMs, writeFailedReaction } from './reaction-store';
import { describeError } from '../../common/describe-error';

export type ReactionOutcome = 'done' | 'failed' | 'dead' | 'skipped';

interface ReactionRow {
  id: string;
  event_id: string;
  event_type: string;
  reaction: string;
  payload: unknown;
  actor_kind: Actor['kind'] | null;
  actor_id: string | null;
  occurred_at: Date;
  attempts: number;
}

/**
 * Runs reactions (src/events/domain-event-bus.ts).
 *
 * settle(): before a tenant transaction commits, each reaction to each of its events (and to
 * the events those reactions emit) runs inside it, in a savepoint, as the system (the audit log
 * attributes to a user only what the user did). A reaction that throws is rolled back to its
 * savepoint, with the events it queued, and is written as a `reactions` row (pending, the error,
 * the next attempt's time) that commits with the change: nothing the change calls for is lost,
 * and the change itself is not refused because a reaction failed.
 *
 * runOne(): the reaction worker's retry of such a row (and an admin's): one transaction that locks
 * the row (FOR UPDATE SKIP LOCKED: a row another process is retrying is passed over), runs the
 * handler, and marks the row done, so its writes commit exactly once. A throw rolls it all back;
 * the failure is recorded with the new error and backoff, until MAX_REACTION_ATTEMPTS make it
 * dead (admins see both, and can retry).
 */
@Injectable()
export class ReactionRunner implements ReactionSettler, OnModuleInit {
  private readonly logger = new Logger(ReactionRunner.name);

  constructor(
    private readonly db: TenantDb,
    private readonly bus: DomainEventBus,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.bus.useSettler(this);
  }

  async settle(tx: TenantTx): Promise<void> {
    // Reactions may emit events (a cancelled follow-up, a confirmed interview): those are settled
    // too. Events of one type queued one after the other form a run; a reaction that handles
    // several at once gets the run together.
    let i = 0;
    while (i < tx.events.length) {
      const type = tx.events[i]!.type;
      let j = i + 1;
      while (j < tx.events.length && tx.events[j]!.type === type) j += 1;
      const run = tx.events.slice(i, j);
      i = j;
      const reactions = new Map<string, { reaction: Reaction; events: AnyDomainEvent[] }>();
      for (const event of run) {
        for (const reaction of this.bus.reactionsTo(event)) {
          const entry = reactions.get(reaction.name) ?? { reaction, events: [] };
          entry.events.push(event);
          reactions.set(reaction.name, entry);
        }
      }
      for (const { reaction, events } of reactions.values()) {
        if (reaction.batch && events.length > 1) {
          // All at once; should that fail, one by one, so one bad event keeps only itself back.
          if (await this.runInside(tx, reaction, events, (t) => reaction.batch!(events, t), false)) continue;
        }
        for (const event of events) await this.runInside(tx, reaction, [event], (t) => reaction.handler(event, t), true);
      }
    }
  }

  /**
   * Runs `work` in a savepoint, as the system. On a throw: rolled back to the savepoint with what
   * it queued, and (when `keep`) the events kept as failed reaction rows. Answers whether it ran.
   */
  private async runInside(tx: TenantTx, reaction: Reaction, events: readonly AnyDomainEvent[], work: (tx: TenantTx) => Promise<void>, keep: boolean): Promise<boolean> {
    const mark = tx.mark();
    const actor = auditedActor(tx.actor);
    // One round trip each way (the simple protocol takes several statements without parameters).
    await tx.manager.query(actor ? `SAVEPOINT reaction; SELECT set_config('app.actor_kind', '', true), set_config('app.actor_id', '', true)` : 'SAVEPOINT reaction');
    try {
      await this.db.joining(tx, () => work(tx));
      await tx.manager.query(
        actor ? `RELEASE SAVEPOINT reaction; SELECT set_config('app.actor_kind', '${actor.kind}', true), set_config('app.actor_id', '${actor.id}', true)` : 'RELEASE SAVEPOINT reaction',
      );
      return true;
    } catch (err) {
      // The connection or the database is gone: the whole change fails, and nothing of it commits.
      if (isDatabaseUnavailable(err)) throw err;
      // Rolling back to the savepoint also restores the actor settings.
      await tx.manager.query('ROLLBACK TO SAVEPOINT reaction; RELEASE SAVEPOINT reaction');
      tx.rewind(mark);
      if (!keep) return false;
      for (const event of events) {
        this.failed(tx.tenantId, reaction.name, event.type, err);
        const now = this.clock.now();
        await writeFailedReaction((sql, params) => tx.manager.query(sql, params), tx.tenantId, event, reaction.name, {
          error: errorText(err),
          at: now,
          nextAttemptAt: new Date(now.getTime() + reactionRetryDelayMs(1)),
        });
      }
      return false;
    }
  }

  /** A stored reaction, by the worker or by an admin's retry. */
  async runOne(tenantId: TenantId, id: string): Promise<ReactionOutcome> {
    let row: ReactionRow | undefined;
    try {
      // A reaction is the system's doing: no actor in the audit trail.
      return await requestContext.run({}, () =>
        this.db.unit(tenantId, async (tx) => {
          const rows = await tx.query<ReactionRow>(
            `SELECT id, event_id, event_type, reaction, payload, actor_kind, actor_id, occurred_at, attempts
             FROM reactions WHERE tenant_id = $1 AND id = $2 AND status = 'pending'
             FOR UPDATE SKIP LOCKED`,
            [tenantId, id],
          );
          row = rows[0];
          if (!row) return 'skipped' as const;
          const reaction = this.bus.reaction(row.event_type, row.reaction);
          if (!reaction) throw new Error(`this build has no reaction "${row.reaction}" to ${row.event_type}`);
          await reaction.handler(eventOf(tenantId, row), tx);
          await tx.query(`UPDATE reactions SET status = 'done', attempts = attempts + 1, done_at = $3 WHERE tenant_id = $1 AND id = $2`, [tenantId, id, this.clock.now()]);
          return 'done' as const;
        }),
      );
    } catch (err) {
      if (isDatabaseUnavailable(err)) return 'failed';
      return this.recordFailure(tenantId, id, row, err);
    }
  }

  private async recordFailure(tenantId: TenantId, id: string, row: ReactionRow | undefined, err: unknown): Promise<ReactionOutcome> {
    this.failed(tenantId, row?.reaction ?? 'unknown', row?.event_type ?? 'unknown', err);
    const now = this.clock.now();
    const attempts = (row?.attempts ?? 0) + 1;
    try {
      await requestContext.run({}, () =>
        this.db.tx(tenantId, (tx) =>
          tx.query(
            `UPDATE reactions SET attempts = attempts + 1, last_error = left($3, 2000), last_error_at = $4,
                    next_attempt_at = $5, status = CASE WHEN attempts + 1 >= $6 THEN 'dead' ELSE 'pending' END
             WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`,
            [tenantId, id, errorText(err), now, new Date(now.getTime() + reactionRetryDelayMs(attempts)), MAX_REACTION_ATTEMPTS],
          ),
        ),
      );
    } catch (recordErr) {
      // Not recorded: the row stays pending with its next_attempt_at; the worker retries it.
      if (!isDatabaseUnavailable(recordErr)) this.logger.error({ err: recordErr, reactionId: id }, 'could not record a reaction failure');
    }
    return attempts >= MAX_REACTION_ATTEMPTS ? 'dead' : 'failed';
  }

  private failed(tenantId: TenantId, reaction: string, eventType: string, err: unknown): void {
    this.metrics.reactionFailures.inc({ reaction, event_type: eventType });
    this.logger.error({ err, tenantId, reaction, eventType }, `reaction ${reaction} to ${eventType} failed; it is kept and retried`);
  }
}

/** The actor the audit trail records for this transaction, if it records one (a user or an API key). */
function auditedActor(actor: Actor | undefined): { kind: 'user' | 'api_key'; id: string } | null {
  if (!actor || (actor.kind !== 'user' && actor.kind !== 'api_key') || !isUuid(actor.id)) return null;
  return { kind: actor.kind, id: actor.id };
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : describeError(err);
}

/** The stored event, as the handler gets it (the payload is what TenantTx.emit stored as JSON). */
function eventOf(tenantId: TenantId, row: ReactionRow): AnyDomainEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    tenantId,
    occurredAt: row.occurred_at,
    actor: row.actor_kind ? { kind: row.actor_kind, ...(row.actor_id ? { id: row.actor_id } : {}) } : undefined,
    payload: row.payload,
  } as AnyDomainEvent;
}
