import { bootTestApp, countRows, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { api, EventLog, inDays, UNKNOWN_ID } from './pipeline-support';

describe('interviews', () => {
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

  async function setup(tenant: SignedUp): Promise<{ candidateId: string; leadId: string; ann: string; bob: string }> {
    const candidateId = (await api(t, tenant).post('/v1/candidates', { name: 'Ivy Interviewee' }).expect(201)).body.id;
    const ann = (await api(t, tenant).post('/v1/contacts', { name: 'Ann Baker', email: 'ann.baker@globex.com', roles: ['interviewer'] }).expect(201)).body.id;
    const bob = (await api(t, tenant).post('/v1/contacts', { name: 'Bob Cole', email: 'bob.cole@gmial.com', roles: ['interviewer'] }).expect(201)).body.id;
    const leadId = (await api(t, tenant).post('/v1/leads', { candidateId, company: 'Globex', position: 'Engineer' }).expect(201)).body.id;
    return { candidateId, leadId, ann, bob };
  }

  it('schedules, reschedules (keeping history), confirms and completes over REST', async () => {
    const a = await signup(t);
    const { candidateId, leadId, ann, bob } = await setup(a);
    const startsAt = inDays(3);
    const created = await api(t, a)
      .post('/v1/interviews', { leadId, startsAt, durationMinutes: 45, format: 'video', meetingUrl: 'https://meet.example.com/x', interviewerIds: [ann, bob] })
      .expect(201);
    expect(created.body).toMatchObject({ leadId, candidateId, startsAt, durationMinutes: 45, status: 'scheduled', interviewerIds: [ann, bob] });
    expect(created.body.endsAt).toBe(new Date(Date.parse(startsAt) + 45 * 60_000).toISOString());
    // Bob's address has a mistyped domain: a warning, not an error.
    expect(created.body.warnings).toEqual([expect.objectContaining({ field: 'interviewerIds[1].email', code: 'EMAIL_DOMAIN_TYPO' })]);
    const id = created.body.id as string;

    await api(t, a).post(`/v1/interviews/${id}/confirm`).expect(200);
    const newStart = inDays(4, 16);
    const moved = await api(t, a).post(`/v1/interviews/${id}/reschedule`, { startsAt: newStart, durationMinutes: 60, reason: 'travel' }).expect(200);
    expect(moved.body).toMatchObject({ startsAt: newStart, durationMinutes: 60, status: 'scheduled' });
    const history = await api(t, a).get(`/v1/interviews/${id}/reschedules`).expect(200);
    expect(history.body.items).toEqual([
      expect.objectContaining({ previousStartsAt: startsAt, previousDurationMinutes: 45, newStartsAt: newStart, newDurationMinutes: 60, reason: 'travel' }),
    ]);

    const patched = await api(t, a).patch(`/v1/interviews/${id}`, { interviewerIds: [ann], format: 'in_person', location: 'HQ' }).expect(200);
    expect(patched.body).toMatchObject({ interviewerIds: [ann], format: 'in_person', location: 'HQ', warnings: [] });

    const done = await api(t, a).post(`/v1/interviews/${id}/complete`).expect(200);
    expect(done.body.status).toBe('completed');
    const again = await api(t, a).post(`/v1/interviews/${id}/cancel`, { reason: 'late' }).expect(409);
    expect(again.body.code).toBe('ILLEGAL_TRANSITION');

    const types = log.of(a.tenantId).filter((e) => e.type.startsWith('interview.')).map((e) => e.type);
    expect(types).toEqual(['interview.scheduled', 'interview.confirmed', 'interview.rescheduled', 'interview.updated', 'interview.completed']);
    expect(log.of(a.tenantId, 'interview.rescheduled')[0]!.payload).toMatchObject({ interviewId: id, leadId, candidateId, oldStartsAt: startsAt, newStartsAt: newStart });
    expect(log.of(a.tenantId, 'interview.scheduled')[0]!.payload).toMatchObject({ interviewerIds: [ann, bob] });
  });

  it('cancels and marks no-show as explicit transitions', async () => {
    const a = await signup(t);
    const { leadId } = await setup(a);
    const i1 = (await api(t, a).post('/v1/interviews', { leadId, startsAt: inDays(2), durationMinutes: 30, format: 'phone' }).expect(201)).body.id;
    const i2 = (await api(t, a).post('/v1/interviews', { leadId, startsAt: inDays(5), durationMinutes: 30, format: 'phone' }).expect(201)).body.id;
    const cancelled = await api(t, a).post(`/v1/interviews/${i1}/cancel`, { reason: 'position filled' }).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'position filled' });
    await api(t, a).post(`/v1/interviews/${i1}/reschedule`, { startsAt: inDays(6) }).expect(409);
    expect((await api(t, a).post(`/v1/interviews/${i2}/no-show`).expect(200)).body.status).toBe('no_show');
    expect(log.of(a.tenantId, 'interview.cancelled')).toHaveLength(1);
    expect(log.of(a.tenantId, 'interview.no_show')).toHaveLength(1);
    expect(log.of(a.tenantId, 'interview.rescheduled')).toHaveLength(0);
  });

  it('works over GraphQL with Lead.interviews and Interview.interviewers', async () => {
    const a = await signup(t);
    const { leadId, ann, bob } = await setup(a);
    const s = await gql<{ scheduleInterview: { id: string; interviewers: { name: string }[] } }>(
      t,
      a.token,
      `mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id status interviewers { name } warnings { code } } }`,
      { i: { leadId, startsAt: inDays(3), durationMinutes: 30, format: 'video', interviewerIds: [bob, ann] } },
    );
    expect(s.errors).toBeUndefined();
    expect(s.data?.scheduleInterview.interviewers.map((c) => c.name)).toEqual(['Bob Cole', 'Ann Baker']);
    const id = s.data!.scheduleInterview.id;
    const newStart = inDays(8);
    const r = await gql<{ rescheduleInterview: { startsAt: string; reschedules: { newStartsAt: string }[] } }>(
      t,
      a.token,
      `mutation($id: ID!, $s: DateTime!) { rescheduleInterview(id: $id, input: { startsAt: $s }) { startsAt reschedules { previousStartsAt newStartsAt } } }`,
      { id, s: newStart },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.rescheduleInterview.reschedules.map((x) => x.newStartsAt)).toEqual([newStart]);
    const q = await gql<{ lead: { interviews: { id: string; interviewers: { id: string }[] }[] }; interviews: { nodes: { id: string }[] } }>(
      t,
      a.token,
      `query($lid: ID!) { lead(id: $lid) { interviews { id interviewers { id } } } interviews(first: 10, leadId: $lid) { nodes { id } } }`,
      { lid: leadId },
    );
    expect(q.errors).toBeUndefined();
    expect(q.data?.lead.interviews).toEqual([{ id, interviewers: [{ id: bob }, { id: ann }] }]);
    expect(q.data?.interviews.nodes.map((n) => n.id)).toEqual([id]);
    const c = await gql<{ cancelInterview: { status: string } }>(t, a.token, `mutation($id: ID!) { cancelInterview(id: $id, input: { reason: "x" }) { status } }`, { id });
    expect(c.data?.cancelInterview.status).toBe('cancelled');
  });

  it('refuses bad input with the right 4xx and writes nothing', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const { leadId, ann } = await setup(a);
    const other = await setup(b);
    const kept = (await api(t, a).post('/v1/interviews', { leadId, startsAt: inDays(2), durationMinutes: 30, format: 'phone', interviewerIds: [ann] }).expect(201)).body.id as string;
    const closedLead = (await api(t, a).post('/v1/leads', { candidateId: (await api(t, a).get(`/v1/leads/${leadId}`)).body.candidateId, company: 'C', position: 'P', status: 'closed' }).expect(201)).body.id;
    const counts = async () => [
      await countRows('interviews', 'tenant_id = $1', [a.tenantId]),
      await countRows('interview_interviewers', 'tenant_id = $1', [a.tenantId]),
      await countRows('interview_reschedules', 'tenant_id = $1', [a.tenantId]),
    ];
    const before = await counts();
    const ok = { leadId, startsAt: inDays(3), durationMinutes: 30, format: 'video' };
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const cases: [string, () => Promise<{ status: number; body: { errors?: { field: string }[] } }>, number, string?][] = [
      ['past startsAt', () => api(t, a).post('/v1/interviews', { ...ok, startsAt: past }), 400, 'startsAt'],
      ['zero duration', () => api(t, a).post('/v1/interviews', { ...ok, durationMinutes: 0 }), 400, 'durationMinutes'],
      ['negative duration', () => api(t, a).post('/v1/interviews', { ...ok, durationMinutes: -30 }), 400, 'durationMinutes'],
      ['bad format', () => api(t, a).post('/v1/interviews', { ...ok, format: 'carrier_pigeon' }), 400, 'format'],
      ['unknown lead', () => api(t, a).post('/v1/interviews', { ...ok, leadId: UNKNOWN_ID }), 400, 'leadId'],
      ['lead of another tenant', () => api(t, a).post('/v1/interviews', { ...ok, leadId: other.leadId }), 400, 'leadId'],
      ['closed lead', () => api(t, a).post('/v1/interviews', { ...ok, leadId: closedLead }), 409, 'leadId'],
      ['interviewer of another tenant', () => api(t, a).post('/v1/interviews', { ...ok, interviewerIds: [ann, other.ann] }), 400, 'interviewerIds[1]'],
      ['unknown interviewer', () => api(t, a).post('/v1/interviews', { ...ok, interviewerIds: [UNKNOWN_ID] }), 400, 'interviewerIds[0]'],
      ['bad meeting url', () => api(t, a).post('/v1/interviews', { ...ok, meetingUrl: 'javascript:alert(1)' }), 400, 'meetingUrl'],
      ['tenantId', () => api(t, a).post('/v1/interviews', { ...ok, tenantId: b.tenantId }), 400, 'tenantId'],
      ['startsAt via PATCH', () => api(t, a).patch(`/v1/interviews/${kept}`, { startsAt: inDays(9) }), 400, 'startsAt'],
      ['interviewer of another tenant via PATCH', () => api(t, a).patch(`/v1/interviews/${kept}`, { interviewerIds: [other.bob] }), 400, 'interviewerIds[0]'],
      ['reschedule into the past', () => api(t, a).post(`/v1/interviews/${kept}/reschedule`, { startsAt: past }), 400, 'startsAt'],
      ['reschedule unknown', () => api(t, a).post(`/v1/interviews/${UNKNOWN_ID}/reschedule`, { startsAt: inDays(9) }), 404],
      ['cancel unknown', () => api(t, a).post(`/v1/interviews/${UNKNOWN_ID}/cancel`), 404],
      ['limit=1000', () => api(t, a).get('/v1/interviews?limit=1000'), 400, 'limit'],
      ['bad cursor', () => api(t, a).get('/v1/interviews?cursor=eyJrIjoxfQ'), 400, 'cursor'],
    ];
    for (const [name, run, status, field] of cases) {
      const res = await run();
      expect({ name, status: res.status }).toEqual({ name, status });
      if (field) expect({ name, fields: res.body.errors?.map((e) => e.field) }).toEqual({ name, fields: expect.arrayContaining([field]) });
    }
    expect(await counts()).toEqual(before);
    const g = await gql(t, a.token, `mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }`, { i: { ...ok, startsAt: past } });
    expect(g.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const g2 = await gql(t, a.token, `mutation($i: ScheduleInterviewInput!) { scheduleInterview(input: $i) { id } }`, { i: { ...ok, interviewerIds: [other.ann] } });
    expect(g2.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await counts()).toEqual(before);
    expect(log.of(a.tenantId, 'interview.scheduled')).toHaveLength(1);
  });

  it('keeps tenants apart', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const { leadId } = await setup(a);
    const startsAt = inDays(3);
    const id = (await api(t, a).post('/v1/interviews', { leadId, startsAt, durationMinutes: 30, format: 'phone' }).expect(201)).body.id as string;
    await api(t, b).get(`/v1/interviews/${id}`).expect(404);
    expect((await api(t, b).get('/v1/interviews').expect(200)).body.items).toEqual([]);
    await api(t, b).patch(`/v1/interviews/${id}`, { location: 'mine' }).expect(404);
    await api(t, b).post(`/v1/interviews/${id}/reschedule`, { startsAt: inDays(5) }).expect(404);
    await api(t, b).post(`/v1/interviews/${id}/cancel`).expect(404);
    await api(t, b).delete(`/v1/interviews/${id}`).expect(404);
    expect((await gql(t, b.token, `query($id: ID!) { interview(id: $id) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql<{ interviews: { nodes: unknown[] } }>(t, b.token, `{ interviews { nodes { id } } }`)).data?.interviews.nodes).toEqual([]);
    expect((await gql(t, b.token, `mutation($id: ID!) { cancelInterview(id: $id) { id } }`, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const row = await withAdminDb((c) => c.query('SELECT status, starts_at, location FROM interviews WHERE id = $1', [id]));
    expect(row.rows[0]).toEqual({ status: 'scheduled', starts_at: new Date(startsAt), location: null });
  });

  it('honours Idempotency-Key on schedule and reschedule', async () => {
    const a = await signup(t);
    const { leadId } = await setup(a);
    const body = { leadId, startsAt: inDays(3), durationMinutes: 30, format: 'phone' };
    const r1 = await api(t, a).post('/v1/interviews', body).set('Idempotency-Key', 'int-1').expect(201);
    const r2 = await api(t, a).post('/v1/interviews', body).set('Idempotency-Key', 'int-1').expect(201);
    expect(r2.body).toEqual(r1.body);
    expect(await countRows('interviews', 'tenant_id = $1', [a.tenantId])).toBe(1);
    const move = { startsAt: inDays(4) };
    await api(t, a).post(`/v1/interviews/${r1.body.id}/reschedule`, move).set('Idempotency-Key', 'mv-1').expect(200);
    await api(t, a).post(`/v1/interviews/${r1.body.id}/reschedule`, move).set('Idempotency-Key', 'mv-1').expect(200);
    expect(await countRows('interview_reschedules', 'tenant_id = $1', [a.tenantId])).toBe(1);
    expect(log.of(a.tenantId, 'interview.rescheduled')).toHaveLength(1);
  });
});
