import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('refuses past the limit within the window and forgets it after', () => {
    const l = new RateLimiter(2, 60_000);
    expect([l.hit('a', 0), l.hit('a', 1), l.hit('a', 2)]).toEqual([0, 0, 60]);
    expect(l.hit('a', 60_000)).toBe(0);
  });

  it('a flood of new keys evicts the idle ones, never the key under attack (no reset of all counters)', () => {
    const l = new RateLimiter(3, 60_000, 100);
    for (let i = 0; i < 3; i++) expect(l.hit('login:victim@example.com', i)).toBe(0);
    for (let i = 0; i < 10_000; i++) {
      l.hit(`spoofed-${i}`, 10 + i);
      // The attacker keeps trying the victim between the spoofed keys: still refused.
      if (i % 50 === 0) expect(l.hit('login:victim@example.com', 10 + i)).toBeGreaterThan(0);
    }
    expect(l.size).toBeLessThanOrEqual(100);
    expect(l.hit('login:victim@example.com', 20_000)).toBeGreaterThan(0);
  });

  it('evicts the least recently used key first', () => {
    const l = new RateLimiter(1, 60_000, 2);
    l.hit('old', 0);
    l.hit('kept', 1);
    l.hit('old', 2); // refused, and now the most recently used
    l.hit('new', 3); // evicts "kept"
    expect(l.hit('old', 4)).toBeGreaterThan(0);
    expect(l.hit('kept', 5)).toBe(0);
  });
});
