import { bootTestApp, countRows, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { api, EventLog, UNKNOWN_ID } from './pipeline-support';

describe('contacts over REST and GraphQL', () => {
  let t: TestApp;
  let log: EventLog;
  beforeAll(async () => {
    t = await bootTestApp();
    log = new EventLog(t);
  });
  afterAll(async () => {
    log.close();
    await t.close();
  });

  const count = (tenant: SignedUp): Promise<number> => countRows('contacts', 'tenant_id = $1', [tenant.tenantId]);

  it('creates, reads, updates, lists by company and role, and soft-deletes over REST', async () => {
    const a = await signup(t);
    const created = await api(t, a)
      .post('/v1/contacts', { name: 'Ann Baker', email: 'ann.baker@globex.com', phone: '+44 20 7946 0958', company: 'Globex', title: 'EM', roles: ['interviewer', 'employer_contact', 'interviewer'] })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'Ann Baker', phone: '+442079460958', company: 'Globex', roles: ['interviewer', 'employer_contact'], warnings: [] });
    const id = created.body.id as string;
    await api(t, a).post('/v1/contacts', { name: 'Bob Other', company: 'Initech', roles: ['referrer'] }).expect(201);

    expect((await api(t, a).get('/v1/contacts?company=globex').expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await api(t, a).get('/v1/contacts?role=referrer').expect(200)).body.items.map((c: { name: string }) => c.name)).toEqual(['Bob Other']);
    expect((await api(t, a).get('/v1/contacts?q=ann.baker').expect(200)).body.items).toHaveLength(1);

    const patched = await api(t, a).patch(`/v1/contacts/${id}`, { title: 'Director', roles: ['interviewer'] }).expect(200);
    expect(patched.body).toMatchObject({ title: 'Director', roles: ['interviewer'] });
    await api(t, a).delete(`/v1/contacts/${id}`).expect(204);
    await api(t, a).get(`/v1/contacts/${id}`).expect(404);
    expect(log.of(a.tenantId).filter((e) => 'contactId' in e.payload && e.payload.contactId === id).map((e) => e.type)).toEqual(['contact.created', 'contact.updated', 'contact.deleted']);
  });

  it('warns (never blocks) on a misspelt name, a mistyped domain and the same email under another name', async () => {
    const a = await signup(t);
    const first = await api(t, a).post('/v1/contacts', { name: 'Jane Doe', email: 'jane.doe@globex.com' }).expect(201);
    expect(first.body.warnings).toEqual([]);
    const second = await api(t, a).post('/v1/contacts', { name: 'Jane Dow', email: 'Jane.Doe@globex.com' }).expect(201);
    const codes = second.body.warnings.map((w: { code: string }) => w.code).sort();
    expect(codes).toEqual(['EMAIL_NAME_CONFLICT', 'EMAIL_NAME_MISMATCH']);
    expect(second.body.warnings.find((w: { code: string }) => w.code === 'EMAIL_NAME_CONFLICT').message).toContain(first.body.id);
    const typo = await api(t, a).patch(`/v1/contacts/${second.body.id}`, { name: 'Jane Doe', email: 'jane.doe@gmial.com' }).expect(200);
    expect(typo.body.warnings).toEqual([{ field: 'email', code: 'EMAIL_DOMAIN_TYPO', message: expect.stringContaining('gmail.com') }]);
    expect(await count(a)).toBe(2);

    const g = await gql<{ createContact: { warnings: { code: string }[] } }>(
      t,
      a.token,
      `mutation { createContact(input: { name: "Jane Doh", email: "jane.doe@globex.com" }) { id warnings { field code message } } }`,
    );
    expect(g.errors).toBeUndefined();
    expect(g.data?.createContact.warnings.map((w) => w.code)).toContain('EMAIL_NAME_CONFLICT');
  });

  it('works over GraphQL: contacts connection, update, delete and upsert', async () => {
    const a = await signup(t);
    const c = await gql<{ createContact: { id: string } }>(t, a.token, `mutation { createContact(input: { name: "Cy Twombly", company: "Acme", roles: [referrer] }) { id } }`);
    const id = c.data!.createContact.id;
    const list = await gql<{ contacts: { edges: { node: { id: string } }[] } }>(t, a.token, `{ contacts(first: 5, company: "ACME", role: referrer) { edges { cursor node { id } } pageInfo { hasNextPage } } }`);
    expect(list.errors).toBeUndefined();
    expect(list.data?.contacts.edges.map((e) => e.node.id)).toEqual([id]);
    const up = await gql<{ updateContact: { company: string } }>(t, a.token, `mutation($id: ID!) { updateContact(id: $id, input: { company: "Globex" }) { company } }`, { id });
    expect(up.data?.updateContact.company).toBe('Globex');
    const m = `mutation { upsertContact(externalId: "C-9", externalSource: "greenhouse", input: { name: "Ext Ernal" }) { id externalId } }`;
    const u1 = await gql<{ upsertContact: { id: string } }>(t, a.token, m);
    const u2 = await gql<{ upsertContact: { id: string } }>(t, a.token, m);
    expect(u1.errors).toBeUndefined();
    expect(u2.data?.upsertContact.id).toBe(u1.data?.upsertContact.id);
    await api(t, a).put('/v1/contacts/by-external-id/C-9?source=greenhouse', { name: 'Ext Ernal' }).expect(200);
    expect(await countRows('contacts', 'tenant_id = $1 AND external_id = $2', [a.tenantId, 'C-9'])).toBe(1);
    expect(log.of(a.tenantId, 'contact.created').filter((e) => e.payload.externalId === 'C-9')).toHaveLength(1);
    const del = await gql<{ deleteContact: boolean }>(t, a.token, `mutation($id: ID!) { deleteContact(id: $id) }`, { id });
    expect(del.data?.deleteContact).toBe(true);
  });

  it('refuses bad input with the right 4xx and writes nothing', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const kept = (await api(t, a).post('/v1/contacts', { name: 'Kept' }).expect(201)).body.id as string;
    const before = await count(a);
    const cases: [string, () => Promise<{ status: number; body: { errors?: { field: string }[] } }>, number, string?][] = [
      ['bad phone', () => api(t, a).post('/v1/contacts', { name: 'X', phone: '12' }), 400, 'phone'],
      ['bad email', () => api(t, a).post('/v1/contacts', { name: 'X', email: 'x@' }), 400, 'email'],
      ['bad role', () => api(t, a).post('/v1/contacts', { name: 'X', roles: ['boss'] }), 400, 'roles'],
      ['unknown field', () => api(t, a).post('/v1/contacts', { name: 'X', tenantId: b.tenantId }), 400, 'tenantId'],
      ['limit=1000', () => api(t, a).get('/v1/contacts?limit=1000'), 400, 'limit'],
      ['bad cursor', () => api(t, a).get('/v1/contacts?cursor=%%%'), 400, 'cursor'],
      ['unknown id', () => api(t, a).get(`/v1/contacts/${UNKNOWN_ID}`), 404],
      ['unknown id patch', () => api(t, a).patch(`/v1/contacts/${UNKNOWN_ID}`, { name: 'Y' }), 404],
      ['bad email patch', () => api(t, a).patch(`/v1/contacts/${kept}`, { email: 'nope' }), 400, 'email'],
    ];
    for (const [name, run, status, field] of cases) {
      const res = await run();
      expect({ name, status: res.status }).toEqual({ name, status });
      if (field) expect(res.body.errors?.map((e) => e.field)).toContain(field);
    }
    expect(await count(a)).toBe(before);
    const g = await gql(t, a.token, `mutation { createContact(input: { name: "X", phone: "12" }) { id } }`);
    expect(g.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await count(a)).toBe(before);
  });

  it('keeps tenants apart', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const id = (await api(t, a).post('/v1/contacts', { name: 'Secret Contact', company: 'Hidden' }).expect(201)).body.id as string;
    await api(t, b).get(`/v1/contacts/${id}`).expect(404);
    expect((await api(t, b).get('/v1/contacts?company=Hidden').expect(200)).body.items).toEqual([]);
    await api(t, b).patch(`/v1/contacts/${id}`, { name: 'Mine' }).expect(404);
    await api(t, b).delete(`/v1/contacts/${id}`).expect(404);
    expect((await gql(t, b.token, `query($id: ID!) { contact(id: $id) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql<{ contacts: { nodes: unknown[] } }>(t, b.token, `{ contacts { nodes { id } } }`)).data?.contacts.nodes).toEqual([]);
    expect((await gql(t, b.token, `mutation($id: ID!) { updateContact(id: $id, input: { name: "Mine" }) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(t, b.token, `mutation($id: ID!) { deleteContact(id: $id) }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const row = await withAdminDb((c) => c.query('SELECT name, deleted_at FROM contacts WHERE id = $1', [id]));
    expect(row.rows[0]).toEqual({ name: 'Secret Contact', deleted_at: null });
  });

  it('honours Idempotency-Key on create', async () => {
    const a = await signup(t);
    const r1 = await api(t, a).post('/v1/contacts', { name: 'Once Only' }).set('Idempotency-Key', 'c-1').expect(201);
    const r2 = await api(t, a).post('/v1/contacts', { name: 'Once Only' }).set('Idempotency-Key', 'c-1').expect(201);
    expect(r2.body).toEqual(r1.body);
    expect(await count(a)).toBe(1);
    await api(t, a).post('/v1/contacts', { name: 'Twice' }).set('Idempotency-Key', 'c-1').expect(422);
    expect(await count(a)).toBe(1);
  });
});
