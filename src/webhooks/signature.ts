import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Touchpoint-Signature: v1=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>, where timestamp is
 * the Touchpoint-Timestamp header (Unix seconds) and body the raw request body. Receivers
 * recompute it over the raw bytes, compare in constant time, and reject old timestamps.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The receiver's check (also used by tests and documented in the README). */
export function verifyWebhook(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  return header.split(',').some((part) => {
    const given = Buffer.from(part.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
