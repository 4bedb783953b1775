import { HttpException } from '@nestjs/common';
import { AppException, ErrorCode, FieldError, STATUS_BY_CODE, TITLE_BY_CODE } from './app.exception';
import { isDatabaseUnavailable } from './db-errors';

/** What a client is told to wait before retrying while the database is unavailable. */
export const DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** An RFC 9457 problem, also the shape GraphQL errors carry in extensions. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  422: ErrorCode.Unprocessable,
  429: ErrorCode.RateLimited,
  503: ErrorCode.Unavailable,
};

function typeUri(code: ErrorCode): string {
  return `https://touchpoint.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

function problemOf(code: ErrorCode, detail: string, status = STATUS_BY_CODE[code]): Problem {
  return { type: typeUri(code), title: TITLE_BY_CODE[code], status, detail, code };
}

/**
 * Turns anything thrown into a Problem. Known errors keep their message; a database that cannot
 * be reached is a 503 with Retry-After (the request may succeed shortly); anything else unknown
 * becomes a 500 whose detail says nothing about internals (the log has the stack).
 */
export function toProblem(err: unknown): { problem: Problem; known: boolean; retryAfterSeconds?: number } {
  if (err instanceof AppException) {
    // Extra members never override the standard ones (type, title, status, detail, code).
    const problem: Problem = { ...(err.options.extra ?? {}), ...problemOf(err.code, err.detail) };
    if (err.options.errors) problem.errors = err.options.errors;
    return { problem, known: true, retryAfterSeconds: err.options.retryAfterSeconds };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed);
    const response = err.getResponse();
    let detail = err.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const m = (response as { message: unknown }).message;
      detail = Array.isArray(m) ? m.join('; ') : String(m);
    }
    if (status >= 500) detail = 'An unexpected error occurred.';
    return { problem: problemOf(code, humanize(detail, status), status), known: status < 500 };
  }
  if (isDatabaseUnavailable(err)) {
    return {
      problem: problemOf(ErrorCode.Unavailable, 'The database is unavailable right now; retry shortly.'),
      known: true,
      retryAfterSeconds: DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS,
    };
  }
  return { problem: problemOf(ErrorCode.Internal, 'An unexpected error occurred.'), known: false };
}

/** Makes framework messages (Fastify body errors and the like) read like ours. */
function humanize(detail: string, status: number): string {
  if (status === 413) return 'The request body is larger than the limit.';
  if (status === 415) return 'Unsupported Content-Type: send application/json.';
  if (/Unexpected token|JSON|Body is not valid/i.test(detail)) return `Malformed JSON body: ${detail}`;
  return detail;
}
