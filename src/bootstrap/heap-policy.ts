import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what its last full collection kept before it
 * collects again. Left to itself, V8 grows it up to 4× when collecting looks cheap: under a burst
 * of GraphQL pages (each allocates about 10 MB, most of it promoted while 50 requests overlap) a
 * 70 MB live heap grew to 290 MB of old space before V8 collected, and the process stayed at
 * 340 MB RSS after the burst. At 100% (twice the live heap) the same load peaks near 250 MB
 * for about the same CPU (docs/PERFORMANCE.md, B7).
 *
 * And no allocation-site pretenuring. Under a burst (B5: 50 requests in flight, each waiting on
 * PostgreSQL) a request's objects outlive two scavenges, so V8 learns to allocate them straight
 * into the old generation, and keeps doing so once the burst is over: at a steady 300 req/s the
 * old generation then grew by about 10 MB/s and a full collection came every 6–7 s, each one
 * a cluster of 50–85 ms responses (B5b's p99). Without pretenuring, the same load promotes about
 * 4 MB/s and collects fully every 15–20 s.
 *
 * V8 reads both flags as it goes (heap sizing after each collection, pretenuring decisions at
 * each scavenge), so setting them at boot, once, applies to the whole process. 0 keeps V8's own
 * heuristics for both.
 */
export function applyHeapPolicy(growthPercent: number): void {
  if (growthPercent <= 0) return;
  setFlagsFromString(`--heap-growing-percent=${growthPercent}`);
  setFlagsFromString('--no-allocation-site-pretenuring');
}
