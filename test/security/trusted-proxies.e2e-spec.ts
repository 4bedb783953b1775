import request from 'supertest';
import { bootTestApp, STRONG_PASSWORD, TestApp, uniqueEmail } from '../support/test-app';

/**
 * The review's attack: in production every X-Forwarded-For hop was trusted, so each request named
 * its own client address and no per-IP limit ever answered 429. Now only TRUSTED_PROXIES are
 * believed (none by default).
 */
const PRODUCTION = { NODE_ENV: 'production', RATE_LIMIT_LOGIN_PER_MINUTE: '10', RATE_LIMIT_PER_IP_PER_MINUTE: '1000000' };
/** The per-IP auth limit is three times the per-email login limit. */
const PER_IP_AUTH = 30;

const spoofed = (i: number) => `203.0.113.${i + 1}`;

async function statuses(n: number, send: (i: number) => Promise<request.Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send(i)).status);
  return out;
}

function expectLimitedAfter(got: number[], allowed: number, refusedWith: number): void {
  expect(got.slice(0, allowed).every((s) => s === refusedWith)).toBe(true);
  expect(got.slice(allowed)).toEqual(Array(got.length - allowed).fill(429));
}

describe('security: X-Forwarded-For does not bypass per-IP limits (no trusted proxy)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: PRODUCTION });
  });
  afterAll(async () => {
    await t.close();
  });

  it('40 logins, each with a different X-Forwarded-For and email, get 429 past the per-IP limit', async () => {
    const got = await statuses(40, (i) =>
      request(t.http).post('/v1/auth/login').set('X-Forwarded-For', spoofed(i)).send({ email: uniqueEmail('nobody'), password: 'wrong password here' }),
    );
    expectLimitedAfter(got, PER_IP_AUTH, 401);
    const last = await request(t.http).post('/v1/auth/login').set('X-Forwarded-For', '198.51.100.77').send({ email: uniqueEmail('nobody'), password: 'x' });
    expect(last.status).toBe(429);
    expect(last.body.code).toBe('RATE_LIMITED');
    expect(last.body.detail).toMatch(/try again in \d+ seconds/);
  });

  it('40 signups with different X-Forwarded-For get 429 past the per-IP limit', async () => {
    // A weak password is refused after the limit is counted: no 30 real firms needed.
    const got = await statuses(40, (i) =>
      request(t.http).post('/v1/auth/signup').set('X-Forwarded-For', spoofed(i)).send({ firmName: 'Pump Co', name: 'Pat', email: uniqueEmail('pump'), password: 'password' }),
    );
    expectLimitedAfter(got, PER_IP_AUTH, 400);
  });

  it('40 refreshes with different X-Forwarded-For get 429 past the per-IP limit', async () => {
    const got = await statuses(40, (i) =>
      request(t.http).post('/v1/auth/refresh').set('X-Forwarded-For', spoofed(i)).send({ refreshToken: `rt.guess-${i}` }),
    );
    expectLimitedAfter(got, PER_IP_AUTH, 401);
  });

  it('40 invite acceptances with different X-Forwarded-For get 429 past the per-IP limit', async () => {
    const got = await statuses(40, (i) =>
      request(t.http).post('/v1/auth/accept-invite').set('X-Forwarded-For', spoofed(i)).send({ inviteToken: `guessed-invite-token-${i}`, password: STRONG_PASSWORD }),
    );
    expectLimitedAfter(got, PER_IP_AUTH, 401);
  });
});

describe('security: X-Forwarded-For does not bypass the global per-IP limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { ...PRODUCTION, RATE_LIMIT_PER_IP_PER_MINUTE: '20' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('40 requests with different X-Forwarded-For get 429 past the limit', async () => {
    const got = await statuses(40, (i) => request(t.http).get('/health/live').set('X-Forwarded-For', spoofed(i)));
    expectLimitedAfter(got, 20, 200);
  });
});

describe('security: behind a configured trusted proxy, the forwarded client address is used', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The test client connects over loopback: loopback plays the proxy.
    t = await bootTestApp({ env: { ...PRODUCTION, TRUSTED_PROXIES: '127.0.0.1/32, ::1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (xff: string, email = uniqueEmail('nobody')) =>
    request(t.http).post('/v1/auth/login').set('X-Forwarded-For', xff).send({ email, password: 'wrong password here' });

  it('counts each client separately, by the address the proxy appended (a prepended forgery changes nothing)', async () => {
    // Client A forges a different first hop every time; the proxy appends A's real address.
    const a = await statuses(40, (i) => login(`${spoofed(i)}, 192.0.2.10`));
    expectLimitedAfter(a, PER_IP_AUTH, 401);
    // Client B, behind the same proxy, is not affected by A.
    expect((await login('192.0.2.20')).status).toBe(401);
  });

  it('spoofed or rotating addresses cannot reset the per-email login limit', async () => {
    const victim = uniqueEmail('victim');
    const got = await statuses(11, () => login('192.0.2.30', victim));
    expect(got).toEqual([...Array(10).fill(401), 429]);
    // A flood of other emails from many other addresses (a botnet, or forged hops)...
    await statuses(60, (i) => login(`198.51.100.${i + 1}`));
    // ...and the victim's email is still limited, from any address.
    expect((await login('192.0.2.31', victim)).status).toBe(429);
    expect((await login(`${spoofed(5)}, 192.0.2.32`, victim)).status).toBe(429);
  });
});

describe('security: TRUSTED_PROXIES as a hop count', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { ...PRODUCTION, RATE_LIMIT_PER_IP_PER_MINUTE: '5', TRUSTED_PROXIES: '1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('believes exactly one hop: the last forwarded address is the client', async () => {
    const a = await statuses(8, (i) => request(t.http).get('/health/live').set('X-Forwarded-For', `${spoofed(i)}, 192.0.2.40`));
    expectLimitedAfter(a, 5, 200);
    expect((await request(t.http).get('/health/live').set('X-Forwarded-For', '192.0.2.41')).status).toBe(200);
  });
});
