/**
 * Sending windows and recipient-local time (SPEC "Sending windows and time").
 *
 * Everything here is a pure function of its arguments: instants come in as `Date`s, and the
 * answer is one instant, so the same question always gets the same single answer (a DST change
 * can neither duplicate nor drop a send).
 *
 * How local wall-clock times become instants (used for window boundaries and day arithmetic):
 * a local time resolves to the FIRST instant at which the local clock reads that time or later.
 * - A time that does not exist (skipped by a spring-forward change, e.g. 02:30 on 2025-03-09 in
 *   America/New_York) resolves to the moment of the change (03:00 EDT): the window "moves
 *   forward" to the first moment that is really at or after its start.
 * - A time that happens twice (fall-back, e.g. 01:30 on 2025-11-02 in New York) resolves to its
 *   first occurrence (01:30 EDT). Windows are intervals of instants between two such resolved
 *   boundaries, so the repeated hour can never open a window a second time.
 * We resolve times ourselves rather than with `DateTime.fromObject`, whose choice for an
 * ambiguous time depends on the offset at the machine's current time.
 */
import { DateTime, Duration, IANAZone } from 'luxon';
import type { Channel } from '../../messaging/domain/channel';
import { parseDuration } from './durations';
import type { FieldError, Validation } from './durations';

/** A daily window in local time, `HH:MM` 24-hour clock, start inclusive, end exclusive. */
export interface DailyWindow {
  readonly start: string;
  readonly end: string;
}

export interface WindowConfig {
  readonly sms: DailyWindow;
  readonly email: DailyWindow;
  /** When true, nothing goes out on Saturday or Sunday (recipient-local). Holidays are not modelled. */
  readonly businessDaysOnly: boolean;
}

/** The legal SMS window. A tenant may narrow it, never widen it. */
export const SMS_WINDOW_LIMITS: DailyWindow = Object.freeze({ start: '08:00', end: '21:00' });

export const DEFAULT_WINDOW_CONFIG: WindowConfig = Object.freeze({
  sms: SMS_WINDOW_LIMITS,
  email: Object.freeze({ start: '07:00', end: '21:00' }),
  businessDaysOnly: false,
});

/**
 * Which window to use. `any` is for planning, when the channel is not yet known (it is chosen at
 * send time): the intersection of the SMS and email windows, i.e. the moments when either channel
 * may send, which with the defaults is the SMS window. If a tenant configured windows that do not
 * overlap at all, `any` falls back to the SMS window; the dispatcher re-checks the real channel's
 * window at send time anyway.
 */
export type WindowChannel = Channel | 'any';

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------------------------

export function isValidIanaZone(zone: unknown): zone is string {
  return typeof zone === 'string' && zone.trim() !== '' && IANAZone.isValidZone(zone.trim());
}

/** The zone's canonical spelling ("america/new_york" → "America/New_York"), or null if invalid. */
export function canonicalIanaZone(zone: unknown): string | null {
  if (typeof zone !== 'string') return null;
  const known = canonicalZones.get(zone);
  if (known) return known;
  if (!isValidIanaZone(zone)) {
    return null;
  }
  const canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
  // Valid spellings only (a finite set); checking a zone costs an Intl formatter, the dispatcher asks per message.
  if (canonicalZones.size < 2000) canonicalZones.set(zone, canonical);
  return canonical;
}

const canonicalZones = new Map<string, string>();

/**
 * The recipient's zone, falling back to the tenant's. An invalid recipient zone (bad imported
 * data) also falls back; an invalid tenant zone is a configuration error and throws.
 */
