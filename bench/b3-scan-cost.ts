import type { Client } from 'pg';
import { adminClient } from './lib/database';
import { appEnv } from './lib/app-env';
import { startChild } from './lib/children';
import type { Child } from './lib/children';
import type { Bench, BenchContext } from './lib/context';
import { evenlyDue, growFutureFollowUps, insertTenants, seedDueFollowUps } from './lib/dispatch-seed';
import { judge } from './lib/results';
import type { Figure } from './lib/results';
import { percentile, round } from './lib/stats';

const TENANTS = 10;
const SMALL = 1_000;
const LARGE = 1_000_000;
const DAY_MS = 86_400_000;

/**
 * B3: what a claim tick costs (recover expired leases + claim, with nothing due: the
 * dispatcher's idle work every DISPATCH_TICK_MS) with 1M follow-ups planned in the future versus
 * with 1k. The partial index follow_ups_claim_idx is what should keep it flat: the claim walks
 * it from the oldest due time and stops at the first row not yet due.
 *
 * Two scratch databases: one keeps the 1k future follow-ups, the other is grown to 1M (bulk SQL,
 * triggers off, the same 1k candidates reused, then VACUUM ANALYZE as autovacuum would). One
 * ceiling-mode child per database times the ticks in alternating rounds, so noise from the rest
 * of the machine falls on both sides alike. Baseline: the 1k database; ratio = p50(1M) / p50(1k).
 */
export const b3: Bench = {
  id: 'B3',
  title: 'Claim scan cost, 1M future follow-ups vs 1k',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const large = ctx.quick ? 200_000 : LARGE;
    const from = new Date(Date.now() + DAY_MS);
    const urls = { small: await ctx.server.newDatabase(), large: await ctx.server.newDatabase() };
    const admins: Record<'small' | 'large', Client> = { small: await adminClient(urls.small), large: await adminClient(urls.large) };
    const children: Child[] = [];
    try {
      for (const side of ['small', 'large'] as const) {
        const c = admins[side];
        const tenants = await insertTenants(c, TENANTS, `b3${side}`);
        // 1k future follow-ups (one candidate each) over the next 30 days, in both databases.
        const due = evenlyDue(from.getTime(), SMALL, 30 * DAY_MS);
        await seedDueFollowUps(
          c,
          tenants.map((tenantId, ti) => ({ tenantId, tag: `b3-${ti}`, dueAt: due.filter((_, i) => i % TENANTS === ti) })),
        );
      }
      const t0 = performance.now();
      await growFutureFollowUps(admins.large, large - SMALL, from, 30 * DAY_MS, 'b3-grow');
      const insertS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      for (const c of Object.values(admins)) await c.query('VACUUM ANALYZE follow_ups');
      const vacuumS = (performance.now() - t1) / 1000;
      const sizes = await Promise.all(
        (['small', 'large'] as const).map(async (side) => {
          const r = await admins[side].query<{ n: string; idx: string }>(
            `SELECT (SELECT count(*) FROM follow_ups WHERE status = 'planned')::text AS n,
                    pg_size_pretty(pg_relation_size('follow_ups_claim_idx')) AS idx`,
          );
          return `${side}: ${r.rows[0]?.n} planned, claim index ${r.rows[0]?.idx}`;
        }),
      );
      ctx.log(`B3 grew to ${large} future follow-ups in ${round(insertS, 1)} s (+ VACUUM ANALYZE ${round(vacuumS, 1)} s); ${sizes.join('; ')}`);
      for (const side of ['small', 'large'] as const) ctx.log(`B3   ${side} claim plan: ${await claimPlan(admins[side])}`);

      const env = (url: string): Record<string, string> => appEnv(url, { BENCH_MODE: 'ceiling' });
      const small = startChild(ctx.root, 'dispatch-child', env(urls.small), 'ticks-1k');
      const big = startChild(ctx.root, 'dispatch-child', env(urls.large), 'ticks-1m');
      children.push(small, big);
      await Promise.all(children.map((c) => c.ready));
      const rounds = ctx.quick ? 4 : 10;
      const perRound = ctx.quick ? 50 : 100;
      // Warm-up: connections, catalog caches, the index pages.
      await small.request({ cmd: 'tick', n: 20 });
      await big.request({ cmd: 'tick', n: 20 });
      const times: Record<'small' | 'large', number[]> = { small: [], large: [] };
      for (let r = 0; r < rounds; r += 1) {
        // Alternate which goes first, so neither side always follows the other.
        const order = r % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
        for (const side of order) {
          const got = await (side === 'small' ? small : big).request({ cmd: 'tick', n: perRound });
          times[side].push(...(got.times as number[]));
        }
      }
      const p = (side: 'small' | 'large', q: number): number => percentile(times[side], q);
      ctx.log(
        `B3   tick (recover + claim, nothing due), ${times.small.length} each: 1k p50 ${round(p('small', 50), 3)} ms p99 ${round(p('small', 99), 3)} ms; ` +
          `1M p50 ${round(p('large', 50), 3)} ms p99 ${round(p('large', 99), 3)} ms`,
      );
      const note = `${large} vs ${SMALL} planned follow-ups due in the next 30 days, nothing due; ${rounds} alternating rounds of ${perRound} ticks; seeding ${round(insertS, 1)} s + VACUUM ANALYZE ${round(vacuumS, 1)} s`;
      return [
        judge({
          bench: 'B3',
          name: `claim tick p50 with ${large / 1000}k future follow-ups`,
          value: p('large', 50),
          unit: 'ms',
          baseline: p('small', 50),
          target: { kind: 'ratio<=', limit: 1.2, text: '<= 1.2x the tick with 1k' },
          note,
        }),
        judge({
          bench: 'B3',
          name: `claim tick p99 with ${large / 1000}k future follow-ups`,
          value: p('large', 99),
          unit: 'ms',
          baseline: p('small', 99),
          note: 'p99 of the same ticks, against the 1k p99 (no target: p99 of a ~1 ms query is mostly scheduling noise)',
        }),
      ];
    } finally {
      await Promise.all(children.map((c) => c.stop()));
      for (const c of Object.values(admins)) await c.end();
    }
  },
};

/** The claim's row source, as the planner runs it (the SELECT inside claim_due_follow_ups), with buffers. */
async function claimPlan(c: Client): Promise<string> {
  const r = await c.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
     SELECT f.tenant_id, f.id, f.due_at FROM follow_ups f
      WHERE f.status = 'planned' AND f.kind = 'message' AND f.due_at <= now()
      ORDER BY f.due_at LIMIT 400 FOR UPDATE SKIP LOCKED`,
  );
  return r.rows
    .map((x) => x['QUERY PLAN'].trim())
    .filter((l) => /Scan|Buffers|Execution/.test(l))
    .join(' / ');
}
