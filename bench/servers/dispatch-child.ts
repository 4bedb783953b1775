import 'reflect-metadata';
import { Pool } from 'pg';
import { countStatements } from '../lib/statement-counter';
import { createApp } from '../../src/bootstrap/create-app';
import { loadConfig } from '../../src/config/app-config';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';

/**
 * One dispatcher process for B1–B4. BENCH_MODE:
 *   executor  the real DispatcherService (claim, executor, messenger with the log drivers, record);
 *   ceiling   a minimal loop with only the same claim and the same complete SQL, no app;
 *   worker    what `npm run start:worker` runs (dist/src/worker.js): the same app with the
 *             scheduler on and the real clock, dispatching on its own every DISPATCH_TICK_MS;
 *             it reports {type:'ready'}, answers {cmd:'passes'} with its ticks and the passes
 *             it made (observed from outside, unchanged) and stops on SIGTERM (B2, B4).
 * Both claim with claim_due_follow_ups under the same batch size, per-tenant cap and lanes.
 * IPC: {cmd:'run', untilMs} → runs passes until then (or until nothing is due) and answers
 * {sent, claimed, passes, elapsedMs}; {cmd:'tick', n} → times n claim ticks with nothing due.
 */
interface RunResult {
  sent: number;
  claimed: number;
  passes: number;
  elapsedMs: number;
  outcomes: Record<string, number>;
}

