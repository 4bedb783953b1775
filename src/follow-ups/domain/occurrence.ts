/**
 * The `occurrence` part of a dedupe key (see dedupe.ts for which rule uses which), and the checks
 * every key part goes through.
 */

/** Between the parts of a key; never inside one (but the occurrence, which comes last). */
export const SEPARATOR = ':';

/** Builders for the `occurrence` part; see the module comment for which rule uses which. */
export const occurrence = {
  once: (): string => '1',
  schedule: (version: number): string => `v${positiveInteger('schedule version', version)}`,
  startsAt: (startsAt: Date): string => validDate('startsAt', startsAt).toISOString(),
  leadStatus: (status: string): string => checkedPart('lead status', status),
  nudge: (nudgeNumber: number): string => `n${positiveInteger('nudge number', nudgeNumber)}`,
  checkIn: (quietPeriodEnd: Date): string => validDate('quietPeriodEnd', quietPeriodEnd).toISOString().slice(0, 10),
} as const;

export function checkedPart(name: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DedupeKeyError(`${name} must not be empty`);
  }
  if (value.includes(SEPARATOR) || /\s/.test(value)) {
    throw new DedupeKeyError(`${name} must not contain "${SEPARATOR}" or whitespace (got "${value}")`);
  }
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new DedupeKeyError(`${name} must be a whole number >= 1 (got ${value})`);
  }
  return value;
}

function validDate(name: string, value: Date): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new DedupeKeyError(`${name} must be a valid date`);
  }
  return value;
}

export class DedupeKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DedupeKeyError';
  }
}
