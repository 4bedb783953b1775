/**
 * When each rule's follow-up is due (SPEC "The playbook" and "Sending windows and time").
 *
 * Every function takes explicit instants (`now` included; callers read it from the Clock) and the
 * rule's timing from the tenant's policy, and answers one instant or a skip with a reason.
 *
 * Conventions shared by all rules:
 * - Durations are applied in the recipient's zone (`plusLocal`/`minusLocal`): days are calendar
 *   days, hours are elapsed hours.
 * - A due time is never in the past: a moment that has already passed becomes `now`.
 * - The channel is decided at send time, so planning uses the window in which EITHER channel may
 *   send (`'any'`: the intersection of the SMS and email windows, i.e. the SMS window with the
 *   defaults) unless `ctx.channel` names one. The dispatcher re-checks the actual channel's window
 *   at send time.
 */
import type { Channel } from './channel';
import { humanizeDuration } from './rules';
import type { FollowUpPolicy, RuleTimings } from './rules';
import {
  DEFAULT_CLOSING_MARGIN_MINUTES,
  formatLocal,
  latestWindowMomentOnDay,
  localDateOf,
  minusLocal,
  nextWindowOpening,
  plusLocal,
  startOfLocalDay,
  windowOnDay,
} from './windows';
import type { WindowChannel, WindowConfig } from './windows';

export type DueTime = { readonly kind: 'due'; readonly at: Date } | { readonly kind: 'skip'; readonly reason: string };

