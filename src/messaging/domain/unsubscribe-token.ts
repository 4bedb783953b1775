import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../../common/crypto';
import type { Channel } from './channel';
import type { PersonRef } from '../outbound.types';

/**
 * The token of a one-click unsubscribe link (RFC 8058). It names the tenant, the person and the
 * channel, and is signed with HMAC-SHA256 under a key derived from ENCRYPTION_KEY, so it cannot
 * be guessed or altered, and it needs no table. It does not expire: an unsubscribe link in an old
 * email must keep working, across a key rotation too: links are signed under the current key and
 * verified under each key of the keyring (ENCRYPTION_KEYS_OLD), so keep a replaced key there for as
 * long as its links must work (CAN-SPAM: at least 30 days after the last email).
 *
 * Binary, to stay short enough for a URL path segment (Fastify's maxParamLength is 100):
 *   base64url( 0x01 | tenant uuid (16) | kind (1: bit0 contact, bit1 sms) | person uuid (16) | HMAC[0..16] )
 * = 50 bytes, 67 characters.
 */
export interface UnsubscribeSubject {
  tenantId: string;
  person: PersonRef;
  channel: Channel;
}

const VERSION = 1;
const PAYLOAD_LENGTH = 34;
const MAC_LENGTH = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function unsubscribeKey(encryptionKey: Buffer): Buffer {
  return createHmac('sha256', encryptionKey).update('touchpoint/unsubscribe-link/v1').digest();
}

function mac(key: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_LENGTH);
}

function uuidBytes(uuid: string): Buffer {
  if (!UUID.test(uuid)) throw new Error(`not a uuid: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function uuidString(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function createUnsubscribeToken(key: Buffer, subject: UnsubscribeSubject): string {
  const kind = (subject.person.type === 'contact' ? 1 : 0) | (subject.channel === 'sms' ? 2 : 0);
  const payload = Buffer.concat([Buffer.from([VERSION]), uuidBytes(subject.tenantId), Buffer.from([kind]), uuidBytes(subject.person.id)]);
  return Buffer.concat([payload, mac(key, payload)]).toString('base64url');
}

/** The signing keys of a keyring, the current one first (see unsubscribeKey). */
export function unsubscribeKeys(keyring: Keyring): Buffer[] {
  return keyring.all().map((k) => unsubscribeKey(k.key));
}

/** The subject of a token valid under any of `keys`; undefined for anything forged, altered or malformed. */
export function verifyUnsubscribeToken(keys: Buffer | readonly Buffer[], token: string): UnsubscribeSubject | undefined {
  if (!/^[A-Za-z0-9_-]{60,80}$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== PAYLOAD_LENGTH + MAC_LENGTH) return undefined;
  const payload = raw.subarray(0, PAYLOAD_LENGTH);
  const given = raw.subarray(PAYLOAD_LENGTH);
  const valid = (Array.isArray(keys) ? keys : [keys]).map((key) => timingSafeEqual(given, mac(key as Buffer, payload)));
  if (!valid.includes(true)) return undefined;
  const kind = payload[17]!;
  if (payload[0] !== VERSION || kind > 3) return undefined;
  return {
    tenantId: uuidString(payload.subarray(1, 17)),
    person: { type: kind & 1 ? 'contact' : 'candidate', id: uuidString(payload.subarray(18, 34)) },
    channel: kind & 2 ? 'sms' : 'email',
  };
}
