import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { LeasedWorkLoop } from '../../common/leased-work-loop';
import type { LoopSettings, PassStats } from '../../common/leased-work-loop';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { asTenantId } from '../../database/tenant-id';
import { FollowUpPlanner } from '../planning/follow-up.planner';
import type { ExecutionOutcome } from './attempt-recorder';
import { SendFollowUpUseCase } from './send-follow-up.usecase';
import { SmsPacer } from './sms-pacer';

export type DispatchStats = PassStats<ExecutionOutcome>;

const INTERVAL_NAME = 'follow-up-dispatcher';

/**
 * Claims due follow-ups in batches and hands each to the send use case.
 *
 * The row is the source of truth: a claim marks rows `sending` with a lease and COMMITs (one
 * statement: claim_due_follow_ups, see the follow-ups migration), the executor sends outside any
 * transaction and records the result. A crash between claim and send is recovered when the lease
 * expires; a crash after the send started leaves the row `unknown`, never resent blindly.
 * Any number of dispatcher processes may run: SKIP LOCKED keeps their claims disjoint.
 * An SMS claimed ahead of its sender slot is paced: the lane is freed at once and the pacer sends
 * it at the slot (a continuation); drain() waits for those whose slot has come.
 * A follow-up planned due now (or sent now, approved, snoozed to now) wakes the loop at once.
 */
@Injectable()
export class DispatcherService extends LeasedWorkLoop<ExecutionOutcome> implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly dataSource: DataSource,
    private readonly send: SendFollowUpUseCase,
    private readonly pacer: SmsPacer,
    planner: FollowUpPlanner,
    private readonly clock: Clock,
    scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(INTERVAL_NAME, scheduler, new Logger(DispatcherService.name));
    planner.onDue((dueAt) => {
      if (dueAt.getTime() <= this.clock.now().getTime()) this.wake();
    });
  }

  protected settings(): LoopSettings {
    const d = this.config.dispatch;
    return { enabled: this.config.scheduler, tickMs: d.tickMs, batchSize: d.batchSize, concurrency: d.concurrency, poolSize: this.config.databasePoolSize };
  }

  onApplicationBootstrap(): void {
    if (this.startLoop()) this.logger.log({ workerId: this.workerId }, 'dispatcher started');
  }

  /**
   * Graceful stop: no new claims; in-flight sends finish (bounded); paced sends still waiting for
   * their slot are cancelled; unsent leases are released (a paced row goes back to planned,
   * holding its slot).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.stopLoop(10_000);
    await this.pacer.stop(10_000);
    await this.dataSource
      .query('SELECT release_follow_up_leases($1, $2)', [this.workerId, this.clock.now()])
      .catch((err: unknown) => this.logger.warn({ err }, 'could not release leases'));
  }

  protected override settleDue(): Promise<Partial<Record<ExecutionOutcome, number>>> {
    return this.pacer.settleDue();
  }

  protected async pass(): Promise<DispatchStats> {
    const now = this.clock.now();
    const { batchSize, perTenantBatch, leaseSeconds } = this.config.dispatch;
    const recovered = (await this.dataSource.query('SELECT * FROM recover_expired_follow_up_leases($1, $2)', [now, batchSize])) as unknown[];
    const claimed = (await this.dataSource.query('SELECT * FROM claim_due_follow_ups($1, $2, $3, $4::interval, $5)', [
      now,
      batchSize,
      perTenantBatch,
      `${leaseSeconds} seconds`,
      this.workerId,
    ])) as { tenant_id: string; id: string }[];
    const outcomes = await this.lanes(
      claimed,
      (row) => this.send.execute(asTenantId(row.tenant_id), row.id, this.workerId),
      (row, err) => {
        // The row keeps its lease; recovery re-plans it (or marks it unknown) when it expires.
        this.logger.error({ err, followUpId: row.id, tenantId: row.tenant_id }, 'follow-up execution failed');
        return 'error';
      },
    );
    return { recovered: recovered.length, claimed: claimed.length, outcomes };
  }
}
