import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { countStatements } from '../lib/statement-counter';
import { createApp } from '../../src/bootstrap/create-app';
import { loadConfig } from '../../src/config/app-config';

/**
 * The real API as `npm start` serves it (same createApp), on a free port, for B5–B7 and for the
 * other benches' setup. Sends {type:'ready', port} over IPC; SIGTERM closes it, and so does the
 * bench process going away (IPC disconnect).
 * IPC: {cmd:'rss'} → {rssMb, heapUsedMb, heapTotalMb, externalMb};
 *      with BENCH_DEBUG set, it also prints the V8 spaces and the anonymous memory to stderr;
 *      {cmd:'loop'} → {p50, p99, max}: the event loop's delay (ms) since the previous call;
 *      {cmd:'queries', record?} → {count, texts}: the statements sent since the previous call
 *      (BENCH_COUNT_QUERIES=1; texts only when that previous call said record).
 */
async function main(): Promise<void> {
  const stopAllocationProfile = process.env.BENCH_ALLOCATION_PROFILE ? await startAllocationProfile(process.env.BENCH_ALLOCATION_PROFILE) : undefined;
  const config = loadConfig(process.env);
  const counter = process.env.BENCH_COUNT_QUERIES === '1' ? countStatements() : undefined;
  const { app, dataSource } = await createApp({ config, databaseUrl: config.databaseUrl ?? '' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'ready', port });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.on('message', (raw) => {
    const msg = raw as { id: number; cmd: string; record?: boolean };
    if (msg.cmd === 'rss') {
      const m = process.memoryUsage();
      const mb = (bytes: number): number => bytes / 2 ** 20;
      process.send?.({ id: msg.id, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) });
      if (process.env.BENCH_DEBUG) {
        const spaces = getHeapSpaceStatistics().map((sp) => `${sp.space_name} ${mb(sp.space_size).toFixed(1)}/${mb(sp.space_used_size).toFixed(1)}`);
        const smaps = (field: string): string => `${field} ${(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1]) / 1024).toFixed(1)}`;
        const used = spaces.filter((sp) => !sp.endsWith(' 0.0/0.0'));
        process.stderr.write(`api memory (MB): rss ${mb(m.rss).toFixed(1)}, ${smaps('Anonymous')}, ${smaps('Shared_Clean')}, external ${mb(m.external).toFixed(1)}; V8 spaces size/used: ${used.join(', ')}\n`);
      }
    }
    if (msg.cmd === 'loop') {
      // The event loop's delay since the previous call, ms (p50, p99, max).
      const ms = (ns: number): number => ns / 1e6;
      process.send?.({ id: msg.id, p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) });
      loop.reset();
    }
    if (msg.cmd === 'queries') {
      if (!counter) process.send?.({ id: msg.id, error: 'start the API with BENCH_COUNT_QUERIES=1 to count queries' });
      else process.send?.({ id: msg.id, ...counter.take(msg.record === true) });
    }
  });
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.once('SIGTERM', () => {
    void (stopAllocationProfile?.() ?? Promise.resolve())
      .then(() => app.close())
      .then(() => dataSource.destroy())
      .finally(() => process.exit(0));
  });
}

/**
 * BENCH_ALLOCATION_PROFILE=<file>: V8's sampling heap profiler over the process's life, counting
 * what was allocated (also what the GC has since collected), written as a .heapprofile on SIGTERM
 * (open it in Chrome DevTools' Memory tab).
 */
async function startAllocationProfile(file: string): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
