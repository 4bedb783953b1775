import { loadavg } from 'node:os';
import { adminClient } from './lib/database';
import { appEnv } from './lib/app-env';
import { startChild } from './lib/children';
import type { Child } from './lib/children';
import type { Bench, BenchContext } from './lib/context';
import { daytimeZone, describePasses, evenlyDue, latenessMs, pollFloorMs, readSeeded, seedDueFollowUps, statusCounts, waitSettled } from './lib/dispatch-seed';
import type { Pass, SettledRow } from './lib/dispatch-seed';
import { judge } from './lib/results';
import type { Figure } from './lib/results';
import { signupTenants } from './lib/seed';
import { percentile, round, sleep } from './lib/stats';

const TENANTS = 4;
const FOLLOW_UPS = 1_000;
const SPREAD_MS = 60_000;
/** The production default (DISPATCH_TICK_MS unset); set explicitly so the baseline matches it. */
const TICK_MS = 1_000;
const WORKERS = 2;

/**
 * B2: due-to-send lateness. 1,000 follow-ups fall due evenly over 60 s while two real worker
 * processes (as `npm run start:worker` runs them: scheduler on, real clock, log drivers, as in
 * the production compose file) dispatch them on their own. Lateness is sent_at − due_at from the
 * rows; sent_at is written when the send is recorded, just after the driver answered, so it
 * includes the whole send. (The messages row, written just before the driver is called, gives
 * the "driver called" lateness, logged beside it.)
 *
 * Baseline: the polling floor, measured in the same run. A dispatcher that polls every tick and
 * costs nothing would send each follow-up at the first tick after it fell due, so its lateness is
 * only the wait for that tick (0 to one tick; with two workers whose intervals interleave, less).
 * The workers report the instants their loop's interval fired, skipped ticks included (a tick is
 * skipped while a pass is still running), and the floor of each follow-up is computed against
 * those same instants: the ratio is what the dispatcher's own work adds to what its polling
 * already costs. Without tick reports (a loop that no longer has tick()), the baseline falls back
 * to the tick interval: tick/2 for p50 and one tick for p99, the floor of one polling process.
 */
