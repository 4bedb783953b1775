import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantTx } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import type { OutboundResult } from '../../messaging/outbound.types';
import type { Channel } from '../domain/channel';
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

  /** Ends this claim without sending. Answers the outcome, or `lost_lease` when the claim is gone. */
  async finish(tenantId: TenantId, row: FollowUpEntity, worker: string, change: Finish): Promise<ExecutionOutcome> {
    const now = this.clock.now();
    const changed = await this.db.tx(tenantId, async (tx) => {
      const patch: Partial<FollowUpEntity> = {
        status: change.status,
        reason: change.reason,
        leaseUntil: null,
        claimedBy: null,
        updatedAt: now,
        rateSlotAt: change.rateSlotAt ?? null,
      };
      if (change.dueAt) patch.dueAt = change.dueAt;
      if (change.kind) patch.kind = change.kind;
      if (change.channel) patch.channel = change.channel;
      if (change.keepAttempt || change.outcome === 'deferred') patch.attempts = Math.max(0, row.attempts - 1);
      const n = await tx.repo(FollowUpEntity).update({ id: row.id, status: 'sending', claimedBy: worker }, patch);
      if (n === 0) return 0;
      await this.attempt(tx, row, change.outcome, { reason: change.reason });
      this.emitTerminal(tx, row, change.status, change.reason);
      return n;
    });
    return changed === 0 ? 'lost_lease' : change.outcome;
  }

  /** The provider's answer for a send that started: sent, retry with backoff, failed, unknown, or re-routed. */
  async record(tenantId: TenantId, row: FollowUpEntity, channel: Channel, result: OutboundResult): Promise<ExecutionOutcome> {
    const now = this.clock.now();
    const o = result.outcome;
    return this.db.tx(tenantId, async (tx) => {
      const base: Partial<FollowUpEntity> = { leaseUntil: null, claimedBy: null, updatedAt: now, channel, messageId: result.messageId };
      let outcome: ExecutionOutcome;
      let patch: Partial<FollowUpEntity>;
      switch (o.kind) {
        case 'sent':
          outcome = 'sent';
          patch = { ...base, status: 'sent', sentAt: now, reason: o.simulated ? 'simulated: no provider is configured' : null, errorCode: null };
          break;
        case 'retryable':
          if (row.attempts >= MAX_ATTEMPTS) {
            outcome = 'failed';
            patch = { ...base, status: 'failed', reason: `gave up after ${row.attempts} attempts: ${o.reason}`, errorCode: o.code ?? null };
          } else {
            outcome = 'retry';
            const delay = o.retryAfterMs ?? retryDelayMs(row.attempts);
            patch = { ...base, status: 'planned', dueAt: new Date(now.getTime() + delay), sendStartedAt: null, reason: `retrying: ${o.reason}`, errorCode: o.code ?? null };
          }
          break;
        case 'permanent':
          outcome = 'failed';
          patch = { ...base, status: 'failed', reason: o.reason, errorCode: o.code ?? null };
          break;
        case 'unknown':
          outcome = 'unknown';
          patch = { ...base, status: 'unknown', reason: o.reason, errorCode: o.code ?? null };
          break;
        case 'blocked':
          // Consent changed between the channel choice and the send: choose again right away.
          outcome = row.attempts >= MAX_ATTEMPTS ? 'skipped' : 'retry';
          patch =
            outcome === 'skipped'
              ? { ...base, status: 'skipped', reason: o.reason }
              : { ...base, status: 'planned', dueAt: now, sendStartedAt: null, channel: null, reason: `re-routing: ${o.reason}` };
          break;
      }
      await tx.repo(FollowUpEntity).update({ id: row.id }, patch);
      await this.attempt(tx, row, outcome, {
        channel,
        code: 'code' in o ? (o.code ?? null) : null,
        reason: 'reason' in o ? o.reason : null,
        messageId: result.messageId,
      });
      this.emitTerminal(tx, row, patch.status ?? row.status, patch.reason ?? null);
      return outcome;
    });
  }

  private async attempt(
    tx: TenantTx,
    row: FollowUpEntity,
    outcome: ExecutionOutcome,
    detail: { channel?: string | null; code?: string | null; reason?: string | null; messageId?: string | null },
  ): Promise<void> {
    await tx.repo(FollowUpAttemptEntity).insert({
      followUpId: row.id,
      attempt: row.attempts,
      outcome: outcome === 'lost_lease' || outcome === 'error' ? 'failed' : outcome,
      channel: detail.channel ?? null,
      code: detail.code ?? null,
      reason: detail.reason ?? null,
      messageId: detail.messageId ?? null,
      at: this.clock.now(),
    });
  }

  private emitTerminal(tx: TenantTx, row: FollowUpEntity, status: FollowUpEntity['status'], reason: string | null): void {
    const payload = { followUpId: row.id, rule: row.rule, reason };
    if (status === 'sent') tx.emit('follow_up.sent', payload, { kind: 'system' });
    else if (status === 'failed') tx.emit('follow_up.failed', payload, { kind: 'system' });
    else if (status === 'skipped') tx.emit('follow_up.skipped', payload, { kind: 'system' });
    else if (status === 'cancelled') tx.emit('follow_up.cancelled', payload, { kind: 'system' });
  }
}
