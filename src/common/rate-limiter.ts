/**
 * A fixed-window counter per key, in process memory. It bounds abuse per process; several
 * processes each apply it (docs/ARCHITECTURE.md explains the trade-off).
 *
 * Memory is bounded by `maxKeys`: past it, the least recently used key is forgotten (a Map keeps
 * insertion order, and every hit moves its key to the end). A flood of new keys therefore evicts
 * the idle ones, never the key under attack, which is hit all the time; nothing clears all counters.
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
    if (w) this.windows.delete(key);
    if (!w || nowMs - w.start >= this.windowMs) w = { start: nowMs, count: 0 };
    this.windows.set(key, w);
    if (this.windows.size > this.maxKeys) this.evictLeastRecentlyUsed();
    w.count += weight;
    if (w.count > this.limit) return Math.max(1, Math.ceil((w.start + this.windowMs - nowMs) / 1000));
    return 0;
  }

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  private evictLeastRecentlyUsed(): void {
    for (const key of this.windows.keys()) {
      this.windows.delete(key);
      if (this.windows.size <= this.maxKeys) return;
    }
  }
}
