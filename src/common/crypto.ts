import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** One encryption key and its id (derived from the key, so it needs no configuration). */
export interface RingKey {
  id: string;
  key: Buffer;
}

/**
 * ENCRYPTION_KEY and the keys it replaced (ENCRYPTION_KEYS_OLD). New secrets are sealed under the
 * current key and carry its id; a stored secret is opened with the key its id names (or, for the
 * older id-less format, with each key in turn), and unsubscribe links signed under an old key
 * still verify. `npm run keys:reencrypt` moves every stored secret to the current key.
 */
export class Keyring {
  readonly current: RingKey;
  readonly old: readonly RingKey[];

  constructor(current: Buffer, old: readonly Buffer[] = []) {
    this.current = { id: Keyring.keyId(current), key: current };
    const seen = new Set([this.current.id]);
    this.old = old.map((key) => ({ id: Keyring.keyId(key), key })).filter((k) => !seen.has(k.id) && seen.add(k.id));
  }

  /** A short public id of a key: 8 hex characters of a hash of it (never the key itself). */
  static keyId(key: Buffer): string {
    return createHash('sha256').update('touchpoint/key-id/v1').update(key).digest('hex').slice(0, 8);
  }

  /** The current key first, then the old ones. */
  all(): readonly RingKey[] {
    return [this.current, ...this.old];
  }

  byId(id: string): RingKey | undefined {
    return this.all().find((k) => k.id === id);
  }
}

function ringOf(keys: Keyring | Buffer): Keyring {
  return keys instanceof Keyring ? keys : new Keyring(keys);
}

/**
 * AES-256-GCM for tenant secrets at rest, under the keyring's current key.
 * Output: v2.<key id>.<iv>.<tag>.<ciphertext>, base64url parts. (v1.<iv>.<tag>.<ciphertext>,
 * without a key id, is still read.)
 */
export function encryptSecret(keys: Keyring | Buffer, plaintext: string): string {
  const { id, key } = ringOf(keys).current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v2', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** The id of the key a sealed secret was made with; undefined for the id-less v1 format. */
export function sealedKeyId(sealed: string): string | undefined {
  const [version, id] = sealed.split('.');
  return version === 'v2' ? id : undefined;
}

function open(key: Buffer, iv: string, tag: string, data: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

export function decryptSecret(keys: Keyring | Buffer, sealed: string): string {
  const ring = ringOf(keys);
  const parts = sealed.split('.');
  if (parts[0] === 'v2' && parts.length === 5) {
    const [, id, iv, tag, data] = parts as [string, string, string, string, string];
    const key = ring.byId(id);
    if (!key) throw new Error(`Sealed under key ${id}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_OLD`);
    return open(key.key, iv, tag, data);
  }
  const [version, iv, tag, data] = parts;
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Unrecognised secret format');
  let last: unknown;
  for (const k of ring.all()) {
    try {
      return open(k.key, iv, tag, data);
    } catch (err) {
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error('Unsupported state or unable to authenticate data');
}
