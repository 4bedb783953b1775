/**
 * The timing helpers every rule's `due()` is written with (each rule's own timing lives in its
 * file under src/follow-ups/rules/). SPEC "The playbook" and "Sending windows and time".
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
import type { Channel } from '../../messaging/domain/channel';
import { DEFAULT_CLOSING_MARGIN_MINUTES, latestWindowMomentOnDay, localDateOf, nextWindowOpening, windowOnDay } from './windows';
import type { WindowChannel, WindowConfig } from './windows';

export type DueTime = { readonly kind: 'due'; readonly at: Date } | { readonly kind: 'skip'; readonly reason: string };

export interface TimingContext {
  /** The recipient's resolved IANA zone (see `resolveZone`). */
  readonly zone: string;
  readonly windows: WindowConfig;
  /** Time against this channel's window; omit when the channel is decided at send time. */
  readonly channel?: Channel;
}

export function windowChannel(ctx: TimingContext): WindowChannel {
  return ctx.channel ?? 'any';
}

/** The moment, or now if it has passed, moved to the next window opening. */
export function intoWindow(at: Date, now: Date, ctx: TimingContext): Date {
  return nextWindowOpening(later(at, now), windowChannel(ctx), ctx.zone, ctx.windows);
}

/** "Now, or the next window opening": the rules that go out immediately. */
export function immediately(now: Date, ctx: TimingContext): DueTime {
  return due(intoWindow(now, now, ctx));
}

/**
 * Places a moment on its own local day: clamped into [max(opening, now), last moment]. Null when
 * that day has no window or its last moment is gone.
 */
export function placeOnDay(target: Date, now: Date, ctx: TimingContext): Date | null {
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

export function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

export function earlier(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

export function due(at: Date): DueTime {
  return { kind: 'due', at };
}

export function skip(reason: string): DueTime {
  return { kind: 'skip', reason };
}
