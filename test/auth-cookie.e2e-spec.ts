import request from 'supertest';
import { bootTestApp, signup, STRONG_PASSWORD, TestApp, uniqueEmail } from './support/test-app';

/**
 * The browser session: with `Touchpoint-Refresh: cookie` the refresh token travels only as an
 * httpOnly, SameSite=Strict cookie scoped to /v1/auth/refresh, rotates on every refresh, and a
 * replayed one signs the login out. The JSON flow for API clients is unchanged.
 */
describe('the refresh token as a cookie (browser sessions)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const cookieOf = (res: request.Response): string => {
    const raw = res.headers['set-cookie'];
    const header = (Array.isArray(raw) ? raw : [raw]).find((c) => typeof c === 'string' && c.startsWith('tp_refresh='));
    if (!header) throw new Error(`no tp_refresh cookie in ${JSON.stringify(res.headers)}`);
    return header;
  };
  const valueOf = (setCookie: string): string => setCookie.split(';')[0]!;

  async function cookieLogin(): Promise<{ email: string; cookie: string; body: Record<string, unknown> }> {
    const email = uniqueEmail('cookie');
    await request(t.http).post('/v1/auth/signup').send({ firmName: 'Cookie Firm', name: 'Casey', email, password: STRONG_PASSWORD }).expect(201);
    const res = await request(t.http).post('/v1/auth/login').set('Touchpoint-Refresh', 'cookie').send({ email, password: STRONG_PASSWORD }).expect(200);
    return { email, cookie: cookieOf(res), body: res.body };
  }

  it('login with the header sets the cookie (httpOnly, SameSite=Strict, refresh path only) and leaves the token out of the body', async () => {
    const { cookie, body } = await cookieLogin();
    expect(cookie).toMatch(/^tp_refresh=rt\./);
    expect(cookie).toMatch(/; Path=\/v1\/auth\/refresh(;|$)/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Expires=/);
    expect(cookie).not.toMatch(/; Secure/); // PUBLIC_URL is http here; https makes it Secure
    expect(body.refreshToken).toBeUndefined();
    expect(body).toMatchObject({ accessToken: expect.any(String), tokenType: 'Bearer', refreshExpiresAt: expect.any(String) });
  });

  it('signup with the header does the same', async () => {
    const res = await request(t.http)
      .post('/v1/auth/signup')
      .set('Touchpoint-Refresh', 'cookie')
      .send({ firmName: 'Cookie Firm 2', name: 'Casey', email: uniqueEmail('cookie'), password: STRONG_PASSWORD })
      .expect(201);
    expect(cookieOf(res)).toMatch(/HttpOnly/);
    expect(res.body.refreshToken).toBeUndefined();
  });

  it('refresh with the cookie rotates it; the spent one replayed signs the login out', async () => {
    const { cookie } = await cookieLogin();
    const first = await request(t.http).post('/v1/auth/refresh').set('Touchpoint-Refresh', 'cookie').set('Cookie', valueOf(cookie)).send({}).expect(200);
    const rotated = cookieOf(first);
    expect(valueOf(rotated)).not.toBe(valueOf(cookie));
    expect(first.body.refreshToken).toBeUndefined();
    await request(t.http).get('/v1/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(200);
    // Replaying the spent cookie revokes the family and clears the cookie.
    const replay = await request(t.http).post('/v1/auth/refresh').set('Touchpoint-Refresh', 'cookie').set('Cookie', valueOf(cookie)).send({}).expect(401);
    expect(cookieOf(replay)).toMatch(/^tp_refresh=;.*Expires=Thu, 01 Jan 1970/);
    await request(t.http).post('/v1/auth/refresh').set('Touchpoint-Refresh', 'cookie').set('Cookie', valueOf(rotated)).send({}).expect(401);
  });

  it('the cookie counts only with the header (a cross-site form cannot send one): without it, 400 naming refreshToken', async () => {
    const { cookie } = await cookieLogin();
    const res = await request(t.http).post('/v1/auth/refresh').set('Cookie', valueOf(cookie)).send({}).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'refreshToken' })]);
    // The cookie was not spent.
    await request(t.http).post('/v1/auth/refresh').set('Touchpoint-Refresh', 'cookie').set('Cookie', valueOf(cookie)).send({}).expect(200);
  });

  it('DELETE /v1/auth/refresh signs the browser session out and clears the cookie', async () => {
    const { cookie } = await cookieLogin();
    const res = await request(t.http).delete('/v1/auth/refresh').set('Touchpoint-Refresh', 'cookie').set('Cookie', valueOf(cookie)).expect(204);
    expect(cookieOf(res)).toMatch(/^tp_refresh=;/);
    await request(t.http).post('/v1/auth/refresh').set('Touchpoint-Refresh', 'cookie').set('Cookie', valueOf(cookie)).send({}).expect(401);
    await request(t.http).delete('/v1/auth/refresh').set('Touchpoint-Refresh', 'cookie').expect(400);
  });

  it('the JSON flow for API clients is unchanged: the pair in the body, no cookie', async () => {
    const a = await signup(t);
    const res = await request(t.http).post('/v1/auth/refresh').send({ refreshToken: a.refreshToken }).expect(200);
    expect(res.body.refreshToken).toMatch(/^rt\./);
    expect(res.headers['set-cookie']).toBeUndefined();
    await request(t.http).post('/v1/auth/logout').send({}).expect(400);
    await request(t.http).post('/v1/auth/logout').send({ refreshToken: res.body.refreshToken }).expect(204);
  });
});
