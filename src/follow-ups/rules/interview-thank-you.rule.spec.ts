import { DateTime } from 'luxon';
import type { DueTime, TimingContext } from '../domain/timing';
import { DEFAULT_WINDOW_CONFIG } from '../domain/windows';
import { DEFAULT_POLICY } from './policy';
import { interviewThankYou } from './interview-thank-you.rule';

const NY = 'America/New_York';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const P = DEFAULT_POLICY;

const interviewThankYouDue = (input: { endsAt: Date; completedAt?: Date; now: Date }, timing: { after: string; deadline: string }, c: TimingContext): DueTime =>
  interviewThankYou.due({ endsAt: input.endsAt, completedAt: input.completedAt ?? null }, { ...P.interview_thank_you, timing }, c, input.now);

describe('interview_thank_you', () => {
  const timing = P.interview_thank_you.timing;

  it('is due 2 hours after the end', () => {
    const end = at('2025-06-10T14:00');
    expect(interviewThankYouDue({ endsAt: end, now: end }, timing, ctx)).toEqual(dueAt(at('2025-06-10T16:00')));
  });

  it('waits for the next morning when that is within 24 hours', () => {
    const end = at('2025-06-10T20:00');
    expect(interviewThankYouDue({ endsAt: end, now: end }, timing, ctx)).toEqual(dueAt(at('2025-06-11T08:00')));
  });

  it('is skipped when the next window opens more than 24 hours after the end', () => {
    const end = at('2025-06-13T20:00'); // Friday
    expect(interviewThankYouDue({ endsAt: end, now: end }, timing, weekdays)).toEqual({
      kind: 'skip',
      reason: 'the next sending window opens Mon 16 Jun, 08:00 EDT, more than 24 hours after the interview ended',
    });
  });

  it('goes now when marked completed late, within the deadline', () => {
    const end = at('2025-06-10T09:00');
    const now = at('2025-06-10T15:00');
    expect(interviewThankYouDue({ endsAt: end, now }, timing, ctx)).toEqual(dueAt(now));
  });

  it('is skipped when marked completed after the deadline', () => {
    const end = at('2025-06-10T09:00');
    expect(interviewThankYouDue({ endsAt: end, now: at('2025-06-11T09:30') }, timing, ctx)).toEqual({
      kind: 'skip',
      reason: 'more than 24 hours have passed since the interview ended',
    });
  });

  it('PT24H is elapsed time across a DST change', () => {
    // Ends Saturday 20:30 EST; deadline is Sunday 21:30 EDT (24 elapsed hours).
    const end = at('2025-03-08T20:30');
    const narrow: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, sms: { start: '21:15', end: '21:45' }, email: { start: '21:15', end: '21:45' } } };
    expect(interviewThankYouDue({ endsAt: end, now: end }, timing, narrow)).toEqual(dueAt(at('2025-03-09T21:15')));
  });
});

describe('interview_thank_you, completed early', () => {
  const timing = P.interview_thank_you.timing;

  it('is timed from the completion when the interview ended early', () => {
    const end = at('2025-06-10T15:00');
    const completed = at('2025-06-10T14:10');
    expect(interviewThankYouDue({ endsAt: end, completedAt: completed, now: completed }, timing, ctx)).toEqual(dueAt(at('2025-06-10T16:10')));
  });

  it('a completion after the scheduled end changes nothing', () => {
    const end = at('2025-06-10T14:00');
    const completed = at('2025-06-10T14:30');
    expect(interviewThankYouDue({ endsAt: end, completedAt: completed, now: completed }, timing, ctx)).toEqual(dueAt(at('2025-06-10T16:00')));
  });

  it('the deadline still counts from the scheduled end', () => {
    // Completed at 20:00 the evening before a 09:00 end? No: completed early at 06:30, window opens 08:00.
    const end = at('2025-06-10T09:00');
    const completed = at('2025-06-10T06:30');
    expect(interviewThankYouDue({ endsAt: end, completedAt: completed, now: completed }, timing, ctx)).toEqual(dueAt(at('2025-06-10T08:30')));
    expect(interviewThankYouDue({ endsAt: end, completedAt: completed, now: at('2025-06-11T09:30') }, timing, ctx)).toEqual({
      kind: 'skip',
      reason: 'more than 24 hours have passed since the interview ended',
    });
  });
});
