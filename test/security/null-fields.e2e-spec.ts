import request from 'supertest';
import { api, inDays } from '../pipeline/pipeline-support';
import { bootTestApp, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';

/**
 * `null` for a field whose value is required (where it is stored) is a 400 naming the field, over
 * REST and GraphQL, and nothing is written; `null` for a field that isn't required clears it.
 * (The chaos fuzz sends `null` to every writable field of every write; these are the readable cases.)
 */
describe('null for a required field', () => {
  let t: TestApp;
  let a: SignedUp;
  const ids: Record<string, string> = {};

  /** Every row of the tenant's writable tables, as text: compared before and after each refused write. */
  const snapshot = () =>
    withAdminDb(async (c) => {
      const out: Record<string, string> = {};
      for (const table of ['users', 'candidates', 'contacts', 'leads', 'interviews', 'candidate_references', 'webhook_subscriptions', 'audit_log']) {
        const r = await c.query(`SELECT coalesce(string_agg(x::text, '|' ORDER BY x::text), '') AS s FROM "${table}" x WHERE tenant_id = $1`, [a.tenantId]);
        out[table] = r.rows[0].s as string;
      }
      return out;
    });

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    const invited = await api(t, a).post('/v1/users', { email: `sam.${Date.now()}@example.com`, name: 'Sam', role: 'recruiter' }).expect(201);
    ids.user = invited.body.user.id;
    ids.candidate = (await api(t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane@example.com', phone: '+14155552671' }).expect(201)).body.id;
    ids.contact = (await api(t, a).post('/v1/contacts', { name: 'Ann Boss', company: 'Globex', roles: ['referrer'] }).expect(201)).body.id;
    ids.lead = (await api(t, a).post('/v1/leads', { candidateId: ids.candidate, company: 'Globex', position: 'Dev' }).expect(201)).body.id;
    ids.interview = (await api(t, a).post('/v1/interviews', { leadId: ids.lead, startsAt: inDays(3), durationMinutes: 30, format: 'phone' }).expect(201)).body.id;
    ids.reference = (await api(t, a).post('/v1/references', { candidateId: ids.candidate, contactId: ids.contact, relationship: 'Former boss' }).expect(201)).body.id;
    const sub = await api(t, a).post('/v1/webhook-subscriptions', { url: 'https://hooks.example.com/touchpoint', eventTypes: ['candidate.created'] });
    ids.webhook = sub.body.subscription?.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const restCases: [string, string, string][] = [
    ['users', 'user', 'role'],
    ['users', 'user', 'name'],
    ['candidates', 'candidate', 'name'],
    ['candidates', 'candidate', 'status'],
    ['contacts', 'contact', 'name'],
    ['contacts', 'contact', 'roles'],
    ['leads', 'lead', 'company'],
    ['leads', 'lead', 'position'],
    ['leads', 'lead', 'source'],
    ['interviews', 'interview', 'format'],
    ['interviews', 'interview', 'scheduledBy'],
    ['interviews', 'interview', 'interviewerIds'],
    ['references', 'reference', 'relationship'],
    ['webhook-subscriptions', 'webhook', 'status'],
    ['webhook-subscriptions', 'webhook', 'eventTypes'],
  ];

  it.each(restCases)('PATCH /v1/%s/{id} {"%s"… %s: null} is a 400 naming the field; nothing is written', async (path, kind, field) => {
    const before = await snapshot();
    const res = await api(t, a).patch(`/v1/${path}/${ids[kind]}`, { [field]: null });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ field, message: `${field} must not be null` }]);
    expect(await snapshot()).toEqual(before);
  });

  it('over GraphQL too: updateUser(role: null), updateCandidate(name: null), updateLead(company: null), updateReference(relationship: null)', async () => {
    const before = await snapshot();
    const cases: [string, string, string][] = [
      ['updateUser', 'UpdateUserInput', 'role'],
      ['updateCandidate', 'UpdateCandidateInput', 'name'],
      ['updateLead', 'UpdateLeadInput', 'company'],
      ['updateInterview', 'UpdateInterviewInput', 'format'],
      ['updateReference', 'UpdateReferenceInput', 'relationship'],
      ['updateWebhookSubscription', 'UpdateWebhookSubscriptionInput', 'status'],
    ];
    const kinds: Record<string, string> = {
      updateUser: 'user',
      updateCandidate: 'candidate',
      updateLead: 'lead',
      updateInterview: 'interview',
      updateReference: 'reference',
      updateWebhookSubscription: 'webhook',
    };
    for (const [mutation, input, field] of cases) {
      const res = await gql(t, a.token, `mutation($id: ID!, $input: ${input}!) { ${mutation}(id: $id, input: $input) { id } }`, {
        id: ids[kinds[mutation]!],
        input: { [field]: null },
      });
      expect(res.data?.[mutation] ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field, message: `${field} must not be null` }] });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('on create and in a bulk item too, where a default would have applied', async () => {
    const before = await snapshot();
    const res = await api(t, a).post('/v1/candidates', { name: 'New Person', status: null }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'status', message: 'status must not be null' }]);
    const bulk = await gql(t, a.token, 'mutation($input: [UpsertCandidatesItemInput!]!) { upsertCandidates(input: $input) { written failed results { error { code field message } } } }', {
      input: [{ externalId: 'N-1', name: 'Bulk Person', status: null }],
    });
    expect(bulk.data).toEqual({
      upsertCandidates: { written: 0, failed: 1, results: [{ error: { code: 'VALIDATION_FAILED', field: 'status', message: 'status: status must not be null' } }] },
    });
    expect((await snapshot()).candidates).toBe(before.candidates);
  });

  it('null for a field that is not required clears it, and /openapi.json says which fields are nullable', async () => {
    const cleared = await api(t, a).patch(`/v1/candidates/${ids.candidate}`, { email: null }).expect(200);
    expect(cleared.body.email).toBeNull();
    const doc = (await request(t.http).get('/openapi.json').expect(200)).body as { components: { schemas: Record<string, { properties: Record<string, { nullable?: boolean }> }> } };
    const update = doc.components.schemas.UpdateCandidateDto!.properties;
    expect(update.email?.nullable).toBe(true);
    expect(update.phone?.nullable).toBe(true);
    expect(update.name?.nullable).toBeUndefined();
    expect(update.status?.nullable).toBeUndefined();
    expect(doc.components.schemas.CreateCandidateDto!.properties.email?.nullable).toBe(true);
  });
});
