import { parseIsoDateTime } from './iso-date-time';

describe('parseIsoDateTime', () => {
  it.each([
    ['2026-12-03T15:00:00Z', '2026-12-03T15:00:00.000Z'],
    ['2026-12-03T15:00:00.123Z', '2026-12-03T15:00:00.123Z'],
    ['2026-12-03T10:00:00-05:00', '2026-12-03T15:00:00.000Z'],
    ['2026-12-03T15:00Z', '2026-12-03T15:00:00.000Z'],
    ['2026-12-03', '2026-12-03T00:00:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseIsoDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ['February 30th', '2026-02-30T10:00:00Z'],
    ['February 29th of a common year', '2026-02-29T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['hour 24', '2026-12-01T24:00:00Z'],
    ['minute 60', '2026-12-01T10:60:00Z'],
    ['an offset of 25 hours', '2026-12-01T10:00:00+25:00'],
    ['a six-digit year', '+275760-09-13T00:00:00Z'],
    ['words', 'next tuesday'],
    ['a US date', '12/03/2026'],
    ['an RFC 2822 date', 'Thu, 03 Dec 2026 15:00:00 GMT'],
    ['a number', 1764600000000],
    ['an empty string', ''],
  ])('refuses %s', (_what, value) => {
    expect(parseIsoDateTime(value)).toBeUndefined();
  });
});
