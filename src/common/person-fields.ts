import { Transform } from 'class-transformer';
import { IsEmail, Matches, MaxLength } from 'class-validator';

export const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/**
 * Control and invisible formatting characters (bidi overrides, zero-width spaces, NUL…). IsEmail
 * lets them through in the local part; they are never part of a deliverable address, and they
 * make one address look like another.
 */
const NO_INVISIBLE_CHARACTERS = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

/** An email address: valid, without invisible characters; the messages name the field. */
export function IsEmailAddress(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsEmail({}, { message: `${String(key)} must be a valid email address` })(target, key);
    Matches(NO_INVISIBLE_CHARACTERS, { message: `${String(key)} must not contain control or invisible formatting characters` })(target, key);
  };
}

/** An email field: trimmed, validated, at most 254 characters. */
export function IsPersonEmail(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    Transform(trim)(target, key);
    IsEmailAddress()(target, key);
    MaxLength(254)(target, key);
  };
}

/** External ids and sources: what an ATS uses as its own key. */
export const EXTERNAL_ID = /^[A-Za-z0-9._:@\/-]{1,200}$/;
export const EXTERNAL_SOURCE = /^[a-z0-9_-]{1,50}$/;

export function IsExternalId(): PropertyDecorator {
  return Matches(EXTERNAL_ID, { message: 'externalId must be 1 to 200 characters of letters, digits and . _ : @ / -' });
}

export function IsExternalSource(): PropertyDecorator {
  return Matches(EXTERNAL_SOURCE, { message: 'externalSource must be 1 to 50 characters of a-z, 0-9, _ and -' });
}
