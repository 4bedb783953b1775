import { durationProblem, humanizeDuration, parseDuration } from './durations';

describe('durations', () => {
  it.each(['P7D', 'PT2H', 'PT24H', 'P1W', 'P1DT12H', 'PT90M', 'PT0.5S', 'P1Y', 'P1M'])('accepts %s', (iso) => {
    expect(durationProblem(iso)).toBeNull();
    expect(parseDuration(iso).isValid).toBe(true);
  });

  it('accepts lower case and spaces, normalising them', () => {
    expect(durationProblem(' p7d ')).toBeNull();
    expect(parseDuration(' p7d ').toISO()).toBe('P7D');
  });

  it.each([
    ['P', /not an ISO-8601 duration/],
    ['PT', /not an ISO-8601 duration/],
    ['P-1D', /not an ISO-8601 duration/],
    ['-P1D', /not an ISO-8601 duration/],
    ['P1.5D', /not an ISO-8601 duration/],
    ['7 days', /not an ISO-8601 duration/],
    ['P1DT', /not an ISO-8601 duration/],
    ['PT0S', /longer than zero/],
    ['P0D', /longer than zero/],
    ['P2Y', /too long/],
    ['P400D', /too long/],
  ])('rejects %s', (iso, message) => {
    expect(durationProblem(iso)).toMatch(message);
    expect(() => parseDuration(iso)).toThrow(RangeError);
  });

  it('rejects a non-string', () => {
    expect(durationProblem(7)).toMatch(/must be an ISO-8601 duration string/);
    expect(durationProblem(null)).toMatch(/must be an ISO-8601 duration string/);
  });

  it('humanizes for reasons', () => {
    expect(humanizeDuration('PT2H')).toBe('2 hours');
    expect(humanizeDuration('PT24H')).toBe('24 hours');
    expect(humanizeDuration('P1D')).toBe('1 day');
  });
});
