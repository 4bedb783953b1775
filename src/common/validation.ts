import { ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AppException, FieldError } from './app.exception';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) {
      if (e.constraints.whitelistValidation) {
        out.push({ field, message: `unknown field "${field}" is not allowed` });
      } else {
        for (const message of Object.values(e.constraints)) out.push({ field, message });
      }
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * Validation is a whitelist that forbids unknown fields: a `tenantId` in a body is a 400
 * naming it, and the request writes nothing.
 */
export function buildValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
  const value = plainToInstance(cls, plain ?? {});
  const errors = flatten(await validate(value as object, VALIDATOR_OPTIONS));
  return { value, errors };
}
