import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../common/clock';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantTx } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import type { OutboundResult } from '../../messaging/outbound.types';
import type { Channel } from '../../messaging/domain/channel';
import { FollowUpAttemptEntity, FollowUpEntity } from '../follow-up.entity';
import { MAX_ATTEMPTS, retryDelayMs } from './backoff';

export type ExecutionOutcome =
  | 'sent'
  | 'retry'
  | 'failed'
  | 'unknown'
  | 'skipped'
  | 'deferred'
  /** Claimed ahead of its sender slot: it stays claimed and goes out at the slot (a continuation). */
  | 'paced'
  | 'cancelled'
  | 'task'
  | 'lost_lease'
  | 'error';

/** How a claim ends without a send. */
export interface Finish {
  status: FollowUpEntity['status'];
  outcome: ExecutionOutcome;
  reason: string;
  dueAt?: Date;
  kind?: 'task';
  channel?: 'phone';
  /** A deferral for the sender's rate or the daily cap is not a delivery attempt. */
  keepAttempt?: boolean;
  rateSlotAt?: Date;
}

/**
 * Records how a claimed follow-up ended: the row's new status (guarded by the claim, so a lost
 * lease records nothing), one follow_up_attempts row per attempt, and the terminal event
 * (follow_up.sent|failed|skipped|cancelled, whose reactions plan what follows: a nudge, a
 * referral update, a new check-in period).
 */
@Injectable()
export class AttemptRecorder {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  /**
   * Ends these claims without sending, in one statement for the rows and one for the attempts.
   * Answers each row's outcome (in order), `lost_lease` where the claim is gone.
   *   UPDATE follow_ups f SET status = v.status, reason = v.reason, … FROM unnest(…) v
   *   WHERE f.tenant_id = $1 AND f.id = v.id AND f.status = 'sending' AND f.claimed_by = $2 RETURNING f.id
   */
  async finish(tenantId: TenantId, worker: string, items: readonly { row: FollowUpEntity; change: Finish }[]): Promise<ExecutionOutcome[]> {
    if (items.length === 0) return [];
    const now = this.clock.now();
    const changed = await this.db.tx(tenantId, async (tx) => {
      const ids = await tx.query<{ id: string }>(
        `WITH v AS (
           SELECT * FROM unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::int[], $10::timestamptz[])
             AS v(id, status, reason, due_at, kind, channel, attempts, rate_slot_at)),
         u AS (
           UPDATE follow_ups f SET status = v.status, reason = v.reason, lease_until = NULL, claimed_by = NULL, updated_at = $11,
                  due_at = coalesce(v.due_at, f.due_at), kind = coalesce(v.kind, f.kind), channel = coalesce(v.channel, f.channel),
                  attempts = coalesce(v.attempts, f.attempts), rate_slot_at = v.rate_slot_at
           FROM v WHERE f.tenant_id = $1 AND f.id = v.id AND f.status = 'sending' AND f.claimed_by = $2
           RETURNING f.id)
         SELECT id FROM u`,
        [
          tenantId,
          worker,
          items.map((i) => i.row.id),
          items.map((i) => i.change.status),
          items.map((i) => i.change.reason),
          items.map((i) => i.change.dueAt ?? null),
          items.map((i) => i.change.kind ?? null),
          items.map((i) => i.change.channel ?? null),
          // A deferral (window, rate, cap) is not a delivery attempt: the claim's count is given back.
          items.map((i) => (i.change.keepAttempt || i.change.outcome === 'deferred' ? Math.max(0, i.row.attempts - 1) : null)),
          items.map((i) => i.change.rateSlotAt ?? null),
          now,
        ],
      );
      const done = new Set(ids.map((r) => r.id));
      const ended = items.filter((i) => done.has(i.row.id));
      await this.attempts(
        tx,
        ended.map((i) => ({ row: i.row, outcome: i.change.outcome, detail: { reason: i.change.reason } })),
      );
      for (const i of ended) this.emitTerminal(tx, i.row, i.change.status, i.change.reason);
      return done;
    });
    return items.map((i) => (changed.has(i.row.id) ? i.change.outcome : 'lost_lease'));
  }

