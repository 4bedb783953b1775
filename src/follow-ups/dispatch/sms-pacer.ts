import { Inject, Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../../common/clock';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { localDateOf, nextWindowOpening } from '../domain/windows';
import { FollowUpEntity } from '../follow-up.entity';
import type { FollowUpSettings } from '../tenant-settings';
import type { ExecutionOutcome, Finish } from './attempt-recorder';

/**
 * Send-time jitter a sender's slots absorb: a send leaves at its slot plus the time to prepare it
 * and reach the provider (and up to SLOT_TOLERANCE_MS early). Slots are (1000 + this) / rate ms
 * apart, so `rate` sends span at least 1000 ms + this: no 1 s window at the provider holds more
 * than `rate` of them unless two sends' delays differ by more than this. It costs ~17% of the
 * sender's nominal throughput (rate 10/s: 120 ms apart; rate 1/s: 1,200 ms). Measured (B4, two
 * loaded workers): 100 ms still let 12 sends into one 1 s window at rate 10; 200 ms kept it at 9.
 */
export const SMS_JITTER_ALLOWANCE_MS = 200;
/** A slot this close (or closer) counts as come: the send goes now. */
const SLOT_TOLERANCE_MS = 5;
/**
 * A held slot a pass claims more than this after it has lost its place among the sender's slots
 * (a slow pass, a stop, a crash): sending it now could crowd the slots around now, so a new slot
 * is reserved. Half the jitter allowance; the other half covers the time from this check to the
 * provider. (A paced row's own continuation keeps its slot.)
 */
const SLOT_LATE_TOLERANCE_MS = SMS_JITTER_ALLOWANCE_MS / 2;

/** How SMS sends are spaced and paced, from the configuration. */
export interface SmsPacing {
  /** Between two slots of one sender. */
  intervalMs: number;
  /** Between two slots of one firm on the platform's shared sender (its share of the rate). */
  firmIntervalMs: number;
  /** A slot at most this far ahead is waited for in process (the row stays claimed). */
  paceMs: number;
  /** A slot further ahead defers the row to be claimed again this long before its slot. */
  leadMs: number;
}

export function smsPacing(config: AppConfig): SmsPacing {
  const d = config.dispatch;
  const intervalMs = Math.max(1, Math.ceil((1000 + SMS_JITTER_ALLOWANCE_MS) / d.smsPerSecondPerSender));
  // On the platform's shared sender, one firm gets at most its share of the slots.
  const firmIntervalMs = Math.ceil((intervalMs * 100) / config.sms.platformFirmSharePercent);
  // Paced rows keep their lease: the wait stays well inside it.
  const paceMs = Math.min(d.tickMs + 1000, (d.leaseSeconds * 1000) / 2);
  // Claimed within a tick after slot − lead, so at most paceMs before the slot: paced, not deferred again.
  const leadMs = Math.max(0, Math.min(d.tickMs + 500, paceMs - 500));
  return { intervalMs, firmIntervalMs, paceMs, leadMs };
}

/** The sender a text goes through: its rate-limit key, and whether it is the platform's (shared by firms). */
export interface SmsSenderRef {
  key: string;
  platform: boolean;
}

/** The firm's daily SMS cap as it applies: on the platform's sender, never above the operator's cap. */
export function effectiveSmsDailyCap(firmCap: number, platform: boolean, config: AppConfig): number {
  return platform ? Math.min(firmCap, config.sms.platformDailyCap) : firmCap;
}

/** What the sender's rate and the firm's daily cap allow for one SMS now. */
export type SmsClearance =
  | { kind: 'go' }
  /** Its slot is near: the row stays claimed (its slot committed on it) and a continuation sends it then. */
  | { kind: 'paced'; at: Date }
  /** Not now: the row goes back to planned (holding its slot, when it has one). */
  | { kind: 'defer'; finish: Finish }
  | { kind: 'lost_lease' };

interface Continuation {
  at: Date;
  /** Set once its time came and the send is under way (shutdown then waits for it). */
  running: boolean;
  cancel(): void;
  done: Promise<ExecutionOutcome | undefined>;
}

/**
 * SMS pacing: the per-sender rate (shared by all processes through reserve_sender_slot) and the
 * tenant's daily cap, checked at send time; and the continuations that send a paced row at its
 * slot, by the injected clock.
 */
@Injectable()
export class SmsPacer {
  private readonly logger = new Logger(SmsPacer.name);
  private readonly continuations = new Set<Continuation>();
  private stopped = false;
  readonly pacing: SmsPacing;

  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.pacing = smsPacing(config);
  }

  /**
   * The row's slot is the one it holds (rate_slot_at; unless a pass claimed it well after that
   * slot) or a new one from reserve_sender_slot. A slot that has come: the cap, then go. One at
   * most `paceMs` ahead: pace. Further ahead: defer holding the slot, due `leadMs` before it, so
   * a pass claims it ahead and paces it. The daily cap counts a send only when it goes, so a paced
   * row is counted once. `resumed`: a paced row's continuation, which keeps its slot however late
   * it woke up.
   */
  async clear(
    tenantId: TenantId,
    row: FollowUpEntity,
    worker: string,
    sender: SmsSenderRef,
    settings: FollowUpSettings,
    tenantZone: string,
    resumed: boolean,
  ): Promise<SmsClearance> {
    const now = this.clock.now();
    const { intervalMs, firmIntervalMs, paceMs, leadMs } = this.pacing;
    const held = row.rateSlotAt !== null && (resumed || row.rateSlotAt.getTime() >= now.getTime() - SLOT_LATE_TOLERANCE_MS);
    const slot =
      held && row.rateSlotAt
        ? row.rateSlotAt
        : await this.db.tx(tenantId, async (tx) => {
            const [r] = sender.platform
              ? await tx.query<{ slot: Date }>('SELECT reserve_shared_sender_slot($1, $2, $3, $4::interval, $5::interval) AS slot', [
                  sender.key,
                  `${sender.key}:firm:${tenantId}`,
                  now,
                  `${intervalMs} milliseconds`,
                  `${firmIntervalMs} milliseconds`,
                ])
              : await tx.query<{ slot: Date }>('SELECT reserve_sender_slot($1, $2, $3::interval) AS slot', [sender.key, now, `${intervalMs} milliseconds`]);
            return r?.slot ?? now;
          });
    const wait = slot.getTime() - now.getTime();
    const waiting = 'waiting for the SMS sender rate limit';
    if (wait > SLOT_TOLERANCE_MS && wait <= paceMs) {
      const n = await this.db.tx(tenantId, (tx) =>
        tx.repo(FollowUpEntity).update({ id: row.id, status: 'sending', claimedBy: worker }, { rateSlotAt: slot, reason: waiting, updatedAt: now }),
      );
      return n === 0 ? { kind: 'lost_lease' } : { kind: 'paced', at: slot };
    }
    if (wait > paceMs) {
      return { kind: 'defer', finish: { status: 'planned', outcome: 'deferred', dueAt: new Date(slot.getTime() - leadMs), rateSlotAt: slot, reason: waiting, keepAttempt: true } };
    }
    const cap = effectiveSmsDailyCap(settings.smsDailyCap, sender.platform, this.config);
    const day = localDateOf(now, tenantZone);
    const counted = await this.db.tx(tenantId, (tx) =>
      tx.query<{ sent: number }>(
        `INSERT INTO sms_daily_usage AS u (tenant_id, day, sent) VALUES ($1, $2, 1)
         ON CONFLICT (tenant_id, day) DO UPDATE SET sent = u.sent + 1 WHERE u.sent < $3
         RETURNING sent`,
        [tenantId, day, cap],
      ),
    );
    if (cap === 0 || counted.length === 0) {
      const midnight = DateTime.fromJSDate(now).setZone(tenantZone).plus({ days: 1 }).startOf('day').toJSDate();
      const tomorrow = nextWindowOpening(midnight, 'sms', tenantZone, settings.windows);
      return {
        kind: 'defer',
        finish: { status: 'planned', outcome: 'deferred', dueAt: tomorrow, reason: `the daily SMS cap (${cap}${cap < settings.smsDailyCap ? ", the platform sender's limit" : ''}) is reached; it goes out tomorrow`, keepAttempt: true },
      };
    }
    return { kind: 'go' };
  }

  /**
   * Runs `send` at `at` (by the injected clock): the row, still claimed and holding its slot, is
   * executed again and finds its slot come. A lost lease meanwhile makes it `lost_lease` (the
   * crash marker checks the claim), never a send.
   */
  continueAt(at: Date, followUpId: string, send: () => Promise<ExecutionOutcome>): void {
    // Stopping: the row stays claimed; the shutdown's release gives it back holding its slot.
    if (this.stopped) return;
    let cancel: () => void = () => undefined;
    const cancelled = new Promise<'cancelled'>((resolve) => {
      cancel = () => resolve('cancelled');
    });
    const c: Continuation = { at, running: false, cancel, done: Promise.resolve(undefined) };
    this.continuations.add(c);
    c.done = (async (): Promise<ExecutionOutcome | undefined> => {
      try {
        const woke = await Promise.race([this.clock.sleepUntil(at).then(() => 'due' as const), cancelled]);
        if (woke === 'cancelled') return undefined;
        c.running = true;
        return await send();
      } catch (err) {
        // The row keeps its lease; recovery gives it back (holding its slot) when it expires.
        this.logger.error({ err, followUpId }, 'paced follow-up execution failed');
        return 'error';
      } finally {
        this.continuations.delete(c);
      }
    })();
  }

  /** Waits for the paced sends whose slot has come (by the clock), and returns their outcomes. */
  async settleDue(): Promise<Partial<Record<ExecutionOutcome, number>>> {
    const outcomes: Partial<Record<ExecutionOutcome, number>> = {};
    for (;;) {
      const now = this.clock.now().getTime();
      const due = [...this.continuations].filter((c) => c.at.getTime() <= now);
      if (due.length === 0) return outcomes;
      for (const o of await Promise.all(due.map((c) => c.done))) {
        if (o) outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
    }
  }

  /** Shutdown: waiting paced sends are cancelled (they never send); running ones finish, at most `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const c of this.continuations) if (!c.running) c.cancel();
    const all = [...this.continuations].map((c) => c.done);
    if (all.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(all), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }
}
