import { bootTestApp, countRows, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { api, EventLog, inDays, UNKNOWN_ID } from './pipeline-support';

describe('references, provisions and the candidate timeline', () => {
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

  async function setup(tenant: SignedUp) {
    const candidateId = (await api(t, tenant).post('/v1/candidates', { name: 'Rae Candidate' }).expect(201)).body.id as string;
    const otherCandidateId = (await api(t, tenant).post('/v1/candidates', { name: 'Other Candidate' }).expect(201)).body.id as string;
    const vouch = (await api(t, tenant).post('/v1/contacts', { name: 'Vic Voucher', email: 'vic@example.com', roles: ['reference'] }).expect(201)).body.id as string;
    const vouch2 = (await api(t, tenant).post('/v1/contacts', { name: 'Wen Witness', roles: ['reference'] }).expect(201)).body.id as string;
    const leadId = (await api(t, tenant).post('/v1/leads', { candidateId, company: 'Globex', position: 'Analyst' }).expect(201)).body.id as string;
    return { candidateId, otherCandidateId, vouch, vouch2, leadId };
  }

  it('adds references, provides them to a lead once, and shows it all on the timeline', async () => {
    const a = await signup(t);
    const { candidateId, vouch, vouch2, leadId } = await setup(a);
    const r1 = (await api(t, a).post('/v1/references', { candidateId, contactId: vouch, relationship: 'Former manager' }).expect(201)).body;
    const r2 = (await api(t, a).post('/v1/references', { candidateId, contactId: vouch2, relationship: 'Colleague' }).expect(201)).body;
    expect(r1).toMatchObject({ candidateId, contactId: vouch, relationship: 'Former manager', providedTo: [] });

    const first = await api(t, a).post(`/v1/leads/${leadId}/references`, { referenceIds: [r1.id] }).expect(200);
    expect(first.body.newlyProvided).toEqual([r1.id]);
    const second = await api(t, a).post(`/v1/leads/${leadId}/references`, { referenceIds: [r1.id, r2.id] }).expect(200);
    expect(second.body.newlyProvided).toEqual([r2.id]);
    expect(second.body.provisions).toHaveLength(2);
    const repeat = await api(t, a).post(`/v1/leads/${leadId}/references`, { referenceIds: [r2.id, r1.id] }).expect(200);
    expect(repeat.body.newlyProvided).toEqual([]);
    expect(await countRows('reference_provisions', 'tenant_id = $1', [a.tenantId])).toBe(2);
    const provided = log.of(a.tenantId, 'references.provided');
    expect(provided.map((e) => e.payload.referenceIds)).toEqual([[r1.id], [r2.id]]);
    expect(provided[0]!.payload).toMatchObject({ leadId, candidateId, contactIds: [vouch] });

    const got = await api(t, a).get(`/v1/references/${r1.id}`).expect(200);
    expect(got.body.providedTo).toEqual([expect.objectContaining({ leadId, referenceId: r1.id })]);
    expect((await api(t, a).get(`/v1/references?candidateId=${candidateId}`).expect(200)).body.items).toHaveLength(2);
    expect((await api(t, a).patch(`/v1/references/${r2.id}`, { relationship: 'Team lead' }).expect(200)).body.relationship).toBe('Team lead');

    // Timeline: status changes, interviews (with a reschedule) and references, oldest first.
    await api(t, a).post(`/v1/leads/${leadId}/status`, { status: 'applied' }).expect(200);
    const interviewId = (await api(t, a).post('/v1/interviews', { leadId, startsAt: inDays(3), durationMinutes: 30, format: 'phone' }).expect(201)).body.id;
    await api(t, a).post(`/v1/interviews/${interviewId}/reschedule`, { startsAt: inDays(4) }).expect(200);
    await api(t, a).post(`/v1/interviews/${interviewId}/cancel`).expect(200);
    const timeline = await api(t, a).get(`/v1/candidates/${candidateId}/timeline`).expect(200);
    const kinds = timeline.body.items.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual([
      'lead.status_changed',
      'references.provided',
      'references.provided',
      'lead.status_changed',
      'interview.scheduled',
      'interview.rescheduled',
      'interview.cancelled',
    ]);
    const ats = timeline.body.items.map((e: { at: string }) => Date.parse(e.at));
    expect([...ats].sort((x, y) => x - y)).toEqual(ats);
    expect(timeline.body.items[3]).toMatchObject({ from: 'identified', to: 'applied', leadId });

    const g = await gql<{ candidate: { references: { id: string; contact: { name: string }; providedTo: { leadId: string }[] }[]; timeline: { kind: string }[] } }>(
      t,
      a.token,
      `query($id: ID!) { candidate(id: $id) { references { id relationship contact { name } providedTo { leadId providedAt } } timeline { at kind summary } } }`,
      { id: candidateId },
    );
    expect(g.errors).toBeUndefined();
    expect(g.data?.candidate.references.map((r) => r.contact.name)).toEqual(['Vic Voucher', 'Wen Witness']);
    expect(g.data?.candidate.references[0]!.providedTo).toEqual([expect.objectContaining({ leadId })]);
    expect(g.data?.candidate.timeline.map((e) => e.kind)).toEqual(kinds);
  });

  it('works over GraphQL: create, provide, list, delete', async () => {
    const a = await signup(t);
    const { candidateId, vouch, leadId } = await setup(a);
    const c = await gql<{ createReference: { id: string } }>(
      t,
      a.token,
      `mutation($i: CreateReferenceInput!) { createReference(input: $i) { id } }`,
      { i: { candidateId, contactId: vouch, relationship: 'Mentor' } },
    );
    expect(c.errors).toBeUndefined();
    const id = c.data!.createReference.id;
    const p1 = await gql<{ provideReferences: { newlyProvided: string[] } }>(t, a.token, `mutation($l: ID!, $r: [ID!]!) { provideReferences(leadId: $l, input: { referenceIds: $r }) { newlyProvided provisions { referenceId } } }`, { l: leadId, r: [id] });
    expect(p1.errors).toBeUndefined();
    expect(p1.data?.provideReferences.newlyProvided).toEqual([id]);
    const list = await gql<{ references: { nodes: { id: string }[] } }>(t, a.token, `query($c: ID!) { references(first: 5, candidateId: $c) { nodes { id } } }`, { c: candidateId });
    expect(list.data?.references.nodes.map((n) => n.id)).toEqual([id]);
    expect((await gql<{ deleteReference: boolean }>(t, a.token, `mutation($id: ID!) { deleteReference(id: $id) }`, { id })).data?.deleteReference).toBe(true);
    await api(t, a).get(`/v1/references/${id}`).expect(404);
  });

  it('refuses bad input with the right 4xx and writes nothing', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const s = await setup(a);
    const o = await setup(b);
    const ref = (await api(t, a).post('/v1/references', { candidateId: s.candidateId, contactId: s.vouch, relationship: 'Boss' }).expect(201)).body.id as string;
    const otherCandidatesRef = (await api(t, a).post('/v1/references', { candidateId: s.otherCandidateId, contactId: s.vouch, relationship: 'Boss' }).expect(201)).body.id as string;
    const bRef = (await api(t, b).post('/v1/references', { candidateId: o.candidateId, contactId: o.vouch, relationship: 'Boss' }).expect(201)).body.id as string;
    const counts = async () => [await countRows('candidate_references', 'tenant_id = $1', [a.tenantId]), await countRows('reference_provisions', 'tenant_id = $1', [a.tenantId])];
    const before = await counts();
    const cases: [string, () => Promise<{ status: number; body: { errors?: { field: string }[] } }>, number, string?][] = [
      ['contact of another tenant', () => api(t, a).post('/v1/references', { candidateId: s.candidateId, contactId: o.vouch, relationship: 'x' }), 400, 'contactId'],
      ['candidate of another tenant', () => api(t, a).post('/v1/references', { candidateId: o.candidateId, contactId: s.vouch2, relationship: 'x' }), 400, 'candidateId'],
      ['duplicate reference', () => api(t, a).post('/v1/references', { candidateId: s.candidateId, contactId: s.vouch, relationship: 'again' }), 409, 'contactId'],
      ['missing relationship', () => api(t, a).post('/v1/references', { candidateId: s.candidateId, contactId: s.vouch2 }), 400, 'relationship'],
      ['tenantId', () => api(t, a).post('/v1/references', { candidateId: s.candidateId, contactId: s.vouch2, relationship: 'x', tenantId: b.tenantId }), 400, 'tenantId'],
      ['provide to unknown lead', () => api(t, a).post(`/v1/leads/${UNKNOWN_ID}/references`, { referenceIds: [ref] }), 404],
      ['provide to another tenant’s lead', () => api(t, a).post(`/v1/leads/${o.leadId}/references`, { referenceIds: [ref] }), 404],
      ['provide another tenant’s reference', () => api(t, a).post(`/v1/leads/${s.leadId}/references`, { referenceIds: [ref, bRef] }), 400, 'referenceIds[1]'],
      ['provide another candidate’s reference', () => api(t, a).post(`/v1/leads/${s.leadId}/references`, { referenceIds: [otherCandidatesRef] }), 400, 'referenceIds[0]'],
      ['provide nothing', () => api(t, a).post(`/v1/leads/${s.leadId}/references`, { referenceIds: [] }), 400, 'referenceIds'],
      ['provide in the future', () => api(t, a).post(`/v1/leads/${s.leadId}/references`, { referenceIds: [ref], providedAt: inDays(2) }), 400, 'providedAt'],
      ['unknown reference', () => api(t, a).get(`/v1/references/${UNKNOWN_ID}`), 404],
      ['limit=1000', () => api(t, a).get('/v1/references?limit=1000'), 400, 'limit'],
      ['bad cursor', () => api(t, a).get('/v1/references?cursor=xyz'), 400, 'cursor'],
      ['timeline of unknown candidate', () => api(t, a).get(`/v1/candidates/${UNKNOWN_ID}/timeline`), 404],
    ];
    for (const [name, run, status, field] of cases) {
      const res = await run();
      expect({ name, status: res.status }).toEqual({ name, status });
      if (field) expect({ name, fields: res.body.errors?.map((e) => e.field) }).toEqual({ name, fields: expect.arrayContaining([field]) });
    }
    expect(await counts()).toEqual(before);
    expect(log.of(a.tenantId, 'references.provided')).toHaveLength(0);
  });

  it('keeps tenants apart, including the timeline', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const s = await setup(a);
    const id = (await api(t, a).post('/v1/references', { candidateId: s.candidateId, contactId: s.vouch, relationship: 'Private' }).expect(201)).body.id as string;
    await api(t, b).get(`/v1/references/${id}`).expect(404);
    expect((await api(t, b).get('/v1/references').expect(200)).body.items).toEqual([]);
    await api(t, b).patch(`/v1/references/${id}`, { relationship: 'Mine' }).expect(404);
    await api(t, b).delete(`/v1/references/${id}`).expect(404);
    await api(t, b).get(`/v1/candidates/${s.candidateId}/timeline`).expect(404);
    expect((await gql(t, b.token, `query($id: ID!) { reference(id: $id) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql<{ references: { nodes: unknown[] } }>(t, b.token, `{ references { nodes { id } } }`)).data?.references.nodes).toEqual([]);
    expect((await gql(t, b.token, `mutation($id: ID!) { deleteReference(id: $id) }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(t, b.token, `mutation($l: ID!, $r: [ID!]!) { provideReferences(leadId: $l, input: { referenceIds: $r }) { leadId } }`, { l: s.leadId, r: [id] })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const row = await withAdminDb((c) => c.query('SELECT relationship, deleted_at FROM candidate_references WHERE id = $1', [id]));
    expect(row.rows[0]).toEqual({ relationship: 'Private', deleted_at: null });
    expect(await countRows('reference_provisions', 'reference_id = $1', [id])).toBe(0);
  });

  it('honours Idempotency-Key on create', async () => {
    const a = await signup(t);
    const s = await setup(a);
    const body = { candidateId: s.candidateId, contactId: s.vouch, relationship: 'Boss' };
    const r1 = await api(t, a).post('/v1/references', body).set('Idempotency-Key', 'ref-1').expect(201);
    const r2 = await api(t, a).post('/v1/references', body).set('Idempotency-Key', 'ref-1').expect(201);
    expect(r2.body).toEqual(r1.body);
    expect(await countRows('candidate_references', 'tenant_id = $1', [a.tenantId])).toBe(1);
  });
});
