import { Transform } from 'class-transformer';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * ISO 8601 / RFC 3339 date-times, strictly. `new Date(text)` (what `@Type(() => Date)` and the
 * stock GraphQL DateTime scalar do) accepts numbers, rolls 2026-02-30 over to March 2nd and reads
 * whatever else V8's legacy parser understands, so an impossible date was stored as another one.
 *
 * Accepted: `YYYY-MM-DD`, optionally `THH:MM`, `:SS`, a fraction, and `Z` or an offset `±HH:MM`,
 * where every part exists (day within its month, hour < 24, minute and second < 60, offset < 24h).
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/i;

export const ISO_DATE_TIME_EXAMPLE = '2026-12-03T15:00:00Z';

export function parseIsoDateTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * For DTO date fields, instead of `@Type(() => Date)`: strict ISO text becomes a Date; anything
 * else stays as sent, so the field's `@IsDate` refuses it with a 400 naming the field. A Date
 * (GraphQL's scalar already parsed it) passes through.
 */
export function ToDate(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (value instanceof Date || value === null || value === undefined ? value : (parseIsoDateTime(value) ?? value)));
}

function parsed(value: unknown): Date {
  const date = parseIsoDateTime(value);
  if (!date) throw new TypeError(`DateTime must be an ISO-8601 date-time such as ${ISO_DATE_TIME_EXAMPLE}`);
  return date;
}

/**
 * The GraphQL `DateTime` scalar (same name and description as Nest's), parsing strictly: an
 * impossible or malformed date is a BAD_USER_INPUT error, not another date.
 */
export const StrictDateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  parseValue: (value: unknown) => parsed(value),
  serialize: (value: unknown) => (value instanceof Date ? value.toISOString() : null),
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) throw new TypeError(`DateTime must be a string such as ${ISO_DATE_TIME_EXAMPLE}`);
    return parsed(ast.value);
  },
});
