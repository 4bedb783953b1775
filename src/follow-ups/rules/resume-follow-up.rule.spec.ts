import { DateTime } from 'luxon';
import type { DueTime, TimingContext } from '../domain/timing';
import { DEFAULT_WINDOW_CONFIG } from '../domain/windows';
import { DEFAULT_POLICY } from './policy';
import { resumeFollowUp } from './resume-follow-up.rule';

const NY = 'America/New_York';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const P = DEFAULT_POLICY;
const HOUR = 3_600_000;

/** The rule's timing with the given durations (the tenant's, or the defaults). */
const resumeFollowUpDue = (input: { resumeSentAt: Date; now: Date }, timing: { delay: string }, c: TimingContext): DueTime =>
  resumeFollowUp.due({ resumeSentAt: input.resumeSentAt }, { ...P.resume_follow_up, timing }, c, input.now);

describe('resume_follow_up', () => {
  const timing = P.resume_follow_up.timing;

  it('is due 7 days after the resume was sent, same clock time', () => {
    const sent = at('2025-06-09T10:15'); // Monday
    expect(resumeFollowUpDue({ resumeSentAt: sent, now: sent }, timing, ctx)).toEqual(dueAt(at('2025-06-16T10:15')));
  });

  it('waits for the window when T + 7 days falls at night', () => {
    const sent = at('2025-06-06T22:30'); // Friday night
    expect(resumeFollowUpDue({ resumeSentAt: sent, now: sent }, timing, ctx)).toEqual(dueAt(at('2025-06-14T08:00')));
  });

  it('skips the weekend with businessDaysOnly', () => {
    const sent = at('2025-06-07T11:00'); // Saturday
    expect(resumeFollowUpDue({ resumeSentAt: sent, now: sent }, timing, weekdays)).toEqual(dueAt(at('2025-06-16T08:00')));
  });

  it('uses the email window when the channel is known', () => {
    const sent = at('2025-06-09T07:30');
    expect(resumeFollowUpDue({ resumeSentAt: sent, now: sent }, timing, ctx)).toEqual(dueAt(at('2025-06-16T08:00')));
    expect(resumeFollowUpDue({ resumeSentAt: sent, now: sent }, timing, { ...ctx, channel: 'email' })).toEqual(dueAt(at('2025-06-16T07:30')));
  });

  it('keeps the local clock time across a DST change (P7D is 7 calendar days)', () => {
    const sent = at('2025-03-05T10:00'); // EST
    const result = resumeFollowUpDue({ resumeSentAt: sent, now: sent }, timing, ctx);
    expect(result).toEqual(dueAt(at('2025-03-12T10:00'))); // EDT
    expect(result.kind === 'due' && result.at.getTime() - sent.getTime()).toBe(7 * 24 * HOUR - HOUR);
  });

  it('is never in the past: a backfilled resume is due at the next window moment from now', () => {
    const sent = at('2025-05-01T10:00');
    const now = at('2025-06-10T22:00');
    expect(resumeFollowUpDue({ resumeSentAt: sent, now }, timing, ctx)).toEqual(dueAt(at('2025-06-11T08:00')));
  });

  it("follows the tenant's delay", () => {
    const sent = at('2025-06-09T10:00');
    expect(resumeFollowUpDue({ resumeSentAt: sent, now: sent }, { delay: 'P3D' }, ctx)).toEqual(dueAt(at('2025-06-12T10:00')));
  });
});
