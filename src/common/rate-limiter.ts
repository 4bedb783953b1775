/**
 * A fixed-window counter per key, in process memory. It bounds abuse per process; several
 * processes each apply it (docs/ARCHITECTURE.md explains the trade-off).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts `weight` hits (one by default); returns the seconds to wait when over the limit, else 0. */
  hit(key: string, nowMs: number, weight = 1): number {
    let w = this.windows.get(key);
    if (!w || nowMs - w.start >= this.windowMs) {
      if (this.windows.size >= this.maxKeys) this.sweep(nowMs);
      w = { start: nowMs, count: 0 };
      this.windows.set(key, w);
    }
    w.count += weight;
    if (w.count > this.limit) return Math.max(1, Math.ceil((w.start + this.windowMs - nowMs) / 1000));
    return 0;
  }

  private sweep(nowMs: number): void {
    for (const [key, w] of this.windows) {
      if (nowMs - w.start >= this.windowMs) this.windows.delete(key);
    }
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}