/** BENCH_COUNT_QUERIES=1: counts the statements this process sends, by statement. */
const counter = process.env.BENCH_COUNT_QUERIES === '1' ? countStatements() : undefined;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const url = config.databaseUrl ?? '';
  const mode = process.env.BENCH_MODE ?? 'executor';
  if (mode === 'worker') return runWorker();
  const { batchSize, perTenantBatch, leaseSeconds, concurrency } = config.dispatch;
  const worker = `bench-${mode}-${process.pid}`;
  let run: (untilMs: number) => Promise<RunResult>;
  let close: () => Promise<void>;
  let tickPool: Pool;

  if (mode === 'executor') {
    const { app, dataSource } = await createApp({ config, databaseUrl: url });
    await app.init();
    const dispatcher = app.get(DispatcherService);
    run = async (untilMs) => {
      const start = performance.now();
      const r: RunResult = { sent: 0, claimed: 0, passes: 0, elapsedMs: 0, outcomes: {} };
      while (Date.now() < untilMs) {
        const s = await dispatcher.runOnce();
        r.passes += 1;
        r.claimed += s.claimed;
        for (const [k, v] of Object.entries(s.outcomes)) r.outcomes[k] = (r.outcomes[k] ?? 0) + (v ?? 0);
        if (s.claimed === 0) break;
      }
      r.sent = r.outcomes.sent ?? 0;
      r.elapsedMs = performance.now() - start;
      return r;
    };
    tickPool = new Pool({ connectionString: url, max: 1 });
    close = async () => {
      await app.close();
      await dataSource.destroy();
    };
  } else {
    const pool = new Pool({ connectionString: url, max: config.databasePoolSize });
    tickPool = pool;
    const width = Math.max(1, Math.min(concurrency, config.databasePoolSize - 1));
    run = async (untilMs) => {
      const start = performance.now();
      const r: RunResult = { sent: 0, claimed: 0, passes: 0, elapsedMs: 0, outcomes: {} };
      while (Date.now() < untilMs) {
        const now = new Date();
        const claimed = (
          await pool.query<{ tenant_id: string; id: string }>('SELECT * FROM claim_due_follow_ups($1, $2, $3, $4::interval, $5)', [
            now,
            batchSize,
            perTenantBatch,
            `${leaseSeconds} seconds`,
            worker,
          ])
        ).rows;
        r.passes += 1;
        r.claimed += claimed.length;
        if (claimed.length === 0) break;
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < claimed.length) {
            const row = claimed[next++] as { tenant_id: string; id: string };
            const done = new Date();
            await pool.query(
              `UPDATE follow_ups SET status = 'sent', sent_at = $3, lease_until = NULL, claimed_by = NULL, updated_at = $3,
                      channel = 'email', reason = NULL, error_code = NULL
                WHERE tenant_id = $1 AND id = $2`,
              [row.tenant_id, row.id, done],
            );
            r.sent += 1;
          }
        };
        await Promise.all(Array.from({ length: Math.min(width, claimed.length) }, lane));
      }
      r.outcomes = { sent: r.sent };
      r.elapsedMs = performance.now() - start;
      return r;
    };
    close = () => pool.end();
  }

  process.send?.({ type: 'ready' });
  process.on('message', (raw) => {
    const msg = raw as { id: number; cmd: string; untilMs?: number; n?: number };
    const answer = async (): Promise<Record<string, unknown>> => {
      if (msg.cmd === 'run') return { ...(await run(msg.untilMs ?? Date.now())) };
      if (msg.cmd === 'statements') return { statements: counter?.byStatement() ?? {} };
      if (msg.cmd === 'tick') {
        // The claim tick the dispatcher runs every DISPATCH_TICK_MS: recover expired leases, then claim.
        const times: number[] = [];
        for (let i = 0; i < (msg.n ?? 100); i += 1) {
          const t0 = performance.now();
          const now = new Date();
          await tickPool.query('SELECT * FROM recover_expired_follow_up_leases($1, $2)', [now, batchSize]);
          await tickPool.query('SELECT * FROM claim_due_follow_ups($1, $2, $3, $4::interval, $5)', [now, batchSize, perTenantBatch, `${leaseSeconds} seconds`, worker]);
          times.push(performance.now() - t0);
        }
        return { times };
      }
      throw new Error(`unknown command ${msg.cmd}`);
    };
    answer()
      .then((body) => process.send?.({ id: msg.id, ...body }))
      .catch((err: unknown) => process.send?.({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
  });
  process.once('SIGTERM', () => {
    void close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
}

/**
 * As src/worker.ts does: SCHEDULER forced on, the same createApp (whose init starts the
 * dispatcher's interval), no HTTP. Ready once booted; SIGTERM closes the app (the dispatcher
 * stops claiming and releases unsent leases), as the production worker does.
 */
async function runWorker(): Promise<void> {
  const config = loadConfig({ ...process.env, SCHEDULER: 'on' });
  const { app, dataSource } = await createApp({ config, databaseUrl: config.databaseUrl ?? '' });
  const dispatcher = app.get(DispatcherService);
  // Observation only, behaviour unchanged: when the loop's interval (or a wake-up) fired — its
  // private tick(), called as this.tick() — and each pass it ran (this.runOnce()), timed.
  const ticks: number[] = [];
  const passes: { at: number; ms: number; claimed: number }[] = [];
  const loop = dispatcher as unknown as { tick?: () => Promise<void> };
  if (typeof loop.tick === 'function') {
    const tick = loop.tick.bind(dispatcher);
    loop.tick = () => {
      ticks.push(Date.now());
      return tick();
    };
  }
  const runOnce = dispatcher.runOnce.bind(dispatcher);
  dispatcher.runOnce = async () => {
    const at = Date.now();
    const t0 = performance.now();
    const stats = await runOnce();
    if (stats.claimed > 0) passes.push({ at, ms: performance.now() - t0, claimed: stats.claimed });
    return stats;
  };
  process.send?.({ type: 'ready', workerId: dispatcher.workerId });
  process.on('message', (raw) => {
    const msg = raw as { id: number; cmd: string };
    if (msg.cmd === 'rss') process.send?.({ id: msg.id, rssMb: process.memoryUsage().rss / 2 ** 20 });
    // {cmd:'passes'} → since the last ask: the passes that claimed something {at (epoch ms), ms,
    // claimed}, and every tick (epoch ms), including those skipped because a pass was running.
    else if (msg.cmd === 'passes') process.send?.({ id: msg.id, passes: passes.splice(0), ticks: ticks.splice(0) });
    else if (msg.cmd === 'statements') process.send?.({ id: msg.id, statements: counter?.byStatement() ?? {} });
    else process.send?.({ id: msg.id, error: `unknown command ${msg.cmd} in worker mode` });
  });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => dataSource.destroy())
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench dispatcher failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
