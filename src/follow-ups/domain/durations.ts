/**
 * ISO-8601 durations as a tenant's policy writes them ("P7D", "PT2H"), and the shape of a
 * validation answer shared by the pure validators (policy, windows). Pure: no I/O, no clock.
 */
import { Duration } from 'luxon';

/** A validation error naming the field by path, e.g. `resume_follow_up.timing.delay`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldError[] };

/**
 * The ISO-8601 duration forms we accept: whole numbers, except fractional seconds; no negative
 * parts, no bare "P" or "PT". Luxon alone is more lenient (it accepts "P", "P-1D", "P1.5D").
 */
const ISO_DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** Upper bound, so a typo cannot push a follow-up past any date arithmetic can represent. */
const MAX_DURATION = Duration.fromObject({ days: 366 });

/** Why a value is not an acceptable duration, or null. Accepts lower case and surrounding spaces. */
export function durationProblem(value: unknown): string | null {
  if (typeof value !== 'string') {
    return 'must be an ISO-8601 duration string such as "P7D" or "PT2H"';
  }
  const iso = normalizeDuration(value);
  if (!ISO_DURATION.test(iso)) {
    return `"${value}" is not an ISO-8601 duration such as "P7D" or "PT2H" (whole, non-negative numbers)`;
  }
  const millis = Duration.fromISO(iso).toMillis();
  if (millis <= 0) {
    return `"${value}" must be longer than zero`;
  }
  if (millis > MAX_DURATION.toMillis()) {
    return `"${value}" is too long; the maximum is one year`;
  }
  return null;
}

/** Trimmed and upper-cased: "p7d " becomes "P7D". */
export function normalizeDuration(value: string): string {
  return value.trim().toUpperCase();
}

/** Parses a duration from a policy. Throws a RangeError naming the problem. */
export function parseDuration(iso: string): Duration {
  const problem = durationProblem(iso);
  if (problem !== null) {
    throw new RangeError(`invalid duration: ${problem}`);
  }
  return Duration.fromISO(normalizeDuration(iso));
}

/** "2 hours", "1 day", "24 hours": for human reasons. Deterministic (fixed English locale). */
export function humanizeDuration(iso: string): string {
  return parseDuration(iso).reconfigure({ locale: 'en-US' }).toHuman({ unitDisplay: 'long' });
}

/**
 * Whether `a` is at most as long as `b`, for checks across a rule's timing. Months count as 30
 * days here (Luxon's casual conversion), which is precise enough for "is `after` shorter than
 * `deadline`". False when either is not a valid duration (that is reported on its own).
 */
export function shorterOrEqual(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || durationProblem(a) !== null || durationProblem(b) !== null) {
    return false;
  }
  return parseDuration(a).toMillis() <= parseDuration(b).toMillis();
}
