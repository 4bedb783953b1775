/**
 * Exponential backoff with full jitter for retryable provider answers:
 * attempt 1 → up to 30 s, 2 → 60 s, 3 → 120 s … capped at 1 h. After MAX_ATTEMPTS the
 * follow-up fails with the last reason.
 */
export const MAX_ATTEMPTS = 8;
const BASE_MS = 30_000;
const CAP_MS = 3_600_000;

export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never immediate, never synchronised across dispatchers.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
