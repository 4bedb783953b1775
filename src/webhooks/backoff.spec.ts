import { MAX_DELIVERY_ATTEMPTS, webhookRetryDelayMs } from './backoff';

describe('webhook retry schedule', () => {
  it('grows exponentially, is capped at 4 h, and spans about 24 h over 15 attempts', () => {
    expect(webhookRetryDelayMs(1, () => 0.999999)).toBeLessThanOrEqual(60_000);
    expect(webhookRetryDelayMs(1, () => 0)).toBe(48_000);
    expect(webhookRetryDelayMs(5, () => 0.999999)).toBeLessThanOrEqual(16 * 60_000);
    expect(webhookRetryDelayMs(14, () => 0.999999)).toBeLessThanOrEqual(4 * 3_600_000);
    const total = (r: number): number => Array.from({ length: MAX_DELIVERY_ATTEMPTS - 1 }, (_, i) => webhookRetryDelayMs(i + 1, () => r)).reduce((a, b) => a + b, 0);
    expect(total(0) / 3_600_000).toBeGreaterThan(22);
    expect(total(0.999999) / 3_600_000).toBeLessThan(29);
  });
});
