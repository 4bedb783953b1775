import { MAX_ATTEMPTS, retryDelayMs } from './backoff';

describe('retry backoff', () => {
  it('grows exponentially, stays within [ceiling/2, ceiling], and caps at an hour', () => {
    const low = [1, 2, 3, 4].map((a) => retryDelayMs(a, () => 0));
    const high = [1, 2, 3, 4].map((a) => retryDelayMs(a, () => 1));
    expect(low).toEqual([15_000, 30_000, 60_000, 120_000]);
    expect(high).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20, () => 1)).toBe(3_600_000);
  });

  it('jitters: two dispatchers retrying the same moment spread out', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3)));
    expect(delays.size).toBeGreaterThan(40);
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(3);
  });
});