export function resolveZone(recipientZone: string | null | undefined, tenantZone: string): string {
  const recipient = canonicalIanaZone(recipientZone);
  if (recipient !== null) {
    return recipient;
  }
  const tenant = canonicalIanaZone(tenantZone);
  if (tenant === null) {
    throw new RangeError(`the tenant time zone "${tenantZone}" is not a valid IANA time zone`);
  }
  return tenant;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/**
 * Validates a (possibly partial) window configuration and merges it onto `base`. Times are
 * `HH:MM`; start must be before end (windows do not cross midnight); the SMS window must stay
 * within 08:00–21:00. Unknown keys are errors. Fields are named like `sms.start`.
 */
export function validateWindowConfig(input: unknown, base: WindowConfig = DEFAULT_WINDOW_CONFIG): Validation<WindowConfig> {
  if (!isPlainObject(input)) {
    return { ok: false, errors: [{ field: '', message: 'must be an object with sms, email and businessDaysOnly' }] };
  }
  const errors: FieldError[] = [];
  let { sms, email, businessDaysOnly } = base;
  for (const [key, value] of Object.entries(input)) {
    if (key === 'sms' || key === 'email') {
      const result = validateDailyWindow(key, value, base[key]);
      if (!result.ok) {
        errors.push(...result.errors);
      } else if (key === 'sms') {
        sms = result.value;
      } else {
        email = result.value;
      }
    } else if (key === 'businessDaysOnly') {
      if (typeof value === 'boolean') {
        businessDaysOnly = value;
      } else {
        errors.push({ field: key, message: 'must be true or false' });
      }
    } else {
      errors.push({ field: key, message: 'unknown setting; expected one of: sms, email, businessDaysOnly' });
    }
  }
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  return { ok: true, value: Object.freeze({ sms, email, businessDaysOnly }) };
}

function validateDailyWindow(channel: Channel, value: unknown, base: DailyWindow): Validation<DailyWindow> {
  if (!isPlainObject(value)) {
    return { ok: false, errors: [{ field: channel, message: 'must be an object { start: "HH:MM", end: "HH:MM" }' }] };
  }
  const errors: FieldError[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'start' && key !== 'end') {
      errors.push({ field: `${channel}.${key}`, message: 'unknown setting; expected start or end' });
    }
  }
  const start = 'start' in value ? value['start'] : base.start;
  const end = 'end' in value ? value['end'] : base.end;
  for (const [key, time] of [['start', start], ['end', end]] as const) {
    if (typeof time !== 'string' || !HH_MM.test(time)) {
      errors.push({ field: `${channel}.${key}`, message: 'must be a time "HH:MM" on the 24-hour clock, e.g. "08:00"' });
    }
  }
  if (errors.length > 0 || typeof start !== 'string' || typeof end !== 'string') {
    return { ok: false, errors };
  }
  errors.push(...windowOrderErrors(channel, start, end));
  if (channel === 'sms') {
    errors.push(...smsLimitErrors(start, end));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: Object.freeze({ start, end }) };
}

function windowOrderErrors(channel: Channel, start: string, end: string): FieldError[] {
  if (minutesOf(start) < minutesOf(end)) {
    return [];
  }
  return [{ field: `${channel}.end`, message: `must be later than ${channel}.start (${start}); windows cannot cross midnight` }];
}

