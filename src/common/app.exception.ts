/**
 * Domain errors carry a code. One mapper per transport turns the code into an HTTP status
 * (problem+json) or a GraphQL extensions.code; nothing else decides statuses.
 */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  IllegalTransition = 'ILLEGAL_TRANSITION',
  IdempotencyMismatch = 'IDEMPOTENCY_KEY_REUSED',
  RateLimited = 'RATE_LIMITED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UriTooLong = 'URI_TOO_LONG',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Unprocessable = 'UNPROCESSABLE',
  Unavailable = 'SERVICE_UNAVAILABLE',
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  Internal = 'INTERNAL_SERVER_ERROR',
}

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.IllegalTransition]: 409,
  [ErrorCode.IdempotencyMismatch]: 422,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UriTooLong]: 414,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.Unprocessable]: 422,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.QueryTooComplex]: 400,
  [ErrorCode.Internal]: 500,
};

export const TITLE_BY_CODE: Record<ErrorCode, string> = {
  [ErrorCode.ValidationFailed]: 'Validation failed',
  [ErrorCode.Unauthenticated]: 'Authentication required',
  [ErrorCode.Forbidden]: 'Forbidden',
  [ErrorCode.NotFound]: 'Not found',
  [ErrorCode.Conflict]: 'Conflict',
  [ErrorCode.IllegalTransition]: 'Illegal transition',
  [ErrorCode.IdempotencyMismatch]: 'Idempotency key reused with a different request',
  [ErrorCode.RateLimited]: 'Too many requests',
  [ErrorCode.PayloadTooLarge]: 'Payload too large',
  [ErrorCode.UriTooLong]: 'URI too long',
  [ErrorCode.UnsupportedMediaType]: 'Unsupported media type',
  [ErrorCode.Unprocessable]: 'Unprocessable request',
  [ErrorCode.Unavailable]: 'Service unavailable',
  [ErrorCode.QueryTooComplex]: 'Query too complex',
  [ErrorCode.Internal]: 'Internal server error',
};

export interface FieldError {
  field: string;
  message: string;
}

export class AppException extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; extra?: Record<string, unknown>; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.name = 'AppException';
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }

  static notFound(what: string): AppException {
    return new AppException(ErrorCode.NotFound, `${what} not found`);
  }

  static validation(errors: FieldError[], detail?: string): AppException {
    return new AppException(
      ErrorCode.ValidationFailed,
      detail ?? `Invalid ${errors.map((e) => e.field).join(', ')}: ${errors.map((e) => e.message).join('; ')}`,
      { errors },
    );
  }
}
