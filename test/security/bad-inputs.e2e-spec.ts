import { createHmac } from 'node:crypto';
import request from 'supertest';
import { bootTestApp, countRows, createApiKey, signup, SignedUp, STRONG_PASSWORD, TEST_JWT_SECRET, TestApp, uniqueEmail } from '../support/test-app';

function b64url(o: object): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

/** Builds a JWT by hand so every malformed variant can be produced. */
function forge(header: object, payload: object, secret: string | null): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  const sig = secret === null ? '' : createHmac('sha256', secret).update(head).digest('base64url');
  return `${head}.${sig}`;
}

describe('bad inputs are refused with a clear 4xx and write nothing', () => {
  let t: TestApp;
  let a: SignedUp;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({ sub: a.userId, tid: a.tenantId, role: 'admin', typ: 'access', iss: 'touchpoint', aud: 'touchpoint-api', iat: now(), exp: now() + 600 });

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts a correctly forged token (control for the cases below)', async () => {
    await request(t.http).get('/v1/me').set('Authorization', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, claims(), TEST_JWT_SECRET)}`).expect(200);
  });

  const jwtCases: [string, () => string, RegExp][] = [
    ['alg:none', () => forge({ alg: 'none', typ: 'JWT' }, claims(), null), /invalid/i],
    ['a wrong signature', () => forge({ alg: 'HS256', typ: 'JWT' }, claims(), 'another-secret-another-secret-another-secret'), /signature/],
    ['an expired token', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...claims(), iat: now() - 3600, exp: now() - 1800 }, TEST_JWT_SECRET), /expired/],
    ['a wrong audience', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...claims(), aud: 'someone-else' }, TEST_JWT_SECRET), /audience/],
    ['a wrong issuer', () => forge({ alg: 'HS256', typ: 'JWT' }, { ...claims(), iss: 'evil' }, TEST_JWT_SECRET), /issuer/],
    ['HS512 instead of the pinned HS256', () => {
      const head = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(claims())}`;
      return `${head}.${createHmac('sha512', TEST_JWT_SECRET).update(head).digest('base64url')}`;
    }, /invalid algorithm/],
    ['garbage', () => 'not.a.jwt', /invalid/i],
  ];
  it.each(jwtCases)('refuses %s with 401', async (_name, token, detail) => {
    const res = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${token()}`).expect(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe('UNAUTHENTICATED');
    expect(res.body.detail).toMatch(detail);
    expect(res.body.correlationId).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a token in the query string, even a valid one', async () => {
    const res = await request(t.http).get(`/v1/me?access_token=${encodeURIComponent(a.token)}`).expect(401);
    expect(res.body.detail).toMatch(/Authorization header/);
  });

  it('refuses a token in the body', async () => {
    const res = await request(t.http).post('/v1/users').send({ access_token: a.token, email: uniqueEmail(), name: 'X', role: 'recruiter' }).expect(401);
    expect(res.body.detail).toMatch(/Authorization header/);
  });

  it('refuses a missing Authorization header', async () => {
    const res = await request(t.http).get('/v1/me').expect(401);
    expect(res.body.detail).toMatch(/Missing Authorization header/);
  });

  it('refuses a revoked key and a key without the needed scope', async () => {
    const k = await createApiKey(t, a, ['me:read']);
    await request(t.http).get('/v1/users').set('Authorization', `Bearer ${k.secret}`).expect(403);
    await request(t.http).post(`/v1/api-keys/${k.id}/revoke`).set('Authorization', `Bearer ${a.token}`).expect(200);
    await request(t.http).get('/v1/me').set('Authorization', `Bearer ${k.secret}`).expect(401);
    await request(t.http).get('/v1/me').set('Authorization', 'Bearer tp_thisKeyDoesNotExistAtAll1234567').expect(401);
  });

  describe('request bodies', () => {
    const invite = () => request(t.http).post('/v1/users').set('Authorization', `Bearer ${a.token}`);
    const users = () => countRows('users', 'tenant_id = $1', [a.tenantId]);

    it('malformed JSON → 400 naming it', async () => {
      const before = await users();
      const res = await invite().set('Content-Type', 'application/json').send('{"email": "x@example.com", "name": ').expect(400);
      expect(res.body.detail).toMatch(/JSON/);
      expect(await users()).toBe(before);
    });

    it('an unknown field, such as tenantId → 400 naming it, nothing written', async () => {
      const other = await signup(t);
      const before = await users();
      const res = await invite().send({ email: uniqueEmail(), name: 'Eve', role: 'recruiter', tenantId: other.tenantId }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual([{ field: 'tenantId', message: 'unknown field "tenantId" is not allowed' }]);
      expect(await users()).toBe(before);
      expect(await countRows('users', 'tenant_id = $1', [other.tenantId])).toBe(1);
    });

    it('a bad email and a bad role → 400 listing both fields', async () => {
      const before = await users();
      const res = await invite().send({ email: 'not-an-email', name: 'Eve', role: 'owner' }).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'role']);
      expect(await users()).toBe(before);
    });

    it('a 2 MB body → 413', async () => {
      const before = await users();
      const res = await invite().send({ email: uniqueEmail(), name: 'x'.repeat(2 * 1024 * 1024), role: 'recruiter' }).expect(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await users()).toBe(before);
    });

    it('a wrong content type → 415', async () => {
      const before = await users();
      const res = await invite().set('Content-Type', 'text/plain').send('email=x@example.com').expect(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(await users()).toBe(before);
    });
  });

  describe('signup', () => {
    const tenants = (name = 'Weak Co') => countRows('tenants', 'name = $1', [name]);

    it.each([
      ['too short', 'short pw'],
      ['common', 'Password123456'],
      ['only digits', '1234567890123'],
      ['one repeated character', 'aaaaaaaaaaaaaaaa'],
    ])('refuses a weak password (%s) with 400 naming password', async (_n, password) => {
      const before = await tenants();
      const res = await request(t.http).post('/v1/auth/signup').send({ firmName: 'Weak Co', name: 'Wendy Weak', email: uniqueEmail(), password }).expect(400);
      expect(res.body.errors[0].field).toBe('password');
      expect(await tenants()).toBe(before);
    });

    it('an email used in another firm is no conflict: a firm of its own, and nothing reveals the other (test/security/email-privacy)', async () => {
      const before = await tenants('Copy Co');
      const res = await request(t.http).post('/v1/auth/signup').send({ firmName: 'Copy Co', name: 'Copy Cat', email: a.email.toUpperCase(), password: STRONG_PASSWORD }).expect(201);
      expect(res.body.tenant.id).not.toBe(a.tenantId);
      expect(await tenants('Copy Co')).toBe(before + 1);
    });

    it('refuses an invalid time zone and missing fields', async () => {
      const before = await countRows('tenants');
      const res = await request(t.http).post('/v1/auth/signup').send({ firmName: '', email: uniqueEmail(), password: STRONG_PASSWORD, timeZone: 'Mars/Olympus' }).expect(400);
      expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['firmName', 'name', 'timeZone']);
      expect(res.body.errors.find((e: { field: string }) => e.field === 'timeZone').message).toMatch(/IANA/);
      expect(before).toBeGreaterThan(0);
    });
  });

  it('unknown routes answer problem+json 404', async () => {
    const res = await request(t.http).get('/v1/nothing-here').set('Authorization', `Bearer ${a.token}`).expect(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