function smsLimitErrors(start: string, end: string): FieldError[] {
  const errors: FieldError[] = [];
  if (minutesOf(start) < minutesOf(SMS_WINDOW_LIMITS.start)) {
    errors.push({ field: 'sms.start', message: `SMS may not go out before ${SMS_WINDOW_LIMITS.start}; the window can be narrowed, not widened` });
  }
  if (minutesOf(end) > minutesOf(SMS_WINDOW_LIMITS.end)) {
    errors.push({ field: 'sms.end', message: `SMS may not go out after ${SMS_WINDOW_LIMITS.end}; the window can be narrowed, not widened` });
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------------------------

/** The daily window for a channel, or for `any` the intersection (see WindowChannel). */
export function effectiveWindow(cfg: WindowConfig, channel: WindowChannel): DailyWindow {
  if (channel !== 'any') {
    return cfg[channel];
  }
  const start = maxTime(cfg.sms.start, cfg.email.start);
  const end = minTime(cfg.sms.end, cfg.email.end);
  return minutesOf(start) < minutesOf(end) ? { start, end } : cfg.sms;
}

export interface WindowInterval {
  readonly opensAt: Date;
  /** Exclusive: at this instant the window is already closed. */
  readonly closesAt: Date;
}

/**
 * The window on one local calendar day (`YYYY-MM-DD`), or null when nothing may be sent that day
 * (a weekend with businessDaysOnly, or a day on which a time change swallowed the window).
 */
export function windowOnDay(localDate: string, channel: WindowChannel, zone: string, cfg: WindowConfig): WindowInterval | null {
  if (cfg.businessDaysOnly && isWeekend(localDate)) {
    return null;
  }
  const window = effectiveWindow(cfg, channel);
  assertWindow(window);
  const opensAt = wallTimeToInstant(localDate, window.start, zone);
  const closesAt = wallTimeToInstant(localDate, window.end, zone);
  return opensAt.getTime() < closesAt.getTime() ? { opensAt, closesAt } : null;
}

export function isWithinWindow(instant: Date, channel: WindowChannel, zone: string, cfg: WindowConfig): boolean {
  return nextWindowOpening(instant, channel, zone, cfg).getTime() === instant.getTime();
}

/** How many local days ahead we look for an opening: covers any weekend plus a swallowed day. */
const MAX_DAYS_AHEAD = 8;

/**
 * The instant itself when it is inside the window; otherwise the next time the window opens
 * (later today, or the next day's start, skipping Saturday and Sunday with businessDaysOnly).
 */
export function nextWindowOpening(instant: Date, channel: WindowChannel, zone: string, cfg: WindowConfig): Date {
  let day = localDateOf(instant, zone);
  for (let i = 0; i < MAX_DAYS_AHEAD; i += 1) {
    const window = windowOnDay(day, channel, zone, cfg);
    if (window !== null && instant.getTime() < window.closesAt.getTime()) {
      return instant.getTime() >= window.opensAt.getTime() ? instant : window.opensAt;
    }
    day = addDays(day, 1);
  }
  throw new RangeError(`no ${channel} sending window within ${MAX_DAYS_AHEAD} days of ${instant.toISOString()} in ${zone}`);
}

/**
 * How long before a window closes we still deliberately schedule something. A follow-up planned
 * for 20:59 could reach the dispatcher after 21:00 (batching, rate limits) and then wait until the
 * next day; 15 minutes of headroom keeps "the last moment of the day" on that day.
 */
export const DEFAULT_CLOSING_MARGIN_MINUTES = 15;

/**
 * The latest moment worth scheduling on a local day: the window's close minus the margin (20:45
 * for a 21:00 close), or its opening if the window is shorter than the margin. Null when there is
 * no window that day.
 */
export function latestWindowMomentOnDay(
  localDate: string,
  channel: WindowChannel,
  zone: string,
  cfg: WindowConfig,
  marginMinutes: number = DEFAULT_CLOSING_MARGIN_MINUTES,
): Date | null {
  const window = windowOnDay(localDate, channel, zone, cfg);
  if (window === null) {
    return null;
  }
  const latest = window.closesAt.getTime() - marginMinutes * MINUTE_MS;
  return new Date(Math.max(window.opensAt.getTime(), latest));
}

// ---------------------------------------------------------------------------------------------
// Local time arithmetic
// ---------------------------------------------------------------------------------------------

/** The recipient-local calendar date of an instant, `YYYY-MM-DD`. */
export function localDateOf(instant: Date, zone: string): string {
  return isoDate(DateTime.fromJSDate(instant, { zone }));
}

/** The first instant of a local calendar day (see the module comment for days without 00:00). */
export function startOfLocalDay(instant: Date, zone: string): Date {
  return wallTimeToInstant(localDateOf(instant, zone), '00:00', zone);
}

/**
 * The instant at which the local clock in `zone` first reads `time` (`HH:MM`) or later on
 * `localDate`. See the module comment for skipped and repeated times.
 */
export function wallTimeToInstant(localDate: string, time: string, zone: string): Date {
  const date = DateTime.fromISO(`${localDate}T${time}`, { zone: 'utc' });
  if (!date.isValid || !HH_MM.test(time)) {
    throw new RangeError(`invalid local date or time: ${localDate} ${time}`);
  }
  return new Date(resolveWallClock(date.toMillis(), zone));
}

/**
 * Adds an ISO-8601 duration in the recipient's zone. Calendar parts (years, months, weeks, days)
 * move the local date and keep the clock time ("P1D" from 10:00 is 10:00 the next day, even
 * across DST), then clock parts (hours, minutes, seconds) add elapsed time ("PT2H" is always two
 * hours). A resulting local time that is skipped or repeated resolves as in the module comment.
 */
export function plusLocal(instant: Date, iso: string, zone: string): Date {
  return shiftLocal(instant, iso, zone, 1);
}

/** Subtracts an ISO-8601 duration: calendar parts first, then clock parts (see plusLocal). */
export function minusLocal(instant: Date, iso: string, zone: string): Date {
  return shiftLocal(instant, iso, zone, -1);
}

function shiftLocal(instant: Date, iso: string, zone: string, sign: 1 | -1): Date {
  const parts = parseDuration(iso).toObject();
  const calendar = {
    years: sign * (parts.years ?? 0),
    months: sign * (parts.months ?? 0),
    weeks: sign * (parts.weeks ?? 0),
    days: sign * (parts.days ?? 0),
  };
  const clockMs = Duration.fromObject({
    hours: parts.hours ?? 0,
    minutes: parts.minutes ?? 0,
    seconds: parts.seconds ?? 0,
    milliseconds: parts.milliseconds ?? 0,
  }).toMillis();
  const hasCalendar = Object.values(calendar).some((value) => value !== 0);
  // Without a calendar part the local clock is irrelevant: keep the exact instant (re-resolving
  // would move an instant in the second pass of a repeated hour to the first one).
  const base = hasCalendar ? shiftCalendar(instant, calendar, zone) : instant.getTime();
  return new Date(base + sign * clockMs);
}

function shiftCalendar(instant: Date, calendar: Record<string, number>, zone: string): number {
  const wall = DateTime.fromJSDate(instant, { zone }).setZone('utc', { keepLocalTime: true });
  return resolveWallClock(wall.plus(calendar).toMillis(), zone);
}

/**
 * Turns a local wall-clock reading (expressed as if it were UTC milliseconds) into the first
 * instant at which the zone's clock shows it or later.
 */
function resolveWallClock(wallMs: number, zoneName: string): number {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) {
    throw new RangeError(`invalid IANA time zone: ${zoneName}`);
  }
  const probe = 36 * 60 * MINUTE_MS;
  const offsets = new Set([zone.offset(wallMs - probe), zone.offset(wallMs), zone.offset(wallMs + probe)]);
  const exact = [...offsets].map((offset) => wallMs - offset * MINUTE_MS).filter((ts) => wallMs - zone.offset(ts) * MINUTE_MS === ts);
  if (exact.length > 0) {
    return Math.min(...exact);
  }
  return transitionInstant(zone, wallMs - Math.max(...offsets) * MINUTE_MS, wallMs - Math.min(...offsets) * MINUTE_MS);
}

/** The first instant in (before, after] whose offset differs from the offset at `before`. */
function transitionInstant(zone: IANAZone, before: number, after: number): number {
  const initial = zone.offset(before);
  let lo = before;
  let hi = after;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === initial) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

/** Local instant formatted for human-readable reasons, e.g. "Tue 11 Mar, 08:00 EDT". */
export function formatLocal(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale('en-US').toFormat('ccc d LLL, HH:mm ZZZZ');
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function isoDate(date: DateTime): string {
  const iso = date.toISODate();
  if (iso === null) {
    throw new RangeError(`invalid date: ${date.invalidExplanation ?? 'unknown'}`);
  }
  return iso;
}

function addDays(localDate: string, days: number): string {
  return isoDate(DateTime.fromISO(localDate, { zone: 'utc' }).plus({ days }));
}

function isWeekend(localDate: string): boolean {
  return DateTime.fromISO(localDate, { zone: 'utc' }).weekday >= 6;
}

function minutesOf(time: string): number {
  const match = HH_MM.exec(time);
  if (match === null) {
    throw new RangeError(`invalid time "${time}"; expected HH:MM`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function maxTime(a: string, b: string): string {
  return minutesOf(a) >= minutesOf(b) ? a : b;
}

function minTime(a: string, b: string): string {
  return minutesOf(a) <= minutesOf(b) ? a : b;
}

function assertWindow(window: DailyWindow): void {
  if (minutesOf(window.start) >= minutesOf(window.end)) {
    throw new RangeError(`invalid window ${window.start}-${window.end}: start must be before end`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
