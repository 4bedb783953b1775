import { adminClient } from './lib/database';
import { daytimeZone } from './lib/dispatch-seed';
import { appEnv } from './lib/app-env';
import { startChild } from './lib/children';
import type { Child } from './lib/children';
import type { Bench, BenchContext } from './lib/context';
import { judge } from './lib/results';
import type { Figure } from './lib/results';
import { resetFollowUps, seedCheckIns, signupTenants } from './lib/seed';
import { round, sleep } from './lib/stats';

const TENANTS = 20;
const PER_TENANT = 5_000; // 100k due follow-ups in all

/**
 * B1: follow-ups dispatched per second with the log (no-op) drivers, against a ceiling measured in
 * the same run: a minimal loop doing only the same claim and the same complete UPDATE with the
 * same batch size, per-tenant cap, lanes and pool. Swept over batch sizes and process counts; the
 * follow-ups are put back to planned between runs, so every run starts from the same 100k.
 */
export const b1: Bench = {
  id: 'B1',
  title: 'Dispatch throughput',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const url = await ctx.server.newDatabase();
    const api = startChild(ctx.root, 'api-server', appEnv(url), 'api');
    const { port } = (await api.ready) as { port: number };
    // A zone where it is daytime now: the seeded check-ins go by email, and outside the email
    // window (07:00–21:00 in the firm's zone, UTC by default) they would all be deferred, not sent.
    const tenants = await signupTenants(`http://127.0.0.1:${port}`, TENANTS, 'b1', daytimeZone());
    await api.stop();
    const admin = await adminClient(url);
    const due = new Date(Date.now() - 60_000);
    await seedCheckIns(
      admin,
      tenants.map((t) => t.tenantId),
      ctx.quick ? 500 : PER_TENANT,
      { dueFrom: due },
    );
    ctx.log(`B1 seeded ${tenants.length * (ctx.quick ? 500 : PER_TENANT)} due follow-ups over ${tenants.length} tenants`);

    const seconds = ctx.quick ? 3 : 6;
    const configs = [
      { batch: 1, procs: 2 },
      { batch: 10, procs: 2 },
      { batch: 100, procs: 1 },
      { batch: 100, procs: 2 },
      { batch: 100, procs: 4 },
    ];
    // BENCH_B1_ONLY=100x2 runs one configuration (batch x processes), for profiling.
    const only = process.env.BENCH_B1_ONLY;
    const figures: Figure[] = [];
    for (const cfg of configs.filter((c) => !only || only === `${c.batch}x${c.procs}`)) {
      const rates: Record<string, number> = {};
      for (const mode of ['ceiling', 'executor'] as const) {
        const env = appEnv(url, {
          BENCH_MODE: mode,
          DISPATCH_BATCH_SIZE: String(cfg.batch),
          DISPATCH_PER_TENANT_BATCH: String(Math.max(1, Math.ceil(cfg.batch / 5))),
        });
        const children: Child[] = Array.from({ length: cfg.procs }, (_, i) => startChild(ctx.root, 'dispatch-child', env, `${mode}-${i}`));
        try {
          await Promise.all(children.map((c) => c.ready));
          await sleep(500);
          const untilMs = Date.now() + seconds * 1000;
          const results = await Promise.all(children.map((c) => c.request({ cmd: 'run', untilMs })));
          if (process.env.BENCH_COUNT_QUERIES === '1') {
            const counted = (await children[0]?.request({ cmd: 'statements' }))?.statements as Record<string, number>;
            const sentBy0 = Number(results[0]?.sent ?? 1);
            const total = Object.values(counted).reduce((a, b) => a + b, 0);
            ctx.log(`B1   ${mode}: ${round(total / sentBy0, 1)} statements per sent follow-up`);
            for (const [k, v] of Object.entries(counted).sort((a, b) => b[1] - a[1])) ctx.log(`B1     ${round(v / sentBy0, 2)}  ${k}`);
          }
          const sent = results.reduce((n, r) => n + Number(r.sent), 0);
          const elapsed = Math.max(...results.map((r) => Number(r.elapsedMs))) / 1000;
          const other = results.reduce((n, r) => n + Number(r.claimed) - Number(r.sent), 0);
          rates[mode] = sent / elapsed;
          ctx.log(`B1   batch ${cfg.batch}, ${cfg.procs} process(es), ${mode}: ${sent} sent in ${round(elapsed)} s = ${round(sent / elapsed, 0)}/s${other ? ` (${other} not sent)` : ''}`);
        } finally {
          await Promise.all(children.map((c) => c.stop()));
        }
        if (process.env.BENCH_DEBUG) {
          const scans = await admin.query(`SELECT relname, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables WHERE seq_tup_read > 10000 ORDER BY seq_tup_read DESC`);
          ctx.log(`B1   ${mode} sequential scans: ${JSON.stringify(scans.rows)}`);
        }
        await resetFollowUps(admin, due);
      }
      const executorRate = rates.executor ?? 0;
      const ceilingRate = rates.ceiling ?? 0;
      figures.push(
        judge({
          bench: 'B1',
          name: `dispatch throughput, batch ${cfg.batch}, ${cfg.procs} process${cfg.procs > 1 ? 'es' : ''}`,
          value: executorRate,
          unit: 'follow-ups/s',
          baseline: ceilingRate,
          target: { kind: 'ratio>=', limit: 0.5, text: '>= 0.5 of the claim+complete ceiling' },
        }),
      );
      if (cfg.batch === 100 && cfg.procs === 2) {
        figures.push(
          judge({
            bench: 'B1',
            name: 'dispatch throughput with 2 processes (absolute)',
            value: executorRate,
            unit: 'follow-ups/s',
            target: { kind: 'value>=', limit: 2000, text: '>= 2,000/s' },
          }),
        );
      }
    }
    if (!only || only === 'statements') figures.push(await statementsPerFollowUp(ctx, url, admin, due, seconds));
    await admin.end();
    return figures;
  },
};