export const b2: Bench = {
  id: 'B2',
  title: 'Due-to-send lateness',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const url = await ctx.server.newDatabase();
    const count = ctx.quick ? 300 : FOLLOW_UPS;
    const spreadMs = ctx.quick ? 20_000 : SPREAD_MS;
    const booting = Date.now();
    // The workers boot while the firms sign up (they only need the migrated database).
    const env = appEnv(url, { BENCH_MODE: 'worker', DISPATCH_TICK_MS: String(TICK_MS) });
    const workers: Child[] = Array.from({ length: WORKERS }, (_, i) => startChild(ctx.root, 'dispatch-child', env, `worker-${i}`));
    const admin = await adminClient(url);
    let rows: SettledRow[] = [];
    let ticks: number[] = [];
    let settledAt = 0;
    try {
      // Real firms (the templates name the recruiter: the admin who signed up), in a zone where it
      // is daytime, so the email window is open whatever the hour of the run.
      const zone = daytimeZone();
      const api = startChild(ctx.root, 'api-server', appEnv(url), 'api');
      const { port } = (await api.ready) as { port: number };
      const tenants = (await signupTenants(`http://127.0.0.1:${port}`, TENANTS, 'b2', zone)).map((t) => t.tenantId);
      await api.stop();
      await Promise.all(workers.map((w) => w.ready));
      ctx.log(`B2   firms signed up and ${WORKERS} workers ready in ${round((Date.now() - booting) / 1000, 1)} s`);
      await sleep(500);
      // Seeded while the workers run (as the planner would insert them), first one due 2 s later.
      const from = Date.now() + 2_000;
      const due = evenlyDue(from, count, spreadMs);
      const seededDue = await seedDueFollowUps(
        admin,
        tenants.map((tenantId, ti) => ({ tenantId, tag: `b2-${ti}`, dueAt: due.filter((_, i) => i % TENANTS === ti) })),
      );
      ctx.log(`B2 seeded ${count} follow-ups due over ${spreadMs / 1000} s (${tenants.length} tenants, zone ${zone}); ${WORKERS} workers, tick ${TICK_MS} ms; load average ${round(loadavg()[0] ?? 0, 1)}`);
      const tags = tenants.map((_, ti) => `b2-${ti}`);
      const open = await waitSettled(admin, tags, from + spreadMs + 15_000);
      settledAt = Date.now();
      if (open > 0) ctx.log(`B2   ${open} follow-up(s) still open at the deadline`);
      rows = await readSeeded(admin, tags, seededDue);
      const observed = await Promise.all(workers.map((w) => w.request({ cmd: 'passes' })));
      ctx.log(`B2   ${describePasses(observed.map((o) => o.passes as Pass[]), TICK_MS)}`);
      ticks = observed.flatMap((o) => o.ticks as number[]);
      if (process.env.BENCH_COUNT_QUERIES === '1') {
        // What the workers sent to PostgreSQL (idle ticks and the webhook loop included), per follow-up sent.
        const counted = new Map<string, number>();
        for (const w of workers) {
          for (const [k, v] of Object.entries((await w.request({ cmd: 'statements' })).statements as Record<string, number>)) counted.set(k, (counted.get(k) ?? 0) + v);
        }
        const sentN = Math.max(1, rows.filter((r) => r.status === 'sent').length);
        const total = [...counted.values()].reduce((a, b) => a + b, 0);
        ctx.log(`B2   ${round(total / sentN, 1)} statements per sent follow-up`);
        for (const [k, v] of [...counted.entries()].sort((x, y) => y[1] - x[1]).slice(0, 25)) ctx.log(`B2     ${round(v / sentN, 2)}  ${k}`);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await admin.end();
    }

    const counts = statusCounts(rows);
    const deferred = rows.filter((r) => r.deferrals > 0).length;
    const late = latenessMs(rows, settledAt);
    const sent = rows.filter((r) => r.status === 'sent');
    const toDriver = latenessMs(sent, settledAt, 'messageAt');
    const p50 = percentile(late, 50) / 1000;
    const p99 = percentile(late, 99) / 1000;
    ctx.log(
      `B2   ${JSON.stringify(counts)}${deferred ? ` (${deferred} deferred at least once)` : ''}; sent − due: p50 ${round(p50 * 1000, 0)} ms, p99 ${round(p99 * 1000, 0)} ms, max ${round(Math.max(...late), 0)} ms; ` +
        `driver called − due: p50 ${round(percentile(toDriver, 50), 0)} ms, p99 ${round(percentile(toDriver, 99), 0)} ms`,
    );
    const unsent = rows.length - sent.length;
    const note = `${rows.length} follow-ups due over ${spreadMs / 1000} s, ${WORKERS} workers, tick ${TICK_MS} ms; sent_at − due_at${unsent ? `; ${unsent} NOT sent (counted as late until the deadline)` : ''}`;
    const floor = pollFloorMs(
      rows.map((r) => r.dueAt.getTime()),
      ticks,
    );
    const measured = floor.length >= rows.length * 0.9;
    const floorP50 = measured ? percentile(floor, 50) / 1000 : TICK_MS / 2000;
    const floorP99 = measured ? percentile(floor, 99) / 1000 : TICK_MS / 1000;
    ctx.log(
      measured
        ? `B2   polling floor (wait for the next of the workers' ${ticks.length} ticks): p50 ${round(floorP50 * 1000, 0)} ms, p99 ${round(floorP99 * 1000, 0)} ms`
        : `B2   no tick reports from the workers: the baseline is the tick interval`,
    );
    const baselineNote = measured
      ? 'baseline: the polling floor, the wait for the next tick the workers fired (a cost-free dispatcher polling at the same instants)'
      : 'baseline: the tick interval (tick/2 for p50, one tick for p99)';
    return [
      judge({ bench: 'B2', name: 'due-to-send lateness p50', value: p50, unit: 's', baseline: floorP50, note: `${note}; ${baselineNote}` }),
      judge({
        bench: 'B2',
        name: 'due-to-send lateness p99',
        value: p99,
        unit: 's',
        baseline: floorP99,
        target: { kind: 'value<=', limit: 1.5, text: 'p99 <= 1.5 s' },
        note: `${note}; ${baselineNote}`,
      }),
    ];
  },
};
