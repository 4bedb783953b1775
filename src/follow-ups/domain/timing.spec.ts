import { DateTime } from 'luxon';
import { DEFAULT_POLICY, validatePolicyPatch } from './rules';
import {
  candidateCheckInDue,
  computeDueTime,
  immediateDue,
  interviewConfirmationDue,
  interviewThankYouDue,
  noReplyNudgeDue,
  resumeFollowUpDue,
  shouldNudge,
  thankYouReminderDue,
} from './timing';
import type { DueTime, TimingContext } from './timing';
import { DEFAULT_WINDOW_CONFIG } from './windows';

const NY = 'America/New_York';
const LONDON = 'Europe/London';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const utc = (iso: string): Date => new Date(iso);
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const HOUR = 3_600_000;

const P = DEFAULT_POLICY;

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

describe('immediate rules (referral_update, reference_heads_up, offer_thank_you)', () => {
  it('go now inside the window', () => {
    const now = at('2025-06-10T15:42');
    expect(immediateDue({ now }, ctx)).toEqual(dueAt(now));
  });

  it('wait for the next opening outside it', () => {
    expect(immediateDue({ now: at('2025-06-10T23:00') }, ctx)).toEqual(dueAt(at('2025-06-11T08:00')));
  });
});

describe('no_reply_nudge', () => {
  const timing = P.no_reply_nudge.timing;

  it('is due 7 days after the message it follows', () => {
    const sentAt = at('2025-06-10T10:00');
    expect(noReplyNudgeDue({ sentAt, now: sentAt }, timing, ctx)).toEqual(dueAt(at('2025-06-17T10:00')));
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

describe('candidate_check_in', () => {
  it('is due when the quiet period ends, into the window', () => {
    const last = at('2025-06-10T21:30');
    expect(candidateCheckInDue({ lastContactAt: last, now: last }, P.candidate_check_in.timing, ctx)).toEqual(dueAt(at('2025-06-18T08:00')));
  });
});

describe('computeDueTime', () => {
  const now = at('2025-06-10T10:00');

  it('dispatches each rule to its timing', () => {
    expect(computeDueTime({ rule: 'resume_follow_up', resumeSentAt: now, now }, P, ctx)).toEqual(dueAt(at('2025-06-17T10:00')));
    expect(computeDueTime({ rule: 'interview_confirmation', startsAt: at('2025-06-12T09:00'), now }, P, ctx)).toEqual(dueAt(at('2025-06-11T09:00')));
    expect(computeDueTime({ rule: 'interview_thank_you', endsAt: now, now }, P, ctx)).toEqual(dueAt(at('2025-06-10T12:00')));
    expect(computeDueTime({ rule: 'thank_you_reminder', endsAt: now, now }, P, ctx)).toEqual(dueAt(at('2025-06-10T11:00')));
    for (const rule of ['referral_update', 'reference_heads_up', 'offer_thank_you'] as const) {
      expect(computeDueTime({ rule, now }, P, ctx)).toEqual(dueAt(now));
    }
    expect(computeDueTime({ rule: 'no_reply_nudge', sentAt: now, nudgesSoFar: 0, now }, P, ctx)).toEqual(dueAt(at('2025-06-17T10:00')));
    expect(computeDueTime({ rule: 'candidate_check_in', lastContactAt: now, now }, P, ctx)).toEqual(dueAt(at('2025-06-17T10:00')));
  });

  it('skips a nudge past the limit', () => {
    expect(computeDueTime({ rule: 'no_reply_nudge', sentAt: now, nudgesSoFar: 2, now }, P, ctx)).toEqual({
      kind: 'skip',
      reason: 'already nudged 2 times (the limit is 2)',
    });
  });

  it("uses the tenant's policy", () => {
    const result = validatePolicyPatch({ resume_follow_up: { timing: { delay: 'P10D' } }, no_reply_nudge: { maxNudges: 3 } });
    if (!result.ok) throw new Error('fixture policy should be valid');
    const policy = result.value;
    expect(computeDueTime({ rule: 'resume_follow_up', resumeSentAt: now, now }, policy, ctx)).toEqual(dueAt(at('2025-06-20T10:00')));
    expect(computeDueTime({ rule: 'no_reply_nudge', sentAt: now, nudgesSoFar: 2, now }, policy, ctx).kind).toBe('due');
  });

  it('is deterministic: the same inputs give the same instant', () => {
    const event = { rule: 'interview_confirmation', startsAt: at('2025-11-03T07:00'), now: at('2025-10-30T09:00') } as const;
    expect(computeDueTime(event, P, ctx)).toEqual(computeDueTime(event, P, ctx));
  });
});
