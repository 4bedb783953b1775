import { Agent, request } from 'node:http';
import { percentile } from './stats';

export interface OpenLoopResult {
  /** Responses per second over the measured window. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  bad: number;
}

/**
 * An open-loop load: request i is sent at start + i / rate, whether or not earlier ones have been
 * answered, and its latency counts from that scheduled moment (so a server that falls behind is
 * seen queueing, not hidden by a client that waits: no coordinated omission). Each response must
 * be `expect` byte for byte. The first `warm` seconds are sent but not measured.
 */
export async function openLoop(
  req: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  expect: string,
  options: { rate: number; warm: number; run: number },
): Promise<OpenLoopResult> {
  const url = new URL(req.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(options.rate * (options.warm + options.run));
  const warmCount = Math.round(options.rate * options.warm);
  const latencies: number[] = [];
  let bad = 0;
  const start = performance.now() + 50;
  const one = (scheduled: number, measured: boolean): Promise<void> =>
    new Promise((resolve) => {
      const r = request(
        { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (measured) {
              latencies.push(performance.now() - scheduled);
              if (res.statusCode !== 200 || Buffer.concat(chunks).toString('utf8') !== expect) bad += 1;
            }
            resolve();
          });
        },
      );
      r.on('error', () => {
        if (measured) bad += 1;
        resolve();
      });
      if (req.body) r.write(req.body);
      r.end();
    });
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const scheduled = start + (i * 1000) / options.rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(one(scheduled, i >= warmCount));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return {
    rps: latencies.length / options.run,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(0, ...latencies),
    requests: latencies.length,
    bad,
  };
}
