import request from 'supertest';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp, uniqueEmail } from '../support/test-app';

/**
 * Tenant B's credentials on tenant A's ids: every call answers 404 (exactly like an id that
 * does not exist) or a list without A's objects, over REST and GraphQL, for a user token and an
 * API key alike.
 */
describe('cross-tenant isolation (foundation resources)', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let aRecruiterId: string;
  let aKeyId: string;
  let bKey: string;

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    b = await signup(t);
    const inv = await request(t.http)
      .post('/v1/users')
      .set('Authorization', `Bearer ${a.token}`)
      .send({ email: uniqueEmail(), name: 'A Recruiter', role: 'recruiter' })
      .expect(201);
    aRecruiterId = inv.body.user.id;
    aKeyId = (await createApiKey(t, a, ['me:read'])).id;
    bKey = (await createApiKey(t, b, ['users:read', 'users:write', 'api_keys:read', 'api_keys:write', 'me:read'])).secret;
  });
  afterAll(async () => {
    await t.close();
  });

  const asB = (): [string, string][] => [
    ['B admin token', b.token],
    ['B API key', bKey],
  ];

  it.each([['user JWT'], ['API key']])('REST: B (%s) gets 404 on every A id', async (which) => {
    const cred = which === 'user JWT' ? b.token : bKey;
    const auth = { Authorization: `Bearer ${cred}` };
    const missing = await request(t.http).get('/v1/users/00000000-0000-4000-8000-000000000000').set(auth).expect(404);
    const cases = [
      request(t.http).get(`/v1/users/${aRecruiterId}`).set(auth),
      request(t.http).get(`/v1/users/${a.userId}`).set(auth),
      request(t.http).get(`/v1/api-keys/${aKeyId}`).set(auth),
      request(t.http).post(`/v1/api-keys/${aKeyId}/revoke`).set(auth),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(/not found/);
      expect(res.body.code).toBe(missing.body.code);
    }
    if (which === 'user JWT') {
      await request(t.http).patch(`/v1/users/${aRecruiterId}`).set(auth).send({ name: 'Hijacked' }).expect(404);
      await request(t.http).delete(`/v1/users/${aRecruiterId}`).set(auth).expect(404);
    }
  });

  it('REST: B lists see none of A', async () => {
    for (const [, cred] of asB()) {
      const users = await request(t.http).get('/v1/users').set('Authorization', `Bearer ${cred}`).expect(200);
      expect(users.body.items.map((u: { id: string }) => u.id)).not.toContain(aRecruiterId);
      const keys = await request(t.http).get('/v1/api-keys').set('Authorization', `Bearer ${cred}`).expect(200);
      expect(keys.body.items.map((k: { id: string }) => k.id)).not.toContain(aKeyId);
    }
  });

  it('A objects are untouched after the attempts', async () => {
    const user = await request(t.http).get(`/v1/users/${aRecruiterId}`).set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(user.body.name).toBe('A Recruiter');
    const key = await request(t.http).get(`/v1/api-keys/${aKeyId}`).set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(key.body.revokedAt).toBeNull();
  });

  it('GraphQL: B gets NOT_FOUND on A ids and lists without A', async () => {
    for (const [, cred] of asB()) {
      const ops: [string, Record<string, unknown>][] = [
        ['query($id: ID!) { user(id: $id) { id } }', { id: aRecruiterId }],
        ['query($id: ID!) { apiKey(id: $id) { id } }', { id: aKeyId }],
        ['mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: aKeyId }],
        ['mutation($id: ID!) { updateUser(id: $id, input: { name: "Hijacked" }) { id } }', { id: aRecruiterId }],
        ['mutation($id: ID!) { deleteUser(id: $id) }', { id: aRecruiterId }],
      ];
      for (const [query, variables] of ops) {
        const res = await gql(t, cred, query, variables);
        expect(res.data).toBeNull();
        expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
      const lists = await gql<{ users: { id: string }[]; apiKeys: { id: string }[] }>(t, cred, '{ users { id } apiKeys { id } me { tenant { id } } }');
      expect(lists.data?.users.map((u) => u.id)).not.toContain(aRecruiterId);
      expect(lists.data?.apiKeys.map((k) => k.id)).not.toContain(aKeyId);
    }
    const user = await request(t.http).get(`/v1/users/${aRecruiterId}`).set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(user.body.name).toBe('A Recruiter');
  });

  it('a tenantId argument is not part of the GraphQL API', async () => {
    const res = await gql(t, b.token, `query { users(tenantId: "${a.tenantId}") { id } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
