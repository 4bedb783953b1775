import request from 'supertest';
import { bootTestApp, countRows, createApiKey, gql, signup, STRONG_PASSWORD, TestApp, uniqueEmail, withAdminDb } from './support/test-app';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs up a firm and answers /v1/me over REST and GraphQL', async () => {
    const a = await signup(t, { firmName: 'Acme Staffing', name: 'Jane Doe', timeZone: 'America/New_York' });
    const me = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(me.body.kind).toBe('user');
    expect(me.body.user).toMatchObject({ email: a.email, role: 'admin', name: 'Jane Doe' });
    expect(me.body.tenant).toMatchObject({ name: 'Acme Staffing', timeZone: 'America/New_York', status: 'active' });
    const g = await gql<{ me: { kind: string; user: { name: string }; tenant: { name: string; timeZone: string } } }>(
      t,
      a.token,
      '{ me { kind scopes user { name } tenant { id name timeZone } } }',
    );
    expect(g.errors).toBeUndefined();
    expect(g.data?.me.user.name).toBe('Jane Doe');
    expect(g.data?.me.tenant).toMatchObject({ name: 'Acme Staffing', timeZone: 'America/New_York' });
  });

  it('stores the password as scrypt, never in clear', async () => {
    const a = await signup(t);
    const stored = await withAdminDb(async (c) => (await c.query('SELECT password_hash FROM users WHERE id = $1', [a.userId])).rows[0].password_hash as string);
    expect(stored.startsWith('scrypt$')).toBe(true);
    expect(stored).not.toContain(STRONG_PASSWORD);
  });

  it('logs in, and refuses a wrong password with the same message as an unknown email', async () => {
    const a = await signup(t);
    const ok = await request(t.http).post('/v1/auth/login').send({ email: a.email.toUpperCase(), password: STRONG_PASSWORD }).expect(200);
    expect(ok.body.accessToken).toEqual(expect.any(String));
    expect(ok.body.user.id).toBe(a.userId);
    const wrong = await request(t.http).post('/v1/auth/login').send({ email: a.email, password: 'not the password at all' }).expect(401);
    const unknown = await request(t.http).post('/v1/auth/login').send({ email: uniqueEmail(), password: 'not the password at all' }).expect(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
  });

  it('rotates refresh tokens, and a reused one is refused and signs the family out', async () => {
    const a = await signup(t);
    const first = await request(t.http).post('/v1/auth/refresh').send({ refreshToken: a.refreshToken }).expect(200);
    expect(first.body.refreshToken).not.toBe(a.refreshToken);
    await request(t.http).get('/v1/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(200);
    // The spent token again: refused, and the token rotated from it is revoked too.
    const reuse = await request(t.http).post('/v1/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
    expect(reuse.body.detail).toMatch(/already used/);
    await request(t.http).post('/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);
    const rows = await withAdminDb(async (c) => (await c.query('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [a.userId])).rows as { token_hash: string }[]);
    expect(rows.every((r) => r.token_hash.length === 64 && !r.token_hash.startsWith('rt.'))).toBe(true);
  });

  it('logout revokes the refresh family', async () => {
    const a = await signup(t);
    await request(t.http).post('/v1/auth/logout').send({ refreshToken: a.refreshToken }).expect(204);
    await request(t.http).post('/v1/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
  });

  it('an admin invites a recruiter, who sets a password and has recruiter rights only', async () => {
    const a = await signup(t);
    const email = uniqueEmail('recruiter');
    const inv = await request(t.http)
      .post('/v1/users')
      .set('Authorization', `Bearer ${a.token}`)
      .send({ email, name: 'Sam Lee', role: 'recruiter' })
      .expect(201);
    expect(inv.body.user).toMatchObject({ email, role: 'recruiter', status: 'invited' });
    // Not able to log in before accepting.
    await request(t.http).post('/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(401);
    const accepted = await request(t.http)
      .post('/v1/auth/accept-invite')
      .send({ inviteToken: inv.body.inviteToken, password: 'a long and unusual passphrase' })
      .expect(200);
    expect(accepted.body.user.status).toBe('active');
    // The invite works once.
    await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: inv.body.inviteToken, password: 'another long passphrase' }).expect(401);
    const login = await request(t.http).post('/v1/auth/login').send({ email, password: 'a long and unusual passphrase' }).expect(200);
    const recruiter = login.body.accessToken as string;
    const forbidden = await request(t.http).post('/v1/api-keys').set('Authorization', `Bearer ${recruiter}`).send({ name: 'x', scopes: ['me:read'] }).expect(403);
    expect(forbidden.body.detail).toMatch(/recruiter.*api_keys:write/);
    const list = await request(t.http).get('/v1/users').set('Authorization', `Bearer ${recruiter}`).expect(200);
    expect(list.body.items.map((u: { email: string }) => u.email).sort()).toEqual([a.email, email].sort());
  });

  it('creates, uses and revokes an API key; the key is shown once and stored hashed', async () => {
    const a = await signup(t);
    const key = await createApiKey(t, a, ['me:read', 'candidates:read']);
    expect(key.secret).toMatch(/^tp_/);
    const me = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${key.secret}`).expect(200);
    expect(me.body).toMatchObject({ kind: 'api_key', user: null, scopes: ['me:read', 'candidates:read'] });
    expect(me.body.tenant.id).toBe(a.tenantId);
    const g = await gql<{ me: { kind: string; apiKey: { id: string } } }>(t, key.secret, '{ me { kind apiKey { id name } tenant { id } } }');
    expect(g.data?.me).toMatchObject({ kind: 'api_key', apiKey: { id: key.id } });
    const listed = await request(t.http).get('/v1/api-keys').set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(key.secret);
    expect(listed.body.items[0].lastUsedAt).not.toBeNull();
    const stored = await withAdminDb(async (c) => (await c.query('SELECT key_hash FROM api_keys WHERE id = $1', [key.id])).rows[0].key_hash as string);
    expect(stored).not.toContain(key.secret);
    await request(t.http).post(`/v1/api-keys/${key.id}/revoke`).set('Authorization', `Bearer ${a.token}`).expect(200);
    const revoked = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${key.secret}`).expect(401);
    expect(revoked.body.detail).toMatch(/revoked/);
  });

  it('an API key without the needed scope is refused with 403 naming the scope', async () => {
    const a = await signup(t);
    const key = await createApiKey(t, a, ['candidates:read']);
    const res = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${key.secret}`).expect(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['me:read'] });
    const g = await gql(t, key.secret, '{ me { kind } }');
    expect(g.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a still-valid token of a deleted user, and of a suspended tenant', async () => {
    const a = await signup(t);
    const email = uniqueEmail('gone');
    const inv = await request(t.http).post('/v1/users').set('Authorization', `Bearer ${a.token}`).send({ email, name: 'Gone Soon', role: 'admin' }).expect(201);
    const acc = await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: inv.body.inviteToken, password: 'a long and unusual passphrase' }).expect(200);
    await request(t.http).get('/v1/me').set('Authorization', `Bearer ${acc.body.accessToken}`).expect(200);
    await request(t.http).delete(`/v1/users/${inv.body.user.id}`).set('Authorization', `Bearer ${a.token}`).expect(204);
    await request(t.http).get('/v1/me').set('Authorization', `Bearer ${acc.body.accessToken}`).expect(401);
    await request(t.http).post('/v1/auth/refresh').send({ refreshToken: acc.body.refreshToken }).expect(401);

    const key = await createApiKey(t, a, ['me:read']);
    await withAdminDb((c) => c.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [a.tenantId]));
    const s1 = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${a.token}`).expect(403);
    expect(s1.body.detail).toMatch(/suspended/);
    await request(t.http).get('/v1/me').set('Authorization', `Bearer ${key.secret}`).expect(403);
    await request(t.http).post('/v1/auth/login').send({ email: a.email, password: STRONG_PASSWORD }).expect(403);
  });

  it('keeps the last admin: an admin cannot delete themselves or demote the only admin', async () => {
    const a = await signup(t);
    await request(t.http).delete(`/v1/users/${a.userId}`).set('Authorization', `Bearer ${a.token}`).expect(409);
    await request(t.http).patch(`/v1/users/${a.userId}`).set('Authorization', `Bearer ${a.token}`).send({ role: 'recruiter' }).expect(409);
    expect(await countRows('users', 'tenant_id = $1 AND role = $2', [a.tenantId, 'admin'])).toBe(1);
  });

  it('rate-limits login attempts per email', async () => {
    const limited = await bootTestApp({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3' } });
    try {
      const email = uniqueEmail('brute');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        statuses.push((await request(limited.http).post('/v1/auth/login').send({ email, password: 'wrong password here' })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const res = await request(limited.http).post('/v1/auth/login').send({ email, password: 'wrong password here' });
      expect(res.headers['retry-after']).toEqual(expect.any(String));
    } finally {
      await limited.close();
    }
  });
});
