import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

// N=2^15, r=8, p=1: 32 MiB per hash, well above OWASP's scrypt minimum (N=2^17 with r=8 is the
// stronger option for a dedicated auth service; this balances login latency on small hosts).
const N = 32768;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: MAXMEM,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash to compare against when the user does not exist, so timing does not reveal it. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

const COMMON = new Set([
  'password', 'password1', 'password123', '123456789012', 'qwertyuiop', 'letmein', 'iloveyou', 'welcome1',
  'admin12345', 'changeme', 'passw0rd', '1q2w3e4r5t6y', 'qwerty123456', 'abc123456789', 'recruiter123',
]);

/** Returns why a password is too weak, or undefined. Length beats composition rules (NIST 800-63B). */
export function passwordWeakness(password: string, context: string[] = []): string | undefined {
  if (password.length < 12) return 'must be at least 12 characters long';
  if (password.length > 200) return 'must be at most 200 characters long';
  const lower = password.toLowerCase();
  const stem = lower.replace(/[^a-z]+$/, '').replace(/^[^a-z]+/, '');
  if (COMMON.has(lower) || COMMON.has(stem) || /^\d+$/.test(password) || /^(.)\1+$/.test(password)) {
    return 'is too common or too easy to guess';
  }
  if (new Set(password).size < 5) return 'must use more than 4 different characters';
  for (const c of context) {
    const part = c.toLowerCase().split('@')[0]?.trim();
    if (part && part.length >= 4 && lower.includes(part)) return 'must not contain your name or email';
  }
  return undefined;
}
