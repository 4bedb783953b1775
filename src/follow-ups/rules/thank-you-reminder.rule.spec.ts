import { DateTime } from 'luxon';
import type { DueTime, TimingContext } from '../domain/timing';
import { DEFAULT_WINDOW_CONFIG } from '../domain/windows';
import { DEFAULT_POLICY } from './policy';
import { thankYouReminder } from './thank-you-reminder.rule';

const NY = 'America/New_York';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const P = DEFAULT_POLICY;

const thankYouReminderDue = (input: { endsAt: Date; completedAt?: Date; now: Date }, timing: { after: string }, c: TimingContext): DueTime =>
  thankYouReminder.due({ endsAt: input.endsAt, completedAt: input.completedAt ?? null }, { ...P.thank_you_reminder, timing }, c, input.now);

describe('thank_you_reminder', () => {
  const timing = P.thank_you_reminder.timing;

  it('is due an hour after the end', () => {
    const end = at('2025-06-10T11:00');
    expect(thankYouReminderDue({ endsAt: end, now: end }, timing, ctx)).toEqual(dueAt(at('2025-06-10T12:00')));
  });

  it('waits for the window', () => {
    const end = at('2025-06-10T20:30');
    expect(thankYouReminderDue({ endsAt: end, now: end }, timing, ctx)).toEqual(dueAt(at('2025-06-11T08:00')));
  });
});

describe('thank_you_reminder, completed early', () => {
  it('is timed from the completion when the interview ended early', () => {
    const end = at('2025-06-10T15:00');
    const completed = at('2025-06-10T14:20');
    expect(thankYouReminderDue({ endsAt: end, completedAt: completed, now: completed }, P.thank_you_reminder.timing, ctx)).toEqual(dueAt(at('2025-06-10T15:20')));
  });
});
