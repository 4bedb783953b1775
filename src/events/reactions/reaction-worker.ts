import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { LeasedWorkLoop } from '../../common/leased-work-loop';
import type { LoopSettings, PassStats } from '../../common/leased-work-loop';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { asTenantId } from '../../database/tenant-id';
import { ReactionRunner } from './reaction-runner';
import type { ReactionOutcome } from './reaction-runner';

const INTERVAL_NAME = 'reaction-worker';
/** Done reactions are kept this long for inspection. */
const KEEP_DONE_MS = 7 * 24 * 3600 * 1000;

/**
 * The safety net under the durable reactions: every process with SCHEDULER=on runs, each tick,
 * the pending reactions whose `next_attempt_at` has come: ones the committing process never ran
 * (it died right after COMMIT, or the database went away), and failed ones due for a retry.
 * Rows are not leased: running one holds its row lock for the whole transaction, and a process
 * that dies releases it with its connection.
 */
@Injectable()
export class ReactionWorker extends LeasedWorkLoop<ReactionOutcome> implements OnApplicationBootstrap, OnApplicationShutdown {
  private passes = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: ReactionRunner,
    private readonly clock: Clock,
    scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(INTERVAL_NAME, scheduler, new Logger(ReactionWorker.name));
  }

  protected settings(): LoopSettings {
    const d = this.config.dispatch;
    return { enabled: this.config.scheduler, tickMs: d.tickMs, batchSize: d.batchSize, concurrency: d.concurrency, poolSize: this.config.databasePoolSize };
  }

  onApplicationBootstrap(): void {
    this.startLoop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopLoop(10_000);
  }

  protected async pass(): Promise<PassStats<ReactionOutcome>> {
    const now = this.clock.now();
    this.passes += 1;
    if (this.passes % 600 === 1) {
      await this.dataSource.query('SELECT purge_done_reactions($1, $2)', [new Date(now.getTime() - KEEP_DONE_MS), 5000]);
    }
    const due = (await this.dataSource.query('SELECT * FROM due_reactions($1, $2)', [now, this.settings().batchSize])) as { tenant_id: string; id: string }[];
    const outcomes = await this.lanes(
      due,
      (row) => this.runner.runOne(asTenantId(row.tenant_id), row.id),
      (row, err) => {
        this.logger.error({ err, reactionId: row.id }, 'reaction run failed');
        return 'failed';
      },
    );
    return { recovered: 0, claimed: due.length, outcomes };
  }
}
