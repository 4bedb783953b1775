import { DateTime, Settings } from 'luxon';
import {
  DEFAULT_WINDOW_CONFIG,
  canonicalIanaZone,
  effectiveWindow,
  formatLocal,
  isValidIanaZone,
  isWithinWindow,
  latestWindowMomentOnDay,
  localDateOf,
  minusLocal,
  nextWindowOpening,
  plusLocal,
  resolveZone,
  startOfLocalDay,
  validateWindowConfig,
  wallTimeToInstant,
  windowOnDay,
} from './windows';
import type { WindowChannel, WindowConfig } from './windows';

const NY = 'America/New_York';
const LONDON = 'Europe/London';
const utc = (iso: string): Date => new Date(iso);
const local = (iso: string, zone: string): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const cfg = (overrides: Partial<WindowConfig> = {}): WindowConfig => ({ ...DEFAULT_WINDOW_CONFIG, ...overrides });
const HOUR = 3_600_000;

describe('validateWindowConfig', () => {
  it('accepts the defaults and returns them', () => {
    const result = validateWindowConfig({});
    expect(result).toEqual({ ok: true, value: DEFAULT_WINDOW_CONFIG });
  });

  it('lets a tenant narrow the SMS window and widen email', () => {
    const result = validateWindowConfig({ sms: { start: '09:00', end: '17:30' }, email: { start: '06:00', end: '22:00' }, businessDaysOnly: true });
    expect(result).toEqual({
      ok: true,
      value: { sms: { start: '09:00', end: '17:30' }, email: { start: '06:00', end: '22:00' }, businessDaysOnly: true },
    });
  });

  it('merges a partial window onto the base', () => {
    const result = validateWindowConfig({ sms: { end: '20:00' } });
    expect(result.ok && result.value.sms).toEqual({ start: '08:00', end: '20:00' });
  });

  it.each([
    [{ sms: { start: '07:59' } }, 'sms.start', /before 08:00/],
    [{ sms: { end: '21:01' } }, 'sms.end', /after 21:00/],
  ])('never lets SMS be widened: %j', (input, field, message) => {
    const result = validateWindowConfig(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it.each(['8:00', '24:00', '12:60', '0800', '', 800, null])('rejects a malformed time %j naming the field', (time) => {
    const result = validateWindowConfig({ email: { start: time ?? undefined, end: time } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.field)).toContain('email.end');
  });

  it('requires start before end', () => {
    const result = validateWindowConfig({ email: { start: '18:00', end: '09:00' } });
    expect(!result.ok && result.errors).toEqual([{ field: 'email.end', message: expect.stringContaining('later than email.start') }]);
    const equal = validateWindowConfig({ sms: { start: '10:00', end: '10:00' } });
    expect(!equal.ok && equal.errors[0]?.field).toBe('sms.end');
  });

  it('names unknown keys and wrong types', () => {
    const result = validateWindowConfig({ whatsapp: {}, businessDaysOnly: 'yes', sms: { start: '09:00', middle: '12:00' }, email: 'all day' });
    expect(!result.ok && result.errors.map((e) => e.field).sort()).toEqual(['businessDaysOnly', 'email', 'sms.middle', 'whatsapp']);
  });

  it('rejects a non-object', () => {
    expect(validateWindowConfig(null).ok).toBe(false);
    expect(validateWindowConfig(['08:00']).ok).toBe(false);
  });
});

describe('zones', () => {
  it('recognises IANA zones', () => {
    expect(isValidIanaZone(NY)).toBe(true);
    expect(isValidIanaZone('UTC')).toBe(true);
    expect(isValidIanaZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidIanaZone('')).toBe(false);
    expect(isValidIanaZone(42)).toBe(false);
  });

  it('canonicalises the spelling', () => {
    expect(canonicalIanaZone('america/new_york')).toBe(NY);
    expect(canonicalIanaZone('nope')).toBeNull();
  });

  it("uses the recipient's zone, falling back to the tenant's", () => {
    expect(resolveZone('Europe/Paris', NY)).toBe('Europe/Paris');
    expect(resolveZone(null, NY)).toBe(NY);
    expect(resolveZone(undefined, NY)).toBe(NY);
    expect(resolveZone('Not/AZone', NY)).toBe(NY);
  });

  it('throws for an invalid tenant zone instead of guessing', () => {
    expect(() => resolveZone(null, 'Eastern')).toThrow(/tenant time zone "Eastern"/);
  });
});

describe('effectiveWindow', () => {
  it('uses the channel window, or the intersection for any', () => {
    const config = cfg({ sms: { start: '09:00', end: '21:00' }, email: { start: '07:00', end: '19:00' } });
    expect(effectiveWindow(config, 'sms')).toEqual({ start: '09:00', end: '21:00' });
    expect(effectiveWindow(config, 'email')).toEqual({ start: '07:00', end: '19:00' });
    expect(effectiveWindow(config, 'any')).toEqual({ start: '09:00', end: '19:00' });
  });

  it('is the SMS window with the defaults', () => {
    expect(effectiveWindow(DEFAULT_WINDOW_CONFIG, 'any')).toEqual({ start: '08:00', end: '21:00' });
  });

  it('falls back to the SMS window when the two do not overlap', () => {
    const config = cfg({ sms: { start: '12:00', end: '21:00' }, email: { start: '07:00', end: '09:00' } });
    expect(effectiveWindow(config, 'any')).toEqual({ start: '12:00', end: '21:00' });
  });
});

describe('wallTimeToInstant', () => {
  it('converts an ordinary local time', () => {
    expect(wallTimeToInstant('2025-06-10', '08:00', NY)).toEqual(utc('2025-06-10T12:00:00Z'));
    expect(wallTimeToInstant('2025-01-10', '08:00', LONDON)).toEqual(utc('2025-01-10T08:00:00Z'));
  });

  it('moves a time skipped by spring-forward to the moment of the change', () => {
    // New York, 2025-03-09: 02:00 EST jumps to 03:00 EDT (07:00Z). 02:30 does not exist.
    expect(wallTimeToInstant('2025-03-09', '02:30', NY)).toEqual(utc('2025-03-09T07:00:00Z'));
    expect(wallTimeToInstant('2025-03-09', '02:00', NY)).toEqual(utc('2025-03-09T07:00:00Z'));
    // London, 2025-03-30: 01:00 GMT jumps to 02:00 BST (01:00Z).
    expect(wallTimeToInstant('2025-03-30', '01:30', LONDON)).toEqual(utc('2025-03-30T01:00:00Z'));
  });

  it('resolves a repeated time to its first occurrence', () => {
    // New York, 2025-11-02: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(wallTimeToInstant('2025-11-02', '01:30', NY)).toEqual(utc('2025-11-02T05:30:00Z'));
    // London, 2025-10-26: 01:30 happens at 00:30Z (BST) and 01:30Z (GMT).
    expect(wallTimeToInstant('2025-10-26', '01:30', LONDON)).toEqual(utc('2025-10-26T00:30:00Z'));
  });

  it('resolves the same way whatever the machine clock says (no dependency on "now")', () => {
    const realNow = Settings.now;
    try {
      const answers = new Set(
        ['2025-01-15T12:00:00Z', '2025-07-15T12:00:00Z'].map((machineNow) => {
          Settings.now = () => Date.parse(machineNow);
          return wallTimeToInstant('2025-11-02', '01:30', NY).toISOString();
        }),
      );
      expect([...answers]).toEqual(['2025-11-02T05:30:00.000Z']);
    } finally {
      Settings.now = realNow;
    }
  });

  it('rejects malformed input', () => {
    expect(() => wallTimeToInstant('2025-02-30', '08:00', NY)).toThrow(RangeError);
    expect(() => wallTimeToInstant('2025-02-10', '8am', NY)).toThrow(RangeError);
    expect(() => wallTimeToInstant('2025-02-10', '08:00', 'Nowhere/Land')).toThrow(/invalid IANA/);
  });
});

describe('nextWindowOpening', () => {
  const config = DEFAULT_WINDOW_CONFIG;

  it('returns the instant itself inside the window', () => {
    const at = local('2025-06-10T12:34:56.789', NY);
    expect(nextWindowOpening(at, 'sms', NY, config)).toBe(at);
  });

  it('is inclusive at the start and exclusive at the end', () => {
    const opening = local('2025-06-10T08:00', NY);
    expect(nextWindowOpening(opening, 'sms', NY, config)).toEqual(opening);
    expect(nextWindowOpening(local('2025-06-10T21:00', NY), 'sms', NY, config)).toEqual(local('2025-06-11T08:00', NY));
  });

  it('waits for the opening later the same day', () => {
    expect(nextWindowOpening(local('2025-06-10T06:15', NY), 'sms', NY, config)).toEqual(local('2025-06-10T08:00', NY));
    expect(nextWindowOpening(local('2025-06-10T06:15', NY), 'email', NY, config)).toEqual(local('2025-06-10T07:00', NY));
  });

  it("moves past the close to the next day's opening", () => {
    expect(nextWindowOpening(local('2025-06-10T23:10', NY), 'sms', NY, config)).toEqual(local('2025-06-11T08:00', NY));
  });

  it("uses the recipient's local day, not UTC's", () => {
    // 03:00Z on 11 June is still 20:00 on 10 June in Los Angeles: inside the window.
    const at = utc('2025-06-11T03:00:00Z');
    expect(nextWindowOpening(at, 'sms', 'America/Los_Angeles', config)).toEqual(at);
    expect(nextWindowOpening(at, 'sms', NY, config)).toEqual(local('2025-06-11T08:00', NY));
  });

  it('skips the weekend with businessDaysOnly', () => {
    const weekdays = cfg({ businessDaysOnly: true });
    // Friday 2025-06-13 22:00 → Monday 08:00; Saturday noon → Monday 08:00.
    expect(nextWindowOpening(local('2025-06-13T22:00', NY), 'sms', NY, weekdays)).toEqual(local('2025-06-16T08:00', NY));
    expect(nextWindowOpening(local('2025-06-14T12:00', NY), 'sms', NY, weekdays)).toEqual(local('2025-06-16T08:00', NY));
    expect(nextWindowOpening(local('2025-06-14T12:00', NY), 'sms', NY, config)).toEqual(local('2025-06-14T12:00', NY));
  });

  it('judges the weekend in the recipient zone', () => {
    const weekdays = cfg({ businessDaysOnly: true });
    // Saturday 00:30 in London is still Friday 19:30 in New York.
    const at = utc('2025-06-13T23:30:00Z');
    expect(nextWindowOpening(at, 'sms', NY, weekdays)).toEqual(at);
    expect(nextWindowOpening(at, 'sms', LONDON, weekdays)).toEqual(local('2025-06-16T08:00', LONDON));
  });

  describe('across DST changes', () => {
    it('New York spring-forward: the night before waits for 08:00 EDT', () => {
      // Saturday 22:00 EST → Sunday 08:00 EDT (12:00Z), 9 elapsed hours later not 10.
      expect(nextWindowOpening(utc('2025-03-09T03:00:00Z'), 'sms', NY, config)).toEqual(utc('2025-03-09T12:00:00Z'));
      expect(nextWindowOpening(utc('2025-03-09T06:30:00Z'), 'sms', NY, config)).toEqual(utc('2025-03-09T12:00:00Z'));
    });

    it('New York fall-back: both passes of the repeated hour give the same single opening', () => {
      const firstPass = utc('2025-11-02T05:30:00Z'); // 01:30 EDT
      const secondPass = utc('2025-11-02T06:30:00Z'); // 01:30 EST
      expect(nextWindowOpening(firstPass, 'sms', NY, config)).toEqual(utc('2025-11-02T13:00:00Z'));
      expect(nextWindowOpening(secondPass, 'sms', NY, config)).toEqual(utc('2025-11-02T13:00:00Z'));
    });

    it('London spring-forward and fall-back', () => {
      expect(nextWindowOpening(utc('2025-03-30T00:30:00Z'), 'sms', LONDON, config)).toEqual(utc('2025-03-30T07:00:00Z'));
      expect(nextWindowOpening(utc('2025-10-26T00:30:00Z'), 'sms', LONDON, config)).toEqual(utc('2025-10-26T08:00:00Z'));
      expect(nextWindowOpening(utc('2025-10-26T01:30:00Z'), 'sms', LONDON, config)).toEqual(utc('2025-10-26T08:00:00Z'));
    });

    it('a window starting at a nonexistent local time opens at the change', () => {
      const early = cfg({ email: { start: '02:30', end: '21:00' } });
      // 01:00 EST on 2025-03-09 → 03:00 EDT (the first moment at or after 02:30).
      expect(nextWindowOpening(utc('2025-03-09T06:00:00Z'), 'email', NY, early)).toEqual(utc('2025-03-09T07:00:00Z'));
    });

    it('a window starting at a repeated local time opens once, at the first occurrence', () => {
      const early = cfg({ email: { start: '01:30', end: '21:00' } });
      expect(nextWindowOpening(utc('2025-11-02T04:00:00Z'), 'email', NY, early)).toEqual(utc('2025-11-02T05:30:00Z'));
      // During the repeated hour the window is already open: the instant itself.
      const repeated = utc('2025-11-02T06:15:00Z'); // 01:15 EST, second pass
      expect(nextWindowOpening(repeated, 'email', NY, early)).toEqual(repeated);
    });

    it('a window ending at a nonexistent local time closes at the change', () => {
      const night = cfg({ email: { start: '00:00', end: '02:30' } });
      expect(windowOnDay('2025-03-09', 'email', NY, night)).toEqual({ opensAt: utc('2025-03-09T05:00:00Z'), closesAt: utc('2025-03-09T07:00:00Z') });
    });

    it('handles a day that does not exist (Samoa skipped 30 Dec 2011)', () => {
      const apia = 'Pacific/Apia';
      const friday = local('2011-12-29T22:00', apia);
      expect(localDateOf(nextWindowOpening(friday, 'sms', apia, config), apia)).toBe('2011-12-31');
    });

    it.each([
      [NY, '2025-03-07T00:00:00Z'],
      [NY, '2025-10-31T00:00:00Z'],
      [LONDON, '2025-03-28T00:00:00Z'],
      [LONDON, '2025-10-24T00:00:00Z'],
    ])('for every quarter hour of a DST week in %s the answer is one in-window instant, stable', (zone, from) => {
      const start = utc(from).getTime();
      const businessDays = cfg({ businessDaysOnly: true });
      const cases: [WindowChannel, WindowConfig][] = [['sms', DEFAULT_WINDOW_CONFIG], ['email', businessDays], ['any', DEFAULT_WINDOW_CONFIG]];
      const violations: string[] = [];
      for (let t = start; t < start + 5 * 24 * HOUR; t += HOUR / 4) {
        for (const [channel, windows] of cases) {
          const at = nextWindowOpening(new Date(t), channel, zone, windows);
          const window = effectiveWindow(windows, channel);
          const clock = DateTime.fromJSDate(at, { zone }).toFormat('HH:mm');
          const ok = at.getTime() >= t && nextWindowOpening(at, channel, zone, windows).getTime() === at.getTime() && clock >= window.start && clock < window.end;
          if (!ok) violations.push(`${new Date(t).toISOString()} ${channel} → ${at.toISOString()}`);
        }
      }
      expect(violations).toEqual([]);
    });
  });

  it('throws on an inverted window rather than looping', () => {
    const broken = cfg({ sms: { start: '21:00', end: '08:00' } });
    expect(() => nextWindowOpening(utc('2025-06-10T12:00:00Z'), 'sms', NY, broken)).toThrow(/start must be before end/);
  });
});

describe('isWithinWindow', () => {
  it('is true only inside the window', () => {
    expect(isWithinWindow(local('2025-06-10T20:59', NY), 'sms', NY, DEFAULT_WINDOW_CONFIG)).toBe(true);
    expect(isWithinWindow(local('2025-06-10T21:00', NY), 'sms', NY, DEFAULT_WINDOW_CONFIG)).toBe(false);
    expect(isWithinWindow(local('2025-06-10T07:30', NY), 'sms', NY, DEFAULT_WINDOW_CONFIG)).toBe(false);
    expect(isWithinWindow(local('2025-06-10T07:30', NY), 'email', NY, DEFAULT_WINDOW_CONFIG)).toBe(true);
  });
});

describe('windowOnDay and latestWindowMomentOnDay', () => {
  it('gives the window of a local day', () => {
    expect(windowOnDay('2025-06-10', 'sms', NY, DEFAULT_WINDOW_CONFIG)).toEqual({
      opensAt: local('2025-06-10T08:00', NY),
      closesAt: local('2025-06-10T21:00', NY),
    });
  });

  it('has no window on a weekend with businessDaysOnly', () => {
    const weekdays = cfg({ businessDaysOnly: true });
    expect(windowOnDay('2025-06-14', 'sms', NY, weekdays)).toBeNull();
    expect(latestWindowMomentOnDay('2025-06-15', 'sms', NY, weekdays)).toBeNull();
  });

  it('the latest moment is 15 minutes before the close by default', () => {
    expect(latestWindowMomentOnDay('2025-06-10', 'sms', NY, DEFAULT_WINDOW_CONFIG)).toEqual(local('2025-06-10T20:45', NY));
    expect(latestWindowMomentOnDay('2025-06-10', 'sms', NY, DEFAULT_WINDOW_CONFIG, 0)).toEqual(local('2025-06-10T21:00', NY));
  });

  it('never falls before the opening of a very short window', () => {
    const short = cfg({ sms: { start: '12:00', end: '12:10' } });
    expect(latestWindowMomentOnDay('2025-06-10', 'sms', NY, short)).toEqual(local('2025-06-10T12:00', NY));
  });

  it('is correct on DST days', () => {
    expect(latestWindowMomentOnDay('2025-03-09', 'sms', NY, DEFAULT_WINDOW_CONFIG)).toEqual(utc('2025-03-10T00:45:00Z'));
    expect(latestWindowMomentOnDay('2025-11-02', 'sms', NY, DEFAULT_WINDOW_CONFIG)).toEqual(utc('2025-11-03T01:45:00Z'));
  });
});

describe('plusLocal and minusLocal', () => {
  it('P1D keeps the clock time across spring-forward (23 elapsed hours)', () => {
    const saturday = local('2025-03-08T10:00', NY);
    const sunday = plusLocal(saturday, 'P1D', NY);
    expect(sunday).toEqual(local('2025-03-09T10:00', NY));
    expect(sunday.getTime() - saturday.getTime()).toBe(23 * HOUR);
    expect(minusLocal(sunday, 'P1D', NY)).toEqual(saturday);
  });

  it('P1D keeps the clock time across fall-back (25 elapsed hours)', () => {
    const saturday = local('2025-11-01T10:00', NY);
    expect(plusLocal(saturday, 'P1D', NY).getTime() - saturday.getTime()).toBe(25 * HOUR);
  });

  it('PT24H is always 24 elapsed hours', () => {
    const saturday = local('2025-03-08T10:00', NY);
    expect(plusLocal(saturday, 'PT24H', NY)).toEqual(local('2025-03-09T11:00', NY));
  });

  it('applies calendar parts first, then clock parts', () => {
    expect(plusLocal(local('2025-03-08T23:30', NY), 'P1DT2H', NY)).toEqual(local('2025-03-10T01:30', NY));
    expect(plusLocal(local('2025-06-10T09:00', NY), 'P1W', NY)).toEqual(local('2025-06-17T09:00', NY));
  });

  it('clamps month ends', () => {
    expect(plusLocal(local('2025-01-31T09:00', NY), 'P1M', NY)).toEqual(local('2025-02-28T09:00', NY));
  });

  it('a day shift landing on a skipped time moves to the change; on a repeated time, the first', () => {
    expect(plusLocal(local('2025-03-08T02:30', NY), 'P1D', NY)).toEqual(utc('2025-03-09T07:00:00Z'));
    expect(minusLocal(local('2025-11-03T01:30', NY), 'P1D', NY)).toEqual(utc('2025-11-02T05:30:00Z'));
  });

  it('a pure clock duration never re-resolves the instant (second pass of a repeated hour)', () => {
    const secondPass = utc('2025-11-02T06:10:00Z'); // 01:10 EST
    expect(plusLocal(secondPass, 'PT10M', NY)).toEqual(utc('2025-11-02T06:20:00Z'));
  });

  it('rejects an invalid duration', () => {
    expect(() => plusLocal(utc('2025-06-10T12:00:00Z'), 'P-1D', NY)).toThrow(RangeError);
  });
});

describe('small helpers', () => {
  it('localDateOf and startOfLocalDay use the zone', () => {
    const at = utc('2025-06-11T02:00:00Z');
    expect(localDateOf(at, NY)).toBe('2025-06-10');
    expect(localDateOf(at, LONDON)).toBe('2025-06-11');
    expect(startOfLocalDay(at, NY)).toEqual(local('2025-06-10T00:00', NY));
  });

  it('formatLocal is readable and names the zone', () => {
    expect(formatLocal(local('2025-03-11T08:00', NY), NY)).toBe('Tue 11 Mar, 08:00 EDT');
  });
});