  /**
   * The providers' answers for sends that started: sent, retry with backoff, failed, unknown, or
   * re-routed; one statement for the rows and one for the attempts. Outcomes in order.
   */
  async record(tenantId: TenantId, items: readonly { row: FollowUpEntity; channel: Channel; result: OutboundResult }[]): Promise<ExecutionOutcome[]> {
    if (items.length === 0) return [];
    const now = this.clock.now();
    const decided = items.map(({ row, channel, result }) => ({ row, channel, result, ...decide(row, result, now) }));
    return this.db.tx(tenantId, async (tx) => {
      await tx.query(
        `UPDATE follow_ups f SET status = v.status, reason = v.reason, error_code = v.error_code, channel = v.channel,
                message_id = v.message_id, lease_until = NULL, claimed_by = NULL, updated_at = $2,
                sent_at = CASE WHEN v.status = 'sent' THEN $2 ELSE f.sent_at END,
                due_at = coalesce(v.due_at, f.due_at),
                send_started_at = CASE WHEN v.status = 'planned' THEN NULL ELSE f.send_started_at END
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::timestamptz[])
           AS v(id, status, reason, error_code, channel, message_id, due_at)
         WHERE f.tenant_id = $1 AND f.id = v.id`,
        [
          tenantId,
          now,
          decided.map((d) => d.row.id),
          decided.map((d) => d.status),
          decided.map((d) => d.reason),
          decided.map((d) => d.errorCode),
          decided.map((d) => d.rerouted ? null : d.channel),
          decided.map((d) => d.result.messageId),
          decided.map((d) => d.dueAt),
        ],
      );
      await this.attempts(
        tx,
        decided.map((d) => {
          const o = d.result.outcome;
          return {
            row: d.row,
            outcome: d.outcome,
            detail: { channel: d.channel, code: 'code' in o ? (o.code ?? null) : null, reason: 'reason' in o ? o.reason : null, messageId: d.result.messageId },
          };
        }),
      );
      for (const d of decided) this.emitTerminal(tx, d.row, d.status, d.reason);
      return decided.map((d) => d.outcome);
    });
  }

  /** One follow_up_attempts row per attempt, in one statement. */
  private async attempts(
    tx: TenantTx,
    items: readonly { row: FollowUpEntity; outcome: ExecutionOutcome; detail: { channel?: string | null; code?: string | null; reason?: string | null; messageId?: string | null } }[],
  ): Promise<void> {
    const at = this.clock.now();
    await tx.repo(FollowUpAttemptEntity).insertMany(
      items.map(({ row, outcome, detail }) => ({
        id: randomUUID(),
        followUpId: row.id,
        attempt: row.attempts,
        outcome: outcome === 'lost_lease' || outcome === 'error' ? 'failed' : outcome,
        channel: detail.channel ?? null,
        code: detail.code ?? null,
        reason: detail.reason ?? null,
        messageId: detail.messageId ?? null,
        at,
      })),
    );
  }

  private emitTerminal(tx: TenantTx, row: FollowUpEntity, status: FollowUpEntity['status'], reason: string | null): void {
    const payload = { followUpId: row.id, rule: row.rule, reason };
    if (status === 'sent') tx.emit('follow_up.sent', payload, { kind: 'system' });
    else if (status === 'failed') tx.emit('follow_up.failed', payload, { kind: 'system' });
    else if (status === 'skipped') tx.emit('follow_up.skipped', payload, { kind: 'system' });
    else if (status === 'cancelled') tx.emit('follow_up.cancelled', payload, { kind: 'system' });
  }
}

/** What a provider's answer makes of a follow-up. */
function decide(
  row: FollowUpEntity,
  result: OutboundResult,
  now: Date,
): { outcome: ExecutionOutcome; status: FollowUpEntity['status']; reason: string | null; errorCode: string | null; dueAt: Date | null; rerouted: boolean } {
  const o = result.outcome;
  switch (o.kind) {
    case 'sent':
      return { outcome: 'sent', status: 'sent', reason: o.simulated ? 'simulated: no provider is configured' : null, errorCode: null, dueAt: null, rerouted: false };
    case 'retryable':
      if (row.attempts >= MAX_ATTEMPTS) {
        return { outcome: 'failed', status: 'failed', reason: `gave up after ${row.attempts} attempts: ${o.reason}`, errorCode: o.code ?? null, dueAt: null, rerouted: false };
      }
      return {
        outcome: 'retry',
        status: 'planned',
        reason: `retrying: ${o.reason}`,
        errorCode: o.code ?? null,
        dueAt: new Date(now.getTime() + (o.retryAfterMs ?? retryDelayMs(row.attempts))),
        rerouted: false,
      };
    case 'permanent':
      return { outcome: 'failed', status: 'failed', reason: o.reason, errorCode: o.code ?? null, dueAt: null, rerouted: false };
    case 'unknown':
      return { outcome: 'unknown', status: 'unknown', reason: o.reason, errorCode: o.code ?? null, dueAt: null, rerouted: false };
    case 'blocked':
      // Consent changed between the channel choice and the send: choose again right away.
      return row.attempts >= MAX_ATTEMPTS
        ? { outcome: 'skipped', status: 'skipped', reason: o.reason, errorCode: null, dueAt: null, rerouted: false }
        : { outcome: 'retry', status: 'planned', reason: `re-routing: ${o.reason}`, errorCode: null, dueAt: now, rerouted: true };
  }
}
