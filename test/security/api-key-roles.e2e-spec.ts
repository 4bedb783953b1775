import request from 'supertest';
import { bootTestApp, createApiKey, gql, signup, SignedUp, STRONG_PASSWORD, TestApp, uniqueEmail, withAdminDb } from '../support/test-app';

/**
 * Issue 18: an API key with users:write could PATCH a user's role to admin (it was already
 * refused for invites). Role changes need a signed-in admin, over REST and GraphQL.
 */
describe('security: API keys cannot change roles', () => {
  let t: TestApp;
  let a: SignedUp;
  let recruiterId: string;
  let key: { id: string; secret: string };

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    const invited = await request(t.http).post('/v1/users').set('Authorization', `Bearer ${a.token}`).send({ email: uniqueEmail('rec'), name: 'Rae Recruiter', role: 'recruiter' }).expect(201);
    recruiterId = invited.body.user.id;
    await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: invited.body.inviteToken, password: STRONG_PASSWORD }).expect(200);
    key = await createApiKey(t, a, ['users:read', 'users:write']);
  });
  afterAll(async () => {
    await t.close();
  });

  const roleOf = (id: string): Promise<string> => withAdminDb(async (c) => (await c.query(`SELECT role FROM users WHERE id = $1`, [id])).rows[0].role as string);

  it('REST: PATCH {"role":"admin"} with a users:write key is a 403 naming the rule; nothing changes', async () => {
    const res = await request(t.http).patch(`/v1/users/${recruiterId}`).set('Authorization', `Bearer ${key.secret}`).send({ role: 'admin' }).expect(403);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(/role needs a signed-in admin/);
    // A name and a role together: refused as a whole, the name unchanged.
    await request(t.http).patch(`/v1/users/${recruiterId}`).set('Authorization', `Bearer ${key.secret}`).send({ name: 'Boss', role: 'admin' }).expect(403);
    // Demoting the admin is refused too.
    await request(t.http).patch(`/v1/users/${a.userId}`).set('Authorization', `Bearer ${key.secret}`).send({ role: 'recruiter' }).expect(403);
    expect(await roleOf(recruiterId)).toBe('recruiter');
    expect(await roleOf(a.userId)).toBe('admin');
    const user = await request(t.http).get(`/v1/users/${recruiterId}`).set('Authorization', `Bearer ${key.secret}`).expect(200);
    expect(user.body).toMatchObject({ name: 'Rae Recruiter', role: 'recruiter' });
    // The key may still rename.
    await request(t.http).patch(`/v1/users/${recruiterId}`).set('Authorization', `Bearer ${key.secret}`).send({ name: 'Rae R.' }).expect(200);
  });

  it('GraphQL: updateUser(role) with the key is FORBIDDEN; nothing changes', async () => {
    const res = await gql(t, key.secret, `mutation($id: ID!) { updateUser(id: $id, input: { role: admin }) { id role } }`, { id: recruiterId });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.errors?.[0]?.message).toMatch(/role needs a signed-in admin/);
    expect(await roleOf(recruiterId)).toBe('recruiter');
  });

  it('a signed-in admin still changes roles (REST and GraphQL); a recruiter cannot', async () => {
    const login = await request(t.http).post('/v1/auth/login').send({ email: (await withAdminDb(async (c) => (await c.query(`SELECT email FROM users WHERE id = $1`, [recruiterId])).rows[0].email)) as string, password: STRONG_PASSWORD }).expect(200);
    await request(t.http).patch(`/v1/users/${recruiterId}`).set('Authorization', `Bearer ${login.body.accessToken}`).send({ role: 'admin' }).expect(403);
    expect(await roleOf(recruiterId)).toBe('recruiter');
    await request(t.http).patch(`/v1/users/${recruiterId}`).set('Authorization', `Bearer ${a.token}`).send({ role: 'admin' }).expect(200);
    expect(await roleOf(recruiterId)).toBe('admin');
    const g = await gql(t, a.token, `mutation($id: ID!) { updateUser(id: $id, input: { role: recruiter }) { id role } }`, { id: recruiterId });
    expect(g.errors).toBeUndefined();
    expect(await roleOf(recruiterId)).toBe('recruiter');
  });
});
