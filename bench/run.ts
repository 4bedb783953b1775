import { join } from 'node:path';
import { b1 } from './b1-dispatch-throughput';
import { b2 } from './b2-lateness';
import { b3 } from './b3-scan-cost';
import { b4 } from './b4-rate-fairness';
import { b5, b5b, b6, b7 } from './api-benches';
import { b8 } from './b8-analytics';
import { openBenchServer } from './lib/database';
import type { Bench, BenchContext } from './lib/context';
import { printFigure, saveResults } from './lib/results';
import type { Figure } from './lib/results';
import { round } from './lib/stats';

/**
 * `npm run bench [-- B1 B5 …]`: runs the benchmarks (all by default) against a real PostgreSQL —
 * a throw-away embedded one, or a scratch database on DATABASE_URL's server — prints one line per
 * figure with its in-run baseline and ratio, and writes bench/results/latest.json.
 */
const BENCHES: Bench[] = [b1, b2, b3, b4, b5, b5b, b6, b7, b8];

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const wanted = process.argv.slice(2).map((a) => a.toUpperCase());
  const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b.id)) : BENCHES;
  if (selected.length === 0) throw new Error(`no such bench: ${wanted.join(', ')} (have ${BENCHES.map((b) => b.id).join(', ')})`);
  const started = Date.now();
  const server = await openBenchServer(root);
  const ctx: BenchContext = {
    root,
    server,
    quick: process.env.BENCH_QUICK === '1',
    log: (line) => process.stdout.write(`${line}\n`),
  };
  const figures: Figure[] = [];
  try {
    ctx.log(`benchmarks on ${server.server}, node ${process.version}${ctx.quick ? ' (quick: not for reporting)' : ''}`);
    for (const bench of selected) {
      const t0 = Date.now();
      ctx.log(`== ${bench.id} ${bench.title}`);
      const got = await bench.run(ctx);
      for (const f of got) printFigure(f);
      figures.push(...got);
      ctx.log(`== ${bench.id} took ${round((Date.now() - t0) / 1000, 1)} s`);
    }
  } catch (err) {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
    return;
  } finally {
    await server.close();
  }
  const file = saveResults(
    root,
    selected.map((b) => b.id),
    figures,
    { database: server.server, quick: ctx.quick, durationSeconds: round((Date.now() - started) / 1000, 1) },
    ctx.quick || Boolean(process.env.BENCH_B1_ONLY),
  );
  const missed = figures.filter((f) => f.pass === false);
  ctx.log(`\n${figures.length} figures, ${missed.length} missed target(s); written to ${file}`);
  for (const f of missed) ctx.log(`  MISS ${f.bench} ${f.name}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
