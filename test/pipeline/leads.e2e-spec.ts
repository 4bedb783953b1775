import { bootTestApp, countRows, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { api, EventLog, UNKNOWN_ID } from './pipeline-support';

describe('leads and the status machine', () => {
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

  async function setup(tenant: SignedUp): Promise<{ candidateId: string; referrerId: string; employerId: string }> {
    const candidateId = (await api(t, tenant).post('/v1/candidates', { name: 'Lee Candidate' }).expect(201)).body.id;
    const referrerId = (await api(t, tenant).post('/v1/contacts', { name: 'Rita Referrer', roles: ['referrer'] }).expect(201)).body.id;
    const employerId = (await api(t, tenant).post('/v1/contacts', { name: 'Hank Hiring', company: 'Globex', roles: ['employer_contact'] }).expect(201)).body.id;
    return { candidateId, referrerId, employerId };
  }

  it('walks a lead from identified to accepted over REST, keeping history and stamping dates', async () => {
    const a = await signup(t);
    const { candidateId, referrerId, employerId } = await setup(a);
    const created = await api(t, a)
      .post('/v1/leads', { candidateId, company: 'Globex', position: 'Backend Engineer', source: 'referral', referrerContactId: referrerId, employerContactId: employerId })
      .expect(201);
    expect(created.body).toMatchObject({ status: 'identified', resumeSentAt: null, offerAt: null, allowedTransitions: ['applied', 'declined', 'rejected', 'withdrawn', 'closed'] });
    const id = created.body.id as string;

    const applied = await api(t, a).post(`/v1/leads/${id}/status`, { status: 'applied' }).expect(200);
    expect(applied.body.status).toBe('applied');
    expect(applied.body.resumeSentAt).not.toBeNull();
    await api(t, a).post(`/v1/leads/${id}/status`, { status: 'interviewing', note: 'phone screen booked' }).expect(200);
    const offerAt = '2026-01-15T10:00:00.000Z';
    const offer = await api(t, a).post(`/v1/leads/${id}/status`, { status: 'offer', offerAt }).expect(200);
    expect(offer.body.offerAt).toBe(offerAt);
    const accepted = await api(t, a).post(`/v1/leads/${id}/status`, { status: 'accepted' }).expect(200);
    expect(accepted.body.allowedTransitions).toEqual([]);

    const history = await api(t, a).get(`/v1/leads/${id}/history`).expect(200);
    // Ordered by when each change happened: the back-dated offer sorts before the moves made today.
    expect(history.body.items.map((h: { from: string | null; to: string }) => `${h.from}->${h.to}`).sort()).toEqual(
      ['null->identified', 'identified->applied', 'applied->interviewing', 'interviewing->offer', 'offer->accepted'].sort(),
    );
    expect(history.body.items).toHaveLength(5);
    expect(history.body.items.find((h: { to: string }) => h.to === 'interviewing').note).toBe('phone screen booked');

    const changes = log.of(a.tenantId, 'lead.status_changed').map((e) => `${e.payload.from}->${e.payload.to}`);
    expect(changes).toEqual(['identified->applied', 'applied->interviewing', 'interviewing->offer', 'offer->accepted']);
    expect(log.of(a.tenantId, 'lead.status_changed')[0]!.payload).toMatchObject({ leadId: id, candidateId, referrerContactId: referrerId, employerContactId: employerId });
  });

  it('answers an illegal transition with 409 naming the allowed ones, and writes nothing', async () => {
    const a = await signup(t);
    const { candidateId } = await setup(a);
    const id = (await api(t, a).post('/v1/leads', { candidateId, company: 'Initech', position: 'QA' }).expect(201)).body.id as string;
    const before = await countRows('lead_status_history', 'tenant_id = $1', [a.tenantId]);
    const res = await api(t, a).post(`/v1/leads/${id}/status`, { status: 'offer' }).expect(409);
    expect(res.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'identified', to: 'offer', allowed: ['applied', 'declined', 'rejected', 'withdrawn', 'closed'] });
    expect(res.body.detail).toContain('applied');
    await api(t, a).post(`/v1/leads/${id}/status`, { status: 'closed' }).expect(200);
    const final = await api(t, a).post(`/v1/leads/${id}/status`, { status: 'applied' }).expect(409);
    expect(final.body.allowed).toEqual([]);
    const g = await gql(t, a.token, `mutation($id: ID!) { changeLeadStatus(id: $id, input: { status: applied }) { id } }`, { id });
    expect(g.errors?.[0]?.extensions).toMatchObject({ code: 'ILLEGAL_TRANSITION', allowed: [] });
    expect(await countRows('lead_status_history', 'tenant_id = $1', [a.tenantId])).toBe(before + 1);
    expect(log.of(a.tenantId, 'lead.status_changed')).toHaveLength(1);
  });

  it('accepts back-dated imports: created at applied with resumeSentAt', async () => {
    const a = await signup(t);
    const { candidateId } = await setup(a);
    const resumeSentAt = '2026-02-01T09:30:00.000Z';
    const res = await api(t, a).post('/v1/leads', { candidateId, company: 'Hooli', position: 'SRE', status: 'applied', resumeSentAt }).expect(201);
    expect(res.body).toMatchObject({ status: 'applied', resumeSentAt, statusChangedAt: resumeSentAt });
    expect(log.of(a.tenantId, 'lead.status_changed').map((e) => e.payload)).toEqual([expect.objectContaining({ from: null, to: 'applied', at: resumeSentAt })]);
  });

  it('works over GraphQL with nested candidate, referrer and Candidate.leads', async () => {
    const a = await signup(t);
    const { candidateId, referrerId } = await setup(a);
    const c = await gql<{ createLead: { id: string; status: string } }>(
      t,
      a.token,
      `mutation($i: CreateLeadInput!) { createLead(input: $i) { id status } }`,
      { i: { candidateId, company: 'Globex', position: 'PM', referrerContactId: referrerId } },
    );
    expect(c.errors).toBeUndefined();
    const id = c.data!.createLead.id;
    const moved = await gql<{ changeLeadStatus: { status: string; resumeSentAt: string } }>(
      t,
      a.token,
      `mutation($id: ID!) { changeLeadStatus(id: $id, input: { status: applied }) { status resumeSentAt } }`,
      { id },
    );
    expect(moved.data?.changeLeadStatus.status).toBe('applied');
    const q = await gql<{ lead: { candidate: { name: string }; referrer: { name: string }; history: { to: string }[] }; leads: { nodes: { id: string }[] }; candidate: { leads: { id: string }[] } }>(
      t,
      a.token,
      `query($id: ID!, $cid: ID!) {
         lead(id: $id) { candidate { name } referrer { name } history { from to at } }
         leads(first: 5, status: applied) { nodes { id } }
         candidate(id: $cid) { leads { id company } }
       }`,
      { id, cid: candidateId },
    );
    expect(q.errors).toBeUndefined();
    expect(q.data?.lead.candidate.name).toBe('Lee Candidate');
    expect(q.data?.lead.referrer.name).toBe('Rita Referrer');
    expect(q.data?.lead.history.map((h) => h.to)).toEqual(['identified', 'applied']);
    expect(q.data?.leads.nodes.map((n) => n.id)).toEqual([id]);
    expect(q.data?.candidate.leads.map((l) => l.id)).toEqual([id]);
    const up = await gql<{ updateLead: { position: string } }>(t, a.token, `mutation($id: ID!) { updateLead(id: $id, input: { position: "Senior PM" }) { position } }`, { id });
    expect(up.data?.updateLead.position).toBe('Senior PM');
    expect((await gql<{ deleteLead: boolean }>(t, a.token, `mutation($id: ID!) { deleteLead(id: $id) }`, { id })).data?.deleteLead).toBe(true);
    await api(t, a).get(`/v1/leads/${id}`).expect(404);
  });

  it('refuses bad input with the right 4xx and writes nothing', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const { candidateId } = await setup(a);
    const other = await setup(b);
    const leadId = (await api(t, a).post('/v1/leads', { candidateId, company: 'Kept', position: 'Kept' }).expect(201)).body.id as string;
    const before = await countRows('leads', 'tenant_id = $1', [a.tenantId]);
    const historyBefore = await countRows('lead_status_history', 'tenant_id = $1', [a.tenantId]);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const cases: [string, () => Promise<{ status: number; body: { errors?: { field: string }[] } }>, number, string?][] = [
      ['unknown candidate', () => api(t, a).post('/v1/leads', { candidateId: UNKNOWN_ID, company: 'X', position: 'Y' }), 400, 'candidateId'],
      ['candidate of another tenant', () => api(t, a).post('/v1/leads', { candidateId: other.candidateId, company: 'X', position: 'Y' }), 400, 'candidateId'],
      ['referrer of another tenant', () => api(t, a).post('/v1/leads', { candidateId, company: 'X', position: 'Y', referrerContactId: other.referrerId }), 400, 'referrerContactId'],
      ['bad source', () => api(t, a).post('/v1/leads', { candidateId, company: 'X', position: 'Y', source: 'linkedin' }), 400, 'source'],
      ['missing company', () => api(t, a).post('/v1/leads', { candidateId, position: 'Y' }), 400, 'company'],
      ['tenantId', () => api(t, a).post('/v1/leads', { candidateId, company: 'X', position: 'Y', tenantId: b.tenantId }), 400, 'tenantId'],
      ['status via PATCH', () => api(t, a).patch(`/v1/leads/${leadId}`, { status: 'applied' }), 400, 'status'],
      ['future resumeSentAt', () => api(t, a).post(`/v1/leads/${leadId}/status`, { status: 'applied', resumeSentAt: future }), 400, 'resumeSentAt'],
      ['offerAt on applied', () => api(t, a).post(`/v1/leads/${leadId}/status`, { status: 'applied', offerAt: '2026-01-01T00:00:00Z' }), 400, 'offerAt'],
      ['unknown status', () => api(t, a).post(`/v1/leads/${leadId}/status`, { status: 'hired' }), 400, 'status'],
      ['illegal transition', () => api(t, a).post(`/v1/leads/${leadId}/status`, { status: 'accepted' }), 409],
      ['unknown lead', () => api(t, a).post(`/v1/leads/${UNKNOWN_ID}/status`, { status: 'applied' }), 404],
      ['unknown lead get', () => api(t, a).get(`/v1/leads/${UNKNOWN_ID}`), 404],
      ['limit=1000', () => api(t, a).get('/v1/leads?limit=1000'), 400, 'limit'],
      ['bad cursor', () => api(t, a).get('/v1/leads?cursor=abc'), 400, 'cursor'],
    ];
    for (const [name, run, status, field] of cases) {
      const res = await run();
      expect({ name, status: res.status }).toEqual({ name, status });
      if (field) expect({ name, fields: res.body.errors?.map((e) => e.field) }).toEqual({ name, fields: expect.arrayContaining([field]) });
    }
    expect(await countRows('leads', 'tenant_id = $1', [a.tenantId])).toBe(before);
    expect(await countRows('lead_status_history', 'tenant_id = $1', [a.tenantId])).toBe(historyBefore);
    expect((await api(t, a).get(`/v1/leads/${leadId}`).expect(200)).body.status).toBe('identified');
  });

  it('keeps tenants apart', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const { candidateId } = await setup(a);
    const id = (await api(t, a).post('/v1/leads', { candidateId, company: 'Secret Co', position: 'Spy' }).expect(201)).body.id as string;
    await api(t, b).get(`/v1/leads/${id}`).expect(404);
    await api(t, b).get(`/v1/leads/${id}/history`).expect(404);
    expect((await api(t, b).get('/v1/leads').expect(200)).body.items).toEqual([]);
    await api(t, b).patch(`/v1/leads/${id}`, { company: 'Mine' }).expect(404);
    await api(t, b).post(`/v1/leads/${id}/status`, { status: 'applied' }).expect(404);
    await api(t, b).delete(`/v1/leads/${id}`).expect(404);
    expect((await gql(t, b.token, `query($id: ID!) { lead(id: $id) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql<{ leads: { nodes: unknown[] } }>(t, b.token, `{ leads { nodes { id } } }`)).data?.leads.nodes).toEqual([]);
    expect((await gql(t, b.token, `mutation($id: ID!) { changeLeadStatus(id: $id, input: { status: applied }) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(t, b.token, `mutation($id: ID!) { deleteLead(id: $id) }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const row = await withAdminDb((c) => c.query('SELECT company, status, deleted_at FROM leads WHERE id = $1', [id]));
    expect(row.rows[0]).toEqual({ company: 'Secret Co', status: 'identified', deleted_at: null });
  });

  it('upserts by externalId (twice → one row; status through the machine) and honours Idempotency-Key', async () => {
    const a = await signup(t);
    const { candidateId } = await setup(a);
    const body = { candidateId, company: 'Umbrella', position: 'Chemist' };
    const r1 = await api(t, a).put('/v1/leads/by-external-id/JOB-1?source=bullhorn', body).expect(200);
    const r2 = await api(t, a).put('/v1/leads/by-external-id/JOB-1?source=bullhorn', body).expect(200);
    expect(r2.body.id).toBe(r1.body.id);
    expect(await countRows('leads', 'tenant_id = $1', [a.tenantId])).toBe(1);
    const moved = await api(t, a).put('/v1/leads/by-external-id/JOB-1?source=bullhorn', { ...body, status: 'applied' }).expect(200);
    expect(moved.body.status).toBe('applied');
    await api(t, a).put('/v1/leads/by-external-id/JOB-1?source=bullhorn', { ...body, status: 'identified' }).expect(409);
    const g = await gql<{ upsertLead: { id: string } }>(t, a.token, `mutation($i: UpsertLeadInput!) { upsertLead(externalId: "JOB-1", externalSource: "bullhorn", input: $i) { id } }`, { i: body });
    expect(g.data?.upsertLead.id).toBe(r1.body.id);
    expect(log.of(a.tenantId, 'lead.created')).toHaveLength(1);

    // Concurrent upserts of a new external id make one lead.
    const race = await Promise.all(Array.from({ length: 5 }, () => api(t, a).put('/v1/leads/by-external-id/JOB-RACE', body)));
    expect(race.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(race.map((r) => r.body.id)).size).toBe(1);
    expect(await countRows('leads', 'tenant_id = $1 AND external_id = $2', [a.tenantId, 'JOB-RACE'])).toBe(1);
    await api(t, a).delete(`/v1/leads/${race[0]!.body.id}`).expect(204);

    const s1 = await api(t, a).post('/v1/leads', { ...body, position: 'Idem' }).set('Idempotency-Key', 'lead-1').expect(201);
    const s2 = await api(t, a).post('/v1/leads', { ...body, position: 'Idem' }).set('Idempotency-Key', 'lead-1').expect(201);
    expect(s2.body).toEqual(s1.body);
    expect(await countRows('leads', 'tenant_id = $1 AND deleted_at IS NULL', [a.tenantId])).toBe(2);

    // A status POST replayed with its key moves the lead once.
    const st1 = await api(t, a).post(`/v1/leads/${s1.body.id}/status`, { status: 'applied' }).set('Idempotency-Key', 'move-1').expect(200);
    const st2 = await api(t, a).post(`/v1/leads/${s1.body.id}/status`, { status: 'applied' }).set('Idempotency-Key', 'move-1').expect(200);
    expect(st2.body).toEqual(st1.body);
    expect(log.of(a.tenantId, 'lead.status_changed').filter((e) => e.payload.leadId === s1.body.id)).toHaveLength(1);
  });
});
