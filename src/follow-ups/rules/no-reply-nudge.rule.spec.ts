import { DateTime } from 'luxon';
import type { DueTime, TimingContext } from '../domain/timing';
import { DEFAULT_WINDOW_CONFIG } from '../domain/windows';
import { DEFAULT_POLICY } from './policy';
import { noReplyNudge, shouldNudge } from './no-reply-nudge.rule';

const NY = 'America/New_York';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const P = DEFAULT_POLICY;

const noReplyNudgeDue = (input: { sentAt: Date; now: Date; nudgesSoFar?: number }, timing: { after: string }, c: TimingContext, maxNudges = 2): DueTime =>
  noReplyNudge.due({ sentAt: input.sentAt, nudgesSoFar: input.nudgesSoFar ?? 0 }, { ...P.no_reply_nudge, timing, maxNudges }, c, input.now);

describe('no_reply_nudge', () => {
  const timing = P.no_reply_nudge.timing;

  it('is due 7 days after the message it follows', () => {
    const sentAt = at('2025-06-10T10:00');
    expect(noReplyNudgeDue({ sentAt, now: sentAt }, timing, ctx)).toEqual(dueAt(at('2025-06-17T10:00')));
  });

  it('is skipped past the limit, and follows a raised limit', () => {
    const sentAt = at('2025-06-10T10:00');
    expect(noReplyNudgeDue({ sentAt, now: sentAt, nudgesSoFar: 2 }, timing, ctx)).toEqual({ kind: 'skip', reason: 'already nudged 2 times (the limit is 2)' });
    expect(noReplyNudgeDue({ sentAt, now: sentAt, nudgesSoFar: 2 }, timing, ctx, 3).kind).toBe('due');
  });

  it('shouldNudge allows at most maxNudges in a row', () => {
    expect(shouldNudge(0, 2)).toBe(true);
    expect(shouldNudge(1, 2)).toBe(true);
    expect(shouldNudge(2, 2)).toBe(false);
    expect(shouldNudge(0, 0)).toBe(false);
  });

  it('shouldNudge rejects nonsense counts', () => {
    expect(() => shouldNudge(-1, 2)).toThrow(RangeError);
    expect(() => shouldNudge(1.5, 2)).toThrow(RangeError);
    expect(() => shouldNudge(0, Number.NaN)).toThrow(RangeError);
  });
});