export interface TimingContext {
  /** The recipient's resolved IANA zone (see `resolveZone`). */
  readonly zone: string;
  readonly windows: WindowConfig;
  /** Time against this channel's window; omit when the channel is decided at send time. */
  readonly channel?: Channel;
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/** `resume_follow_up`: the resume was sent at T; due at T + delay, into the window. */
export function resumeFollowUpDue(
  input: { readonly resumeSentAt: Date; readonly now: Date },
  timing: RuleTimings['resume_follow_up'],
  ctx: TimingContext,
): DueTime {
  return due(intoWindow(plusLocal(input.resumeSentAt, timing.delay, ctx.zone), input.now, ctx));
}

/**
 * `interview_confirmation` for an interview starting at S.
 *
 * 1. The target is S − `before` in recipient-local time: with "P1D", the same clock time the day
 *    before, whatever DST does in between.
 * 2. It is placed on the target's local day: before the window opens → the opening; after it
 *    closes → EARLIER, to the latest moment of that day's window (close − 15 minutes, so 20:45 for
 *    a 21:00 close; see DEFAULT_CLOSING_MARGIN_MINUTES). This is the spec's one exception to
 *    "wait for the next opening": the confirmation stays on the day before.
 * 3. If that is impossible (the target has passed because S is closer than `before`, the day has
 *    no window, or its last moment has passed), it goes out as soon as the window allows, but only
 *    if that is no later than S − `minLeadTime`; otherwise it is skipped with the reason.
 *
 * Choice where the spec is silent: a day before with no window (a weekend with businessDaysOnly)
 * is not moved to an earlier day; it follows the general rule and waits for the next opening.
 */
export function interviewConfirmationDue(
  input: { readonly startsAt: Date; readonly now: Date },
  timing: RuleTimings['interview_confirmation'],
  ctx: TimingContext,
): DueTime {
  const { startsAt, now } = input;
  if (startsAt.getTime() <= now.getTime()) {
    return skip('the interview has already started');
  }
  const latest = minusLocal(startsAt, timing.minLeadTime, ctx.zone);
  if (latest.getTime() < now.getTime()) {
    return skip(`the interview starts in less than ${humanizeDuration(timing.minLeadTime)}`);
  }
  const target = minusLocal(startsAt, timing.before, ctx.zone);
  const onTargetDay = placeOnDay(target, now, ctx);
  if (onTargetDay !== null && onTargetDay.getTime() <= latest.getTime()) {
    return due(onTargetDay);
  }
  // As soon as the window allows, but not before the target's day (a target days away should
  // not be pulled forward to now).
  const soonest = nextWindowOpening(later(now, startOfLocalDay(target, ctx.zone)), windowChannel(ctx), ctx.zone, ctx.windows);
  if (soonest.getTime() <= latest.getTime()) {
    return due(soonest);
  }
  return skip(
    `the next sending window opens ${formatLocal(soonest, ctx.zone)}, less than ${humanizeDuration(timing.minLeadTime)} before the interview`,
  );
}

/**
 * `interview_thank_you` to each interviewer: end + `after`, into the window, but never later than
 * end + `deadline`. A thank-you whose next window opens past the deadline is skipped: a note two
 * days later reads as an afterthought.
 */
export function interviewThankYouDue(
  input: { readonly endsAt: Date; readonly now: Date },
  timing: RuleTimings['interview_thank_you'],
  ctx: TimingContext,
): DueTime {
  const deadline = plusLocal(input.endsAt, timing.deadline, ctx.zone);
  const limit = humanizeDuration(timing.deadline);
  if (input.now.getTime() > deadline.getTime()) {
    return skip(`more than ${limit} have passed since the interview ended`);
  }
  const at = intoWindow(plusLocal(input.endsAt, timing.after, ctx.zone), input.now, ctx);
  if (at.getTime() > deadline.getTime()) {
    return skip(`the next sending window opens ${formatLocal(at, ctx.zone)}, more than ${limit} after the interview ended`);
  }
  return due(at);
}

/** `thank_you_reminder` to the candidate: end + `after`, into the window. */
export function thankYouReminderDue(
  input: { readonly endsAt: Date; readonly now: Date },
  timing: RuleTimings['thank_you_reminder'],
  ctx: TimingContext,
): DueTime {
  return due(intoWindow(plusLocal(input.endsAt, timing.after, ctx.zone), input.now, ctx));
}

/** `referral_update`, `reference_heads_up`, `offer_thank_you`: now, or the next window opening. */
export function immediateDue(input: { readonly now: Date }, ctx: TimingContext): DueTime {
  return due(intoWindow(input.now, input.now, ctx));
}

/**
 * `no_reply_nudge`: `sentAt` is when the last reply-expecting message to this person went out
 * (the original follow-up, or the previous nudge); due at sentAt + `after`, into the window.
 * Whether to nudge at all is `shouldNudge`.
 */
export function noReplyNudgeDue(
  input: { readonly sentAt: Date; readonly now: Date },
  timing: RuleTimings['no_reply_nudge'],
  ctx: TimingContext,
): DueTime {
  return due(intoWindow(plusLocal(input.sentAt, timing.after, ctx.zone), input.now, ctx));
}

/** At most `maxNudges` nudges in a row; `nudgesSoFar` counts those already sent in this run. */
export function shouldNudge(nudgesSoFar: number, maxNudges: number): boolean {
  if (!Number.isInteger(nudgesSoFar) || nudgesSoFar < 0 || !Number.isInteger(maxNudges) || maxNudges < 0) {
    throw new RangeError(`nudge counts must be whole numbers >= 0 (got ${nudgesSoFar} of ${maxNudges})`);
  }
  return nudgesSoFar < maxNudges;
}

/** `candidate_check_in`: when the quiet period since the last message in or out ends. */
export function candidateCheckInDue(
  input: { readonly lastContactAt: Date; readonly now: Date },
  timing: RuleTimings['candidate_check_in'],
  ctx: TimingContext,
): DueTime {
  return due(intoWindow(plusLocal(input.lastContactAt, timing.quietPeriod, ctx.zone), input.now, ctx));
}

// ---------------------------------------------------------------------------------------------
// One entry point for the planner
// ---------------------------------------------------------------------------------------------

/** What happened, per rule: the facts each rule's timing depends on. */
export type DueEvent =
  | { readonly rule: 'resume_follow_up'; readonly resumeSentAt: Date; readonly now: Date }
  | { readonly rule: 'interview_confirmation'; readonly startsAt: Date; readonly now: Date }
  | { readonly rule: 'interview_thank_you' | 'thank_you_reminder'; readonly endsAt: Date; readonly now: Date }
  | { readonly rule: 'referral_update' | 'reference_heads_up' | 'offer_thank_you'; readonly now: Date }
  | { readonly rule: 'no_reply_nudge'; readonly sentAt: Date; readonly nudgesSoFar: number; readonly now: Date }
  | { readonly rule: 'candidate_check_in'; readonly lastContactAt: Date; readonly now: Date };

/**
 * The due time of a rule's follow-up under a tenant's policy. `enabled` and `requiresApproval`
 * are the planner's business, not timing: this answers only "when".
 */
export function computeDueTime(event: DueEvent, policy: FollowUpPolicy, ctx: TimingContext): DueTime {
  switch (event.rule) {
    case 'resume_follow_up':
      return resumeFollowUpDue(event, policy.resume_follow_up.timing, ctx);
    case 'interview_confirmation':
      return interviewConfirmationDue(event, policy.interview_confirmation.timing, ctx);
    case 'interview_thank_you':
      return interviewThankYouDue(event, policy.interview_thank_you.timing, ctx);
    case 'thank_you_reminder':
      return thankYouReminderDue(event, policy.thank_you_reminder.timing, ctx);
    case 'referral_update':
    case 'reference_heads_up':
    case 'offer_thank_you':
      return immediateDue(event, ctx);
    case 'no_reply_nudge':
      return nudgeDue(event, policy, ctx);
    case 'candidate_check_in':
      return candidateCheckInDue(event, policy.candidate_check_in.timing, ctx);
  }
}

function nudgeDue(
  event: { readonly sentAt: Date; readonly nudgesSoFar: number; readonly now: Date },
  policy: FollowUpPolicy,
  ctx: TimingContext,
): DueTime {
  const { maxNudges, timing } = policy.no_reply_nudge;
  if (!shouldNudge(event.nudgesSoFar, maxNudges)) {
    return skip(`already nudged ${event.nudgesSoFar} time${event.nudgesSoFar === 1 ? '' : 's'} (the limit is ${maxNudges})`);
  }
  return noReplyNudgeDue(event, timing, ctx);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function windowChannel(ctx: TimingContext): WindowChannel {
  return ctx.channel ?? 'any';
}

/** The moment, or now if it has passed, moved to the next window opening. */
function intoWindow(at: Date, now: Date, ctx: TimingContext): Date {
  return nextWindowOpening(later(at, now), windowChannel(ctx), ctx.zone, ctx.windows);
}

/**
 * Places a confirmation on its target's local day: the target clamped into
 * [max(opening, now), last moment]. Null when that day has no window or its last moment is gone.
 */
function placeOnDay(target: Date, now: Date, ctx: TimingContext): Date | null {
  if (target.getTime() < now.getTime()) {
    return null;
  }
  const day = localDateOf(target, ctx.zone);
  const window = windowOnDay(day, windowChannel(ctx), ctx.zone, ctx.windows);
  const last = latestWindowMomentOnDay(day, windowChannel(ctx), ctx.zone, ctx.windows, DEFAULT_CLOSING_MARGIN_MINUTES);
  if (window === null || last === null) {
    return null;
  }
  const earliest = later(window.opensAt, now);
  if (earliest.getTime() > last.getTime()) {
    return null;
  }
  return earlier(later(target, earliest), last);
}

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

function earlier(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

function due(at: Date): DueTime {
  return { kind: 'due', at };
}

function skip(reason: string): DueTime {
  return { kind: 'skip', reason };
}
