import { ValidatorConstraint, ValidatorConstraintInterface, ValidationArguments } from 'class-validator';

let zones: Set<string> | undefined;

/** True for a real IANA zone name (Intl's list, plus UTC and links Intl accepts). */
export function isIanaTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zones.has(value) || value === 'UTC') return true;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone.length > 0 && value.includes('/');
  } catch {
    return false;
  }
}

@ValidatorConstraint({ name: 'ianaTimeZone' })
export class IanaTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isIanaTimeZone(value);
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an IANA time zone such as America/New_York`;
  }
}
