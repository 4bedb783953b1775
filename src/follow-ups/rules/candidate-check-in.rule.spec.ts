import { DateTime } from 'luxon';
import type { DueTime, TimingContext } from '../domain/timing';
import { DEFAULT_WINDOW_CONFIG } from '../domain/windows';
import { DEFAULT_POLICY } from './policy';
import { candidateCheckIn } from './candidate-check-in.rule';

const NY = 'America/New_York';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const P = DEFAULT_POLICY;

describe('candidate_check_in', () => {
  it('is due when the quiet period ends, into the window', () => {
    const last = at('2025-06-10T21:30');
    expect(candidateCheckIn.due({ lastContactAt: last }, P.candidate_check_in, ctx, last)).toEqual(dueAt(at('2025-06-18T08:00')));
  });
});
