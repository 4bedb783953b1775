import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what its last full collection kept before it
 * collects again. Left to itself, V8 grows it up to 4× when collecting looks cheap: under a burst
 * of GraphQL pages (each allocates about 10 MB, most of it promoted while 50 requests overlap) a
 * 70 MB live heap grew to 290 MB of old space before V8 collected, and the process stayed at
 * 340 MB RSS after the burst. At 100% (twice the live heap) the same load peaks near 250 MB
 * for about the same CPU (docs/PERFORMANCE.md, B7).
 *
 * V8 reads this flag each time it sizes the heap after a collection, so setting it at boot, once,
 * applies to the whole process. 0 keeps V8's own heuristics.
 */
export function applyHeapPolicy(growthPercent: number): void {
  if (growthPercent > 0) setFlagsFromString(`--heap-growing-percent=${growthPercent}`);
}
