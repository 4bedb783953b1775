import request from 'supertest';
import { SCOPE_PRESETS } from '../../src/auth/scopes';
import { api, UNKNOWN_ID } from '../pipeline/pipeline-support';
import { bootTestApp, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';

/** API keys: scope presets (integration, read_only) and changing a key's scopes without a new key. */
describe('API key scope presets and scope changes', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    b = await signup(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (who: SignedUp, body: object) => api(t, who).post('/v1/api-keys', body);
  const as = (secret: string) => api(t, secret);

  it('integration: what an ATS sync needs (me:read, interviews:write, follow_ups:read, …), nothing admin', async () => {
    const res = await create(a, { name: 'Bullhorn sync', preset: 'integration' }).expect(201);
    expect([...res.body.apiKey.scopes].sort()).toEqual([...SCOPE_PRESETS.integration].sort());
    expect(res.body.apiKey.scopes).toEqual(expect.arrayContaining(['me:read', 'interviews:write', 'follow_ups:read', 'candidates:write', 'webhooks:write']));
    const key = res.body.secret as string;
    await as(key).get('/v1/me').expect(200);
    await as(key).get('/v1/follow-ups').expect(200);
    const candidate = (await as(key).post('/v1/candidates', { name: 'Synced Person' }).expect(201)).body.id;
    const lead = (await as(key).post('/v1/leads', { candidateId: candidate, company: 'Globex', position: 'Dev' }).expect(201)).body.id;
    await as(key).post('/v1/interviews', { leadId: lead, startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), durationMinutes: 30, format: 'phone' }).expect(201);
    await as(key).get('/v1/users').expect(403);
    await as(key).get('/v1/audit-log').expect(403);
  });

  it('read_only: every read but the admin ones; no write', async () => {
    const res = await create(a, { name: 'BI export', preset: 'read_only' }).expect(201);
    const scopes = res.body.apiKey.scopes as string[];
    expect(scopes.every((s) => s.endsWith(':read'))).toBe(true);
    expect(scopes).not.toContain('api_keys:read');
    expect(scopes).not.toContain('audit:read');
    await as(res.body.secret).get('/v1/candidates').expect(200);
    await as(res.body.secret).post('/v1/candidates', { name: 'Nope' }).expect(403);
  });

  it('a preset and scopes add up; neither, or an unknown preset, is a 400 naming the field', async () => {
    const both = await create(a, { name: 'Both', preset: 'read_only', scopes: ['candidates:write'] }).expect(201);
    expect(both.body.apiKey.scopes).toEqual(expect.arrayContaining(['candidates:read', 'candidates:write']));
    const none = await create(a, { name: 'None' }).expect(400);
    expect(none.body.errors).toEqual([{ field: 'scopes', message: expect.stringContaining('preset') }]);
    const unknown = await create(a, { name: 'Odd', preset: 'everything' }).expect(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'preset' })]);
  });

  it("an admin changes a key's scopes (REST and GraphQL); the key itself keeps working with the new ones at once", async () => {
    const created = await create(a, { name: 'Sync', preset: 'integration' }).expect(201);
    const { id } = created.body.apiKey;
    const key = created.body.secret as string;
    await as(key).post('/v1/candidates', { name: 'Before' }).expect(201);

    const narrowed = await api(t, a).patch(`/v1/api-keys/${id}`, { preset: 'read_only' }).expect(200);
    expect([...narrowed.body.scopes].sort()).toEqual([...SCOPE_PRESETS.read_only].sort());
    await as(key).post('/v1/candidates', { name: 'After' }).expect(403);
    await as(key).get('/v1/candidates').expect(200);

    const viaGql = await gql<{ updateApiKey: { scopes: string[]; name: string } }>(
      t,
      a.token,
      'mutation($id: ID!, $input: UpdateApiKeyInput!) { updateApiKey(id: $id, input: $input) { name scopes } }',
      { id, input: { name: 'Sync (writes again)', scopes: ['me:read', 'candidates:write'] } },
    );
    expect(viaGql.errors).toBeUndefined();
    expect(viaGql.data?.updateApiKey).toEqual({ name: 'Sync (writes again)', scopes: ['me:read', 'candidates:write'] });
    await as(key).post('/v1/candidates', { name: 'Again' }).expect(201);
    await as(key).get('/v1/candidates').expect(403);

    // Bad changes: a 400 naming the field, nothing changed.
    const stored = () => withAdminDb(async (c) => (await c.query(`SELECT name, scopes FROM api_keys WHERE id = $1`, [id])).rows[0]);
    const before = await stored();
    expect((await api(t, a).patch(`/v1/api-keys/${id}`, { scopes: [] }).expect(400)).body.errors[0].field).toBe('scopes');
    expect((await api(t, a).patch(`/v1/api-keys/${id}`, { scopes: ['root'] }).expect(400)).body.errors[0].field).toBe('scopes');
    expect((await api(t, a).patch(`/v1/api-keys/${id}`, { scopes: null }).expect(400)).body.errors[0].field).toBe('scopes');
    expect((await api(t, a).patch(`/v1/api-keys/${id}`, { secret: 'tp_mine' }).expect(400)).body.errors[0].field).toBe('secret');
    expect(await stored()).toEqual(before);
  });

  it('only an admin of the firm changes a key; a revoked key is not changed', async () => {
    const created = await create(a, { name: 'Mine', preset: 'read_only' }).expect(201);
    const { id } = created.body.apiKey;
    // Another firm: as if the key did not exist (REST and GraphQL).
    await api(t, b).patch(`/v1/api-keys/${id}`, { preset: 'integration' }).expect(404);
    const other = await gql(t, b.token, 'mutation($id: ID!) { updateApiKey(id: $id, input: { preset: integration }) { id } }', { id });
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await api(t, a).patch(`/v1/api-keys/${UNKNOWN_ID}`, { preset: 'integration' }).expect(404);
    // A key can't change keys (it has no api_keys:write).
    await as(created.body.secret).patch(`/v1/api-keys/${id}`, { preset: 'integration' }).expect(403);
    await request(t.http).post(`/v1/api-keys/${id}/revoke`).set('Authorization', `Bearer ${a.token}`).expect(200);
    const revoked = await api(t, a).patch(`/v1/api-keys/${id}`, { preset: 'integration' }).expect(409);
    expect(revoked.body.detail).toMatch(/revoked/);
  });
});
