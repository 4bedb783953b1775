import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { isDatabaseUnavailable } from './db-errors';

export interface PassStats<O extends string> {
  recovered: number;
  claimed: number;
  outcomes: Partial<Record<O, number>>;
}

export interface LoopSettings {
  /** Whether this process runs the loop on its own (SCHEDULER=on). */
  enabled: boolean;
  tickMs: number;
  batchSize: number;
  concurrency: number;
  poolSize: number;
}

/**
 * The loop shared by the follow-up dispatcher and the webhook delivery worker: an interval tick
 * that keeps passing while batches come back full, prompt wake-ups, one pass at a time, drain()
 * for tests with a manual clock, and a bounded stop. A pass is the subclass's: recover expired
 * leases, claim a batch (FOR UPDATE SKIP LOCKED), then work the claimed rows with `lanes()`.
 * Work a pass schedules for later (the dispatcher's paced sends) runs outside passes; drain()
 * waits for the part of it whose time has come, through `settleDue()`.
 */
export abstract class LeasedWorkLoop<O extends string> {
  private running: Promise<PassStats<O>> | undefined;
  private stopping = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private databaseDown = false;

  protected constructor(
    private readonly intervalName: string,
    private readonly scheduler: SchedulerRegistry,
    protected readonly logger: Logger,
  ) {}

  protected abstract settings(): LoopSettings;
  protected abstract pass(): Promise<PassStats<O>>;

  /**
   * Waits for the work scheduled outside passes whose time has come (by the injected clock) and
   * returns its outcomes; work not yet due is left pending. None by default.
   */
  protected settleDue(): Promise<Partial<Record<O, number>>> {
    return Promise.resolve({});
  }

  protected startLoop(): boolean {
    const s = this.settings();
    if (!s.enabled) return false;
    const interval = setInterval(() => void this.tick(), s.tickMs);
    interval.unref();
    this.scheduler.addInterval(this.intervalName, interval);
    return true;
  }

  /** Stops claiming and waits (at most `graceMs`) for the pass in flight. */
  protected async stopLoop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('interval', this.intervalName)) this.scheduler.deleteInterval(this.intervalName);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.running) {
      await Promise.race([this.running.catch(() => undefined), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
  }

  /** Asks for a pass soon: something became due now. */
  wake(): void {
    if (!this.settings().enabled || this.stopping || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.tick();
    }, 5);
    this.wakeTimer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopping) return;
    try {
      // Keep going while batches come back full, so a backlog drains without waiting a tick.
      for (;;) {
        const stats = await this.runOnce();
        if (stats.claimed < this.settings().batchSize || this.stopping) break;
      }
      if (this.databaseDown) {
        this.databaseDown = false;
        this.logger.log(`${this.intervalName}: the database is back`);
      }
    } catch (err) {
      // A database outage fails every tick until it ends: said once, not with a stack per tick.
      if (isDatabaseUnavailable(err)) {
        if (!this.databaseDown) this.logger.warn(`${this.intervalName}: the database is unavailable; passes resume when it is back`);
        this.databaseDown = true;
      } else {
        this.logger.error({ err }, `${this.intervalName} pass failed`);
      }
    }
  }

  /** One pass. Tests drive this directly. */
  runOnce(): Promise<PassStats<O>> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Runs passes until nothing due is left and no scheduled work whose time has come is still
   * running (tests and benchmarks with a manual clock). Scheduled work not yet due stays pending.
   */
  async drain(maxPasses = 1000): Promise<PassStats<O>> {
    const total: PassStats<O> = { recovered: 0, claimed: 0, outcomes: {} };
    const add = (outcomes: Partial<Record<O, number>>): number => {
      let n = 0;
      for (const [k, v] of Object.entries(outcomes) as [O, number | undefined][]) {
        total.outcomes[k] = (total.outcomes[k] ?? 0) + (v ?? 0);
        n += v ?? 0;
      }
      return n;
    };
    for (let i = 0; i < maxPasses; i += 1) {
      const s = await this.runOnce();
      total.recovered += s.recovered;
      total.claimed += s.claimed;
      add(s.outcomes);
      const settled = add(await this.settleDue());
      if (s.claimed === 0 && s.recovered === 0 && settled === 0) break;
    }
    return total;
  }

  /**
   * Works `rows` (or groups of rows: `work` may answer one outcome per row of its group) with up to
   * `concurrency` lanes; each lane holds at most one pooled connection at a time, and one
   * connection is left for the claim and the API.
   */
  protected async lanes<R>(rows: readonly R[], work: (row: R) => Promise<O | O[]>, onError: (row: R, err: unknown) => O | O[]): Promise<Partial<Record<O, number>>> {
    const outcomes: Partial<Record<O, number>> = {};
    const s = this.settings();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < rows.length) {
        const row = rows[next] as R;
        next += 1;
        let outcome: O | O[];
        try {
          outcome = await work(row);
        } catch (err) {
          outcome = onError(row, err);
        }
        for (const o of Array.isArray(outcome) ? outcome : [outcome]) outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
    };
    const width = Math.max(1, Math.min(s.concurrency, s.poolSize - 1, rows.length));
    await Promise.all(Array.from({ length: width }, lane));
    return outcomes;
  }
}
