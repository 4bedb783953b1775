import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { asTenantId } from '../../database/tenant-id';
import { FollowUpExecutor } from './follow-up.executor';
import type { ExecutionOutcome } from './follow-up.executor';

export interface DispatchStats {
  recovered: number;
  claimed: number;
  outcomes: Partial<Record<ExecutionOutcome, number>>;
}

const INTERVAL_NAME = 'follow-up-dispatcher';

/**
 * Claims due follow-ups in batches and hands each to the executor.
 *
 * The row is the source of truth: a claim marks rows `sending` with a lease and COMMITs (one
 * statement: claim_due_follow_ups, see the follow-ups migration), the executor sends outside any
 * transaction and records the result. A crash between claim and send is recovered when the lease
 * expires; a crash after the send started leaves the row `unknown`, never resent blindly.
 * Any number of dispatcher processes may run: SKIP LOCKED keeps their claims disjoint.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DispatcherService.name);
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running: Promise<DispatchStats> | undefined;
  private stopping = false;
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly executor: FollowUpExecutor,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.scheduler) return;
    const interval = setInterval(() => void this.tick(), this.config.dispatch.tickMs);
    interval.unref();
    this.scheduler.addInterval(INTERVAL_NAME, interval);
    this.logger.log({ workerId: this.workerId }, 'dispatcher started');
  }

  /** Graceful stop: no new claims; in-flight sends finish (bounded); unsent leases are released. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.running) {
      await Promise.race([this.running.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    }
    await this.releaseUnsentLeases().catch((err: unknown) => this.logger.warn({ err }, 'could not release leases'));
  }

  /** Asks for a dispatch pass soon: a follow-up was planned that is due now or within a tick. */
  wake(): void {
    if (!this.config.scheduler || this.stopping || this.wakeTimer) return;
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
        if (stats.claimed < this.config.dispatch.batchSize || this.stopping) break;
      }
    } catch (err) {
      this.logger.error({ err }, 'dispatch pass failed');
    }
  }

  /** One pass: recover expired leases, claim one batch, execute it. Tests drive this directly. */
  runOnce(): Promise<DispatchStats> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs passes until nothing due is left (tests and benchmarks with a manual clock). */
  async drain(maxPasses = 1000): Promise<DispatchStats> {
    const total: DispatchStats = { recovered: 0, claimed: 0, outcomes: {} };
    for (let i = 0; i < maxPasses; i += 1) {
      const s = await this.runOnce();
      total.recovered += s.recovered;
      total.claimed += s.claimed;
      for (const [k, v] of Object.entries(s.outcomes)) {
        const key = k as ExecutionOutcome;
        total.outcomes[key] = (total.outcomes[key] ?? 0) + (v ?? 0);
      }
      if (s.claimed === 0 && s.recovered === 0) break;
    }
    return total;
  }

  private async pass(): Promise<DispatchStats> {
    const now = this.clock.now();
    const { batchSize, perTenantBatch, leaseSeconds, concurrency } = this.config.dispatch;
    const recovered = (await this.dataSource.query('SELECT * FROM recover_expired_follow_up_leases($1, $2)', [now, batchSize])) as unknown[];
    const claimed = (await this.dataSource.query('SELECT * FROM claim_due_follow_ups($1, $2, $3, $4::interval, $5)', [
      now,
      batchSize,
      perTenantBatch,
      `${leaseSeconds} seconds`,
      this.workerId,
    ])) as { tenant_id: string; id: string }[];
    const stats: DispatchStats = { recovered: recovered.length, claimed: claimed.length, outcomes: {} };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < claimed.length) {
        const row = claimed[next];
        next += 1;
        if (!row) continue;
        let outcome: ExecutionOutcome;
        try {
          outcome = await this.executor.execute(asTenantId(row.tenant_id), row.id, this.workerId);
        } catch (err) {
          // The row keeps its lease; recovery re-plans it (or marks it unknown) when it expires.
          this.logger.error({ err, followUpId: row.id, tenantId: row.tenant_id }, 'follow-up execution failed');
          outcome = 'error';
        }
        stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
      }
    };
    // Each worker holds at most one pooled connection at a time; leave one for the claim and the API.
    const width = Math.max(1, Math.min(concurrency, this.config.databasePoolSize - 1, claimed.length));
    await Promise.all(Array.from({ length: width }, worker));
    return stats;
  }

  private async releaseUnsentLeases(): Promise<void> {
    await this.dataSource.query('SELECT release_follow_up_leases($1, $2)', [this.workerId, this.clock.now()]);
  }
}
