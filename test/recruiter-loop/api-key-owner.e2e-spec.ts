import request from 'supertest';
import { api } from '../pipeline/pipeline-support';
import { bootTestApp, gql, signup, SignedUp, TestApp } from '../support/test-app';

/**
 * Candidates an API key creates get an owner: the key's default owner (set on the key), or else
 * the admin who made the key. An explicit ownerUserId (null included) is kept as given.
 */
describe('records created with an API key have an owner', () => {
  let t: TestApp;
  let admin: SignedUp;
  let other: SignedUp;
  let rita: { userId: string; token: string };

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await signup(t);
    other = await signup(t);
    const inv = await api(t, admin).post('/v1/users', { email: `rita.${Date.now()}@example.com`, name: 'Rita Recruiter', role: 'recruiter' }).expect(201);
    const acc = await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: inv.body.inviteToken, password: 'a long and unusual passphrase' }).expect(200);
    rita = { userId: inv.body.user.id, token: acc.body.accessToken };
  });
  afterAll(async () => {
    await t.close();
  });

  const key = async (body: object = {}): Promise<{ id: string; secret: string }> => {
    const res = await api(t, admin).post('/v1/api-keys', { name: 'ATS', preset: 'integration', ...body }).expect(201);
    return { id: res.body.apiKey.id, secret: res.body.secret };
  };

  it('without a default owner: the admin who made the key, on create, upsert and bulk upsert', async () => {
    const k = await key();
    const created = await api(t, k.secret).post('/v1/candidates', { name: 'Made By Key' }).expect(201);
    expect(created.body.ownerUserId).toBe(admin.userId);
    const upserted = await api(t, k.secret).put('/v1/candidates/by-external-id/OWN-1', { name: 'Upserted By Key' });
    expect(upserted.status).toBeLessThan(300);
    expect(upserted.body.ownerUserId).toBe(admin.userId);
    const bulk = await gql<{ upsertCandidates: { results: { candidate: { ownerUserId: string | null } }[] } }>(
      t,
      k.secret,
      'mutation($input: [UpsertCandidatesItemInput!]!) { upsertCandidates(input: $input) { results { candidate { ownerUserId } } } }',
      { input: [{ externalId: 'OWN-2', name: 'Bulk By Key' }] },
    );
    expect(bulk.data?.upsertCandidates.results).toEqual([{ candidate: { ownerUserId: admin.userId } }]);
    // The admin's own list of their candidates has them.
    const mine = await api(t, admin).get(`/v1/candidates?ownerUserId=${admin.userId}&limit=100`).expect(200);
    expect(mine.body.items.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['Made By Key', 'Upserted By Key', 'Bulk By Key']));
  });

  it('an explicit ownerUserId wins (null: no owner); an update never changes the owner', async () => {
    const k = await key();
    expect((await api(t, k.secret).post('/v1/candidates', { name: 'Rita Owns', ownerUserId: rita.userId }).expect(201)).body.ownerUserId).toBe(rita.userId);
    expect((await api(t, k.secret).post('/v1/candidates', { name: 'Nobody Owns', ownerUserId: null }).expect(201)).body.ownerUserId).toBeNull();
    const mine = (await api(t, admin).post('/v1/candidates', { name: 'Admin Made', ownerUserId: rita.userId }).expect(201)).body.id;
    await api(t, k.secret).patch(`/v1/candidates/${mine}`, { name: 'Admin Made (renamed by key)' }).expect(200);
    expect((await api(t, admin).get(`/v1/candidates/${mine}`).expect(200)).body.ownerUserId).toBe(rita.userId);
  });

  it("a key's default owner owns what it creates; it can be changed, and cleared (back to the admin)", async () => {
    const k = await key({ defaultOwnerUserId: rita.userId });
    expect((await api(t, k.secret).post('/v1/candidates', { name: 'For Rita' }).expect(201)).body.ownerUserId).toBe(rita.userId);
    // Rita sees it as hers.
    const hers = await api(t, rita.token).get(`/v1/candidates?ownerUserId=${rita.userId}&limit=100`).expect(200);
    expect(hers.body.items.map((c: { name: string }) => c.name)).toContain('For Rita');
    const cleared = await api(t, admin).patch(`/v1/api-keys/${k.id}`, { defaultOwnerUserId: null }).expect(200);
    expect(cleared.body.defaultOwnerUserId).toBeNull();
    expect((await api(t, k.secret).post('/v1/candidates', { name: 'For The Admin' }).expect(201)).body.ownerUserId).toBe(admin.userId);
  });

  it('a default owner must be a user of the firm: a 400 naming it', async () => {
    const res = await api(t, admin).post('/v1/api-keys', { name: 'Bad', preset: 'read_only', defaultOwnerUserId: other.userId }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'defaultOwnerUserId', message: 'is not a user of this firm' }]);
    const k = await key();
    await api(t, admin).patch(`/v1/api-keys/${k.id}`, { defaultOwnerUserId: other.userId }).expect(400);
    await api(t, admin).patch(`/v1/api-keys/${k.id}`, { defaultOwnerUserId: 'not-a-uuid' }).expect(400);
  });
});
