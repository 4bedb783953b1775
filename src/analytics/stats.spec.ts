import { confidenceAhead, normalCdf, normalQuantile, wilson } from './stats';
import { promotionDecision } from './variant-promotion';

describe('analytics statistics', () => {
  it('the normal distribution, against table values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('Wilson intervals, against published values', () => {
    // 95%: 0 of 10 → [0, 0.2775]; 5 of 10 → [0.2366, 0.7634]; 81 of 263 → [0.2553, 0.3662].
    expect(wilson(0, 10, 0.95)!.low).toBe(0);
    expect(wilson(0, 10, 0.95)!.high).toBeCloseTo(0.2775, 4);
    expect(wilson(5, 10, 0.95)!.low).toBeCloseTo(0.2366, 4);
    expect(wilson(5, 10, 0.95)!.high).toBeCloseTo(0.7634, 4);
    expect(wilson(81, 263, 0.95)!.low).toBeCloseTo(0.2553, 4);
    expect(wilson(81, 263, 0.95)!.high).toBeCloseTo(0.3662, 4);
    expect(wilson(0, 0, 0.95)).toBeNull();
  });

  it('two-proportion z-test: 7/10 vs 3/10 is z = 0.4 / sqrt(0.5 * 0.5 * 0.2) = 1.7889, 96.32% sure', () => {
    expect(confidenceAhead({ hits: 7, n: 10 }, { hits: 3, n: 10 })).toBeCloseTo(0.96318, 4);
    expect(confidenceAhead({ hits: 6, n: 10 }, { hits: 3, n: 10 })).toBeCloseTo(0.91121, 4);
    expect(confidenceAhead({ hits: 3, n: 10 }, { hits: 3, n: 10 })).toBe(0.5);
    expect(confidenceAhead({ hits: 10, n: 10 }, { hits: 10, n: 10 })).toBe(0.5);
  });

  it('promotion: minSends per variant, then the confidence, each exactly at its threshold', () => {
    const s = { confidence: 0.95, minSends: 10 };
    expect(promotionDecision([{ name: 'a', sent: 10, replied: 9 }, { name: 'b', sent: 9, replied: 0 }], s)).toBeNull();
    expect(promotionDecision([{ name: 'a', sent: 10, replied: 6 }, { name: 'b', sent: 10, replied: 3 }], s)).toBeNull();
    expect(promotionDecision([{ name: 'a', sent: 10, replied: 7 }, { name: 'b', sent: 10, replied: 3 }], s)).toEqual({ variant: 'a', confidence: expect.closeTo(0.96318, 4) });
    const exact = confidenceAhead({ hits: 7, n: 10 }, { hits: 3, n: 10 });
    expect(promotionDecision([{ name: 'a', sent: 10, replied: 7 }, { name: 'b', sent: 10, replied: 3 }], { ...s, confidence: exact })).toEqual({ variant: 'a', confidence: exact });
    expect(promotionDecision([{ name: 'a', sent: 10, replied: 7 }, { name: 'b', sent: 10, replied: 3 }], { ...s, confidence: exact + 1e-9 })).toBeNull();
    // The leader must beat every other variant.
    expect(promotionDecision([{ name: 'a', sent: 10, replied: 7 }, { name: 'b', sent: 10, replied: 3 }, { name: 'c', sent: 10, replied: 6 }], s)).toBeNull();
  });
});
