import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { IsOptional, validate, ValidateBy, ValidateIf } from 'class-validator';
import { AppException, FieldError } from './app.exception';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) {
      if (e.constraints.whitelistValidation) {
        out.push({ field, message: `unknown field "${field}" is not allowed` });
      } else if (e.constraints.notNull) {
        // Null where a value is required: that alone is the problem (not "must be a string" too).
        out.push({ field, message: e.constraints.notNull });
      } else {
        for (const message of Object.values(e.constraints)) out.push({ field, message });
      }
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * An input field that may be left out (kept as it is), but not sent as `null`: the value is
 * required where it is stored. `null` is a 400 naming the field, before any work. Use this, not
 * class-validator's `IsOptional` (which lets `null` through to a NOT NULL column), on every field
 * of a write's input; `Nullable()` where `null` clears the field.
 */
export function Omittable(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    ValidateIf((_o: object, value: unknown) => value !== undefined)(target, key);
    ValidateBy({
      name: 'notNull',
      validator: { validate: (value: unknown) => value !== null, defaultMessage: (args) => `${args?.property ?? String(key)} must not be null` },
    })(target, key);
  };
}

/**
 * An input field that may be left out (kept) or sent as `null` (cleared: the field isn't
 * required). Documented as `nullable` in /openapi.json.
 */
export function Nullable(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsOptional()(target, key);
    ApiProperty({ required: false, nullable: true })(target, key);
  };
}

/** A NUL character, or a UTF-16 surrogate without its pair (what a JSON `\ud800` escape decodes to). */
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/**
 * The fields (keys included) whose text cannot be stored: PostgreSQL refuses NUL in text (a 500
 * otherwise), and an unpaired surrogate is not Unicode at all (it would be stored as U+FFFD, not
 * as sent, and some validators throw on it).
 */
export function unsafeTextFields(value: unknown, path = ''): FieldError[] {
  const at = (key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  if (typeof value === 'string') return UNSAFE_TEXT.test(value) ? [{ field: path || 'value', message: UNSAFE_TEXT_MESSAGE }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unsafeTextFields(v, at(i)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([k, v]) =>
      UNSAFE_TEXT.test(k) ? [{ field: at(k.replace(UNSAFE_TEXT, '?')), message: UNSAFE_TEXT_MESSAGE }] : unsafeTextFields(v, at(k)),
    );
  }
  return [];
}

/**
 * The API's validation pipe. Before the DTO's own rules: text that cannot be stored is a 400
 * naming the field (REST bodies, queries and path parameters, GraphQL arguments, webhook forms),
 * and a JSON body that is not an object (`null`) is a 400 rather than an empty update.
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A DTO's fields are named as the DTO names them; anything else (a lone value, a JSON
    // argument) under its parameter's name.
    const dto = typeof metadata.metatype === 'function' && metadata.metatype !== Object && typeof value === 'object';
    const unsafe = metadata.type === 'custom' ? [] : unsafeTextFields(value, dto ? '' : (metadata.data ?? ''));
    if (unsafe.length > 0) throw AppException.validation(unsafe);
    // (A GraphQL argument arrives as type 'body' too, under its name: `limit: null` is a limit not
    // given, not a null body.)
    if (metadata.type === 'body' && metadata.data === undefined && value === null && metadata.metatype && metadata.metatype !== Object) {
      throw AppException.validation([{ field: 'body', message: 'must be a JSON object' }], 'The request body must be a JSON object');
    }
    return super.transform(isArgsType(metadata.metatype) ? withoutNulls(value) : value, metadata);
  }
}

/** A GraphQL `@ArgsType()` class: a list query's arguments (filters, `first`/`after`, `limit`/`cursor`). */
function isArgsType(metatype: unknown): boolean {
  // What @ArgsType() records (@nestjs/graphql's CLASS_TYPE_METADATA and ClassType.ARGS, not exported).
  return typeof metatype === 'function' && Reflect.getMetadata('graphql:class_type', metatype) === 'args';
}

/**
 * A query's argument given as `null` is an argument not given: Relay and Apollo clients send
 * `after: null` for the first page, and `status: null` for "any status".
 */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

/**
 * Validation is a whitelist that forbids unknown fields: a `tenantId` in a body is a 400
 * naming it, and the request writes nothing.
 */
export function buildValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => AppException.validation(flatten(errors)),
  });
}

/** The pipe's options, for validating outside a request (bulk items, CSV rows). */
const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: false, value: false } };

/**
 * Validates one plain object against a DTO class exactly as the API's pipe does (same class,
 * same transforms, same whitelist), for per-item validation in bulk writes and imports.
 */
export async function validateDto<T extends object>(cls: new () => T, plain: unknown): Promise<{ value: T; errors: FieldError[] }> {
  const unsafe = unsafeTextFields(plain);
  const value = plainToInstance(cls, plain ?? {});
  if (unsafe.length > 0) return { value, errors: unsafe };
  const errors = flatten(await validate(value as object, VALIDATOR_OPTIONS));
  return { value, errors };
}
