import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A phone number in E.164 (`+14155552671`), or undefined when `raw` is not a valid number.
 * The country code is required: numbers are compared and texted across borders, and guessing a
 * region from the firm would silently mis-route a candidate's number.
 */
export function toE164(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed.length === 0 || trimmed.length > 40) return undefined;
  const withPlus = trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : trimmed;
  const parsed = parsePhoneNumberFromString(withPlus);
  if (!parsed || !parsed.isValid()) return undefined;
  const e164 = parsed.number;
  return E164.test(e164) ? e164 : undefined;
}

/** The ISO 3166 country of an E.164 number (+1 876… is JM, not US), or undefined when unknown. */
export function phoneCountry(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164.trim())?.country;
}

export function isE164Phone(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value) && toE164(value) === value;
}

/**
 * A DTO field holding a phone number: the input is normalised to E.164 when it parses, and
 * the field fails validation (a 400 naming it) when it does not.
 */
export function IsPhone(options?: ValidationOptions): PropertyDecorator {
  const normalise = Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    return toE164(value) ?? value;
  });
  const validate = ValidateBy(
    {
      name: 'e164Phone',
      validator: {
        validate: (value: unknown) => isE164Phone(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'phone'} must be a valid phone number with its country code, such as +14155552671`,
      },
    },
    options,
  );
  return (target: object, propertyKey: string | symbol) => {
    normalise(target, propertyKey);
    validate(target, propertyKey);
  };
}