/**
 * Statements per sent follow-up at batch 100 (one process, counting every statement it sends:
 * claims, recoveries, both units, the planning of what follows, BEGIN and COMMIT included), in a
 * run of its own so that counting does not slow the throughput runs.
 */
async function statementsPerFollowUp(ctx: BenchContext, url: string, admin: Awaited<ReturnType<typeof adminClient>>, due: Date, seconds: number): Promise<Figure> {
  const env = appEnv(url, { BENCH_MODE: 'executor', BENCH_COUNT_QUERIES: '1', DISPATCH_BATCH_SIZE: '100', DISPATCH_PER_TENANT_BATCH: '20' });
  const child = startChild(ctx.root, 'dispatch-child', env, 'executor-counting');
  try {
    await child.ready;
    const result = await child.request({ cmd: 'run', untilMs: Date.now() + seconds * 1000 });
    const counted = (await child.request({ cmd: 'statements' })).statements as Record<string, number>;
    const sent = Number(result.sent ?? 1);
    const total = Object.values(counted).reduce((a, b) => a + b, 0);
    const top = Object.entries(counted)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, v]) => `${round(v / sent, 2)} ${k.slice(0, 40)}`);
    ctx.log(`B1   statements: ${total} for ${sent} sent = ${round(total / sent, 2)} per follow-up`);
    return judge({
      bench: 'B1',
      name: 'SQL statements per sent follow-up (batch 100)',
      value: total / sent,
      unit: 'statements',
      target: { kind: 'value<=', limit: 3, text: '<= 3, amortised over a batch' },
      note: `${total} statements for ${sent} sent check-ins (each plans its nudge); most frequent: ${top.join('; ')}`,
    });
  } finally {
    await child.stop();
    await resetFollowUps(admin, due);
  }
}
