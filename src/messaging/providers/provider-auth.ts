import { AppException, ErrorCode } from '../../common/app.exception';
import { constantTimeEqual, sha256Hex } from '../../common/crypto';
import type { WebhookTenant } from '../senders/senders.service';

/**
 * For providers with no authentication of their own (SendGrid Inbound Parse; SES's SNS signature
 * proves the sender is SNS, not that the topic is this firm's): the firm's inbound-email secret
 * as the last path segment, compared in constant time with its stored hash.
 */
export function requireUrlSecret(secret: string | undefined): asserts secret is string {
  if (!secret) throw new AppException(ErrorCode.Unauthenticated, 'Missing the webhook secret in the URL');
}

export function checkUrlSecret(secret: string | undefined, tenant: WebhookTenant): void {
  requireUrlSecret(secret);
  if (!tenant.inboundEmailSecretHash || !constantTimeEqual(sha256Hex(secret), tenant.inboundEmailSecretHash)) {
    throw new AppException(ErrorCode.Forbidden, 'Invalid webhook secret in the URL');
  }
}

/** The base64 credentials of an HTTP basic Authorization header, or a 401. */
export function requireBasicAuth(authorization: string | string[] | undefined): string {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) throw new AppException(ErrorCode.Unauthenticated, 'Missing HTTP basic auth (set the username and password in the webhook URL)');
  return m[1]!;
}

/** Postmark: HTTP basic auth (RFC 7617), the password being the firm's inbound-email secret. */
export function checkBasicAuth(authorization: string | string[] | undefined, tenant: WebhookTenant): void {
  const credentials = requireBasicAuth(authorization);
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  if (!password || !tenant.inboundEmailSecretHash || !constantTimeEqual(sha256Hex(password), tenant.inboundEmailSecretHash)) {
    throw new AppException(ErrorCode.Forbidden, 'Invalid basic auth credentials');
  }
}

export function badPayload(field: string, message: string): AppException {
  return AppException.validation([{ field, message }], `Unreadable payload: ${field} ${message}`);
}

/** A non-empty string of at most `max` characters, or a 400 naming the field. */
export function str(value: unknown, field: string, max = 1000): string {
  if (typeof value !== 'string' || value.trim() === '') throw badPayload(field, 'must be a non-empty string');
  if (value.length > max) throw badPayload(field, `must be at most ${max} characters`);
  return value;
}

export function optStr(value: unknown, field: string, max = 1000): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return str(value, field, max);
}

export function date(value: unknown, field: string): Date {
  const d = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw badPayload(field, 'must be a timestamp');
  return d;
}
