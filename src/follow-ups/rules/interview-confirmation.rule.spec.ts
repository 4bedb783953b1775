import { DateTime } from 'luxon';
import type { DueTime, TimingContext } from '../domain/timing';
import { DEFAULT_WINDOW_CONFIG } from '../domain/windows';
import { DEFAULT_POLICY } from './policy';
import { interviewConfirmation } from './interview-confirmation.rule';

const NY = 'America/New_York';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const P = DEFAULT_POLICY;
const LONDON = 'Europe/London';
const utc = (iso: string): Date => new Date(iso);
const HOUR = 3_600_000;

const interviewConfirmationDue = (input: { startsAt: Date; now: Date }, timing: { before: string; minLeadTime: string }, c: TimingContext): DueTime =>
  interviewConfirmation.due({ startsAt: input.startsAt }, { ...P.interview_confirmation, timing }, c, input.now);

describe('interview_confirmation', () => {
  const timing = P.interview_confirmation.timing;
  const monday = at('2025-06-09T09:00');
  const confirm = (startsAt: Date, now: Date, context: TimingContext = ctx): DueTime =>
    interviewConfirmationDue({ startsAt, now }, timing, context);

  it('is due at the same clock time the day before', () => {
    expect(confirm(at('2025-06-11T10:00'), monday)).toEqual(dueAt(at('2025-06-10T10:00')));
  });

  it('an interview at 07:00: the day before at 07:00 is before the SMS window, so 08:00', () => {
    expect(confirm(at('2025-06-11T07:00'), monday)).toEqual(dueAt(at('2025-06-10T08:00')));
  });

  it('an interview at 07:00 confirmed by email can go at 07:00 (email window opens at 07:00)', () => {
    expect(confirm(at('2025-06-11T07:00'), monday, { ...ctx, channel: 'email' })).toEqual(dueAt(at('2025-06-10T07:00')));
  });

  it("an interview at 22:00 moves EARLIER, to the day before's last window moment (20:45)", () => {
    expect(confirm(at('2025-06-11T22:00'), monday)).toEqual(dueAt(at('2025-06-10T20:45')));
  });

  it("an interview just after midnight goes at the previous day's opening", () => {
    expect(confirm(at('2025-06-11T00:30'), monday)).toEqual(dueAt(at('2025-06-10T08:00')));
  });

  it('respects a narrowed SMS window', () => {
    const narrow: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, sms: { start: '09:00', end: '18:00' } } };
    expect(confirm(at('2025-06-11T19:00'), monday, narrow)).toEqual(dueAt(at('2025-06-10T17:45')));
    expect(confirm(at('2025-06-11T08:30'), monday, narrow)).toEqual(dueAt(at('2025-06-10T09:00')));
  });

  describe('less than a day away', () => {
    it('goes now when now is inside the window', () => {
      const now = at('2025-06-10T12:00');
      expect(confirm(at('2025-06-11T09:00'), now)).toEqual(dueAt(now));
    });

    it('goes at the next opening when that is at least 2 hours before the start', () => {
      expect(confirm(at('2025-06-11T11:00'), at('2025-06-10T22:00'))).toEqual(dueAt(at('2025-06-11T08:00')));
      expect(confirm(at('2025-06-11T10:00'), at('2025-06-10T22:00'))).toEqual(dueAt(at('2025-06-11T08:00')));
    });

    it('is skipped when the next opening is less than 2 hours before the start', () => {
      const result = confirm(at('2025-06-11T09:30'), at('2025-06-10T22:00'));
      expect(result).toEqual({
        kind: 'skip',
        reason: 'the next sending window opens Wed 11 Jun, 08:00 EDT, less than 2 hours before the interview',
      });
    });

    it('goes now when the day-before target is later today but its last moment has passed', () => {
      // Now 20:50, interview tomorrow 22:00: the target (today 22:00) would move to 20:45, gone.
      const now = at('2025-06-10T20:50');
      expect(confirm(at('2025-06-11T22:00'), now)).toEqual(dueAt(now));
    });

    it('moves to the opening when now is early on the day before', () => {
      expect(confirm(at('2025-06-11T07:00'), at('2025-06-10T06:00'))).toEqual(dueAt(at('2025-06-10T08:00')));
    });
  });

  it('is skipped when the interview starts in less than 2 hours', () => {
    expect(confirm(at('2025-06-10T13:30'), at('2025-06-10T12:00'))).toEqual({
      kind: 'skip',
      reason: 'the interview starts in less than 2 hours',
    });
  });

  it('exactly 2 hours before is still allowed', () => {
    const now = at('2025-06-10T12:00');
    expect(confirm(at('2025-06-10T14:00'), now)).toEqual(dueAt(now));
  });

  it('is skipped when the interview has started', () => {
    const now = at('2025-06-10T12:00');
    expect(confirm(now, now)).toEqual({ kind: 'skip', reason: 'the interview has already started' });
  });

  describe('across DST', () => {
    it('New York spring-forward: day-before 10:00 EST is 23 hours before 10:00 EDT', () => {
      const startsAt = at('2025-03-09T10:00');
      const result = confirm(startsAt, at('2025-03-03T09:00'));
      expect(result).toEqual(dueAt(utc('2025-03-08T15:00:00Z')));
      expect(result.kind === 'due' && startsAt.getTime() - result.at.getTime()).toBe(23 * HOUR);
    });

    it('New York: an interview on the Monday after spring-forward at 07:00 → Sunday 08:00 EDT', () => {
      expect(confirm(at('2025-03-10T07:00'), at('2025-03-03T09:00'))).toEqual(dueAt(utc('2025-03-09T12:00:00Z')));
    });

    it('New York fall-back: day-before 10:00 EDT is 25 hours before 10:00 EST', () => {
      const startsAt = at('2025-11-02T10:00');
      expect(confirm(startsAt, at('2025-10-27T09:00'))).toEqual(dueAt(utc('2025-11-01T14:00:00Z')));
    });

    it('New York fall-back day: 22:00 the next day moves earlier to 20:45 EST on the change day', () => {
      expect(confirm(at('2025-11-03T22:00'), at('2025-10-27T09:00'))).toEqual(dueAt(utc('2025-11-03T01:45:00Z')));
    });

    it('an ambiguous day-before time (01:30 on fall-back day) gives one instant: the opening', () => {
      const startsAt = at('2025-11-03T01:30');
      const first = confirm(startsAt, at('2025-10-27T09:00'));
      const again = confirm(startsAt, at('2025-10-30T09:00'));
      expect(first).toEqual(dueAt(utc('2025-11-02T13:00:00Z')));
      expect(again).toEqual(first);
    });

    it('London spring-forward and fall-back', () => {
      expect(confirm(at('2025-03-31T09:00', LONDON), at('2025-03-24T09:00', LONDON), { ...ctx, zone: LONDON })).toEqual(
        dueAt(utc('2025-03-30T08:00:00Z')),
      );
      expect(confirm(at('2025-10-26T09:00', LONDON), at('2025-10-20T09:00', LONDON), { ...ctx, zone: LONDON })).toEqual(
        dueAt(utc('2025-10-25T08:00:00Z')),
      );
    });
  });

  describe('with businessDaysOnly, when the day before is a weekend', () => {
    it('waits for the next opening (Monday 08:00) when that leaves 2 hours', () => {
      expect(confirm(at('2025-06-16T14:00'), monday, weekdays)).toEqual(dueAt(at('2025-06-16T08:00')));
    });

    it('is skipped when Monday 08:00 is too close to the interview', () => {
      expect(confirm(at('2025-06-16T09:00'), monday, weekdays).kind).toBe('skip');
    });

    it('is not pulled forward to now when the target is days away', () => {
      const result = confirm(at('2025-06-16T14:00'), at('2025-06-11T10:00'), weekdays);
      expect(result).toEqual(dueAt(at('2025-06-16T08:00')));
    });
  });

  it("uses the recipient's zone", () => {
    const la: TimingContext = { ...ctx, zone: 'America/Los_Angeles' };
    expect(confirm(at('2025-06-11T07:00', 'America/Los_Angeles'), monday, la)).toEqual(dueAt(at('2025-06-10T08:00', 'America/Los_Angeles')));
  });

  it('follows tenant timing', () => {
    const result = interviewConfirmationDue(
      { startsAt: at('2025-06-13T10:00'), now: monday },
      { before: 'P2D', minLeadTime: 'PT4H' },
      ctx,
    );
    expect(result).toEqual(dueAt(at('2025-06-11T10:00')));
    const tooClose = interviewConfirmationDue({ startsAt: at('2025-06-10T12:00'), now: at('2025-06-10T09:00') }, { before: 'P1D', minLeadTime: 'PT4H' }, ctx);
    expect(tooClose).toEqual({ kind: 'skip', reason: 'the interview starts in less than 4 hours' });
  });
});
