/**
 * Webhook retry schedule: exponential backoff with jitter, about 24 h in all.
 * Attempt n (1-based) that fails waits min(4 h, 1 min × 2^(n-1)) × a jitter factor in [0.8, 1):
 * 1, 2, 4, 8, 16, 32, 64, 128 min, then 4 h × 6. The 15th failed attempt is final: the delivery
 * is dead and its subscription flagged `failing`. Sum of the waits: 22.6 h to 28.3 h.
 */
export const MAX_DELIVERY_ATTEMPTS = 15;
const BASE_MS = 60_000;
const CAP_MS = 4 * 3_600_000;

export function webhookRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.8 + 0.2 * random()));
}
