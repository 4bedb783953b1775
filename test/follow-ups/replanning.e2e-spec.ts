import { signup, SignedUp, useIsolatedDatabase } from '../support/test-app';
import { api, bootEngine, EngineHarness, followUpsOf } from './support';

useIsolatedDatabase();

/** Re-planning: the follow-up that goes out is the one the current data calls for. */
describe('re-planning and cancelling follow-ups when the pipeline changes', () => {
  let h: EngineHarness;
  let a: SignedUp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await bootEngine('2026-12-01T14:00:00Z'); // Tuesday 09:00 New York
    a = await signup(h.t, { timeZone: 'America/New_York' });
    const x = api(h.t, a);
    ids.hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example', company: 'Globex', roles: ['employer_contact'] }).expect(201)).body.id;
    ids.ivy = (await x.post('/v1/contacts', { name: 'Ivy Interviewer', email: 'ivy@globex.example', company: 'Globex', roles: ['interviewer'] }).expect(201)).body.id;
    ids.ref = (await x.post('/v1/contacts', { name: 'Rob Reference', email: 'rob@old-job.example', roles: ['reference'] }).expect(201)).body.id;
    ids.jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', ownerUserId: a.userId }).expect(201)).body.id;
  });
  afterAll(async () => {
    await h.t.close();
  });

  async function newLead(status?: string): Promise<string> {
    const x = api(h.t, a);
    const id = (await x.post('/v1/leads', { candidateId: ids.jane, company: 'Globex', position: `Role ${Math.random().toString(16).slice(2, 6)}`, source: 'direct', employerContactId: ids.hank }).expect(201)).body.id as string;
    if (status) await x.post(`/v1/leads/${id}/status`, { status }).expect(200);
    return id;
  }

  it('a lead leaving applied cancels its resume follow-up', async () => {
    const lead = await newLead('applied');
    expect((await followUpsOf(a.tenantId, `lead_id = $2 AND rule = 'resume_follow_up'`, [lead]))[0]?.status).toBe('planned');
    await api(h.t, a).post(`/v1/leads/${lead}/status`, { status: 'withdrawn' }).expect(200);
    const [f] = await followUpsOf(a.tenantId, `lead_id = $2 AND rule = 'resume_follow_up'`, [lead]);
    expect(f).toMatchObject({ status: 'cancelled', reason: 'the lead moved to withdrawn' });
  });

  it('a lead without an employer contact gets a task on the recruiter agenda instead', async () => {
    const x = api(h.t, a);
    const lead = (await x.post('/v1/leads', { candidateId: ids.jane, company: 'Initech', position: 'Analyst', source: 'job_board' }).expect(201)).body.id as string;
    await x.post(`/v1/leads/${lead}/status`, { status: 'applied' }).expect(200);
    const [task] = await followUpsOf(a.tenantId, `lead_id = $2`, [lead]);
    expect(task).toMatchObject({ kind: 'task', rule: 'resume_follow_up', recipient_type: 'user', owner_user_id: a.userId, status: 'planned' });
    expect(task?.reason).toMatch(/No employer contact/);
    const agenda = await x.get('/v1/agenda?owner=me').expect(200);
    expect(agenda.body.tasks.map((t: { id: string }) => t.id)).toContain(task?.id);
    // Tasks are for people: the dispatcher never sends them.
    h.clock.set('2026-12-20T15:00:00Z');
    await h.dispatcher.drain();
    expect((await followUpsOf(a.tenantId, `id = $2`, [task?.id]))[0]?.status).toBe('planned');
    h.clock.set('2026-12-01T14:00:00Z');
  });

  it('a rescheduled interview moves its confirmation and thank-yous; the old ones are cancelled', async () => {
    const lead = await newLead('applied');
    const x = api(h.t, a);
    const interview = (
      await x.post('/v1/interviews', { leadId: lead, startsAt: '2026-12-10T15:00:00Z', durationMinutes: 45, format: 'phone', interviewerIds: [ids.ivy], scheduledBy: 'employer', scheduledByContactId: ids.hank }).expect(201)
    ).body.id as string;
    const before = await followUpsOf(a.tenantId, `interview_id = $2`, [interview]);
    expect(before.map((f) => f.rule).sort()).toEqual(['interview_confirmation', 'interview_confirmation', 'interview_thank_you', 'thank_you_reminder']);
    const confirmation = before.find((f) => f.rule === 'interview_confirmation' && f.recipient_type === 'candidate');
    expect((confirmation?.due_at as Date).toISOString()).toBe('2026-12-09T15:00:00.000Z'); // 10:00 the day before
    await x.post(`/v1/interviews/${interview}/reschedule`, { startsAt: '2026-12-11T20:00:00Z', reason: 'Hiring manager travelling' }).expect(200);
    const after = await followUpsOf(a.tenantId, `interview_id = $2`, [interview]);
    expect(after.filter((f) => f.status === 'cancelled')).toHaveLength(4);
    const live = after.filter((f) => f.status === 'planned');
    expect(live).toHaveLength(4);
    const moved = live.find((f) => f.rule === 'interview_confirmation' && f.recipient_type === 'candidate');
    expect((moved?.due_at as Date).toISOString()).toBe('2026-12-10T20:00:00.000Z'); // 15:00 the day before the new time
    const thanks = live.find((f) => f.rule === 'interview_thank_you');
    expect((thanks?.due_at as Date).toISOString()).toBe('2026-12-11T22:45:00.000Z'); // end (20:45) + 2 h
  });

  it('an interview completed early is thanked early: from the completion, not from the scheduled end', async () => {
    const lead = await newLead('applied');
    const x = api(h.t, a);
    // 10:00 to 11:00 New York on Wednesday; the thank-yous are planned for 13:00 (end + 2 h) and 12:00 (end + 1 h).
    const interview = (
      await x.post('/v1/interviews', { leadId: lead, startsAt: '2026-12-02T15:00:00Z', durationMinutes: 60, format: 'video', interviewerIds: [ids.ivy] }).expect(201)
    ).body.id as string;
    const planned = async (): Promise<Record<string, string>> =>
      Object.fromEntries(
        (await followUpsOf(a.tenantId, `interview_id = $2 AND rule IN ('interview_thank_you', 'thank_you_reminder') AND status = 'planned'`, [interview])).map((f) => [
          f.rule as string,
          (f.due_at as Date).toISOString(),
        ]),
      );
    expect(await planned()).toEqual({ interview_thank_you: '2026-12-02T18:00:00.000Z', thank_you_reminder: '2026-12-02T17:00:00.000Z' });
    // It ended at 10:25: marked completed then.
    h.clock.set('2026-12-02T15:25:00Z');
    await x.post(`/v1/interviews/${interview}/complete`).expect(200);
    expect(await planned()).toEqual({ interview_thank_you: '2026-12-02T17:25:00.000Z', thank_you_reminder: '2026-12-02T16:25:00.000Z' });
    h.clock.set('2026-12-01T14:00:00Z');
  });

  it('a cancelled interview cancels every follow-up about it', async () => {
    const lead = await newLead('applied');
    const x = api(h.t, a);
    const interview = (await x.post('/v1/interviews', { leadId: lead, startsAt: '2026-12-10T15:00:00Z', durationMinutes: 30, format: 'video', interviewerIds: [ids.ivy] }).expect(201)).body.id as string;
    await x.post(`/v1/interviews/${interview}/cancel`, { reason: 'Position filled' }).expect(200);
    const rows = await followUpsOf(a.tenantId, `interview_id = $2`, [interview]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((f) => f.status === 'cancelled' && f.reason === 'the interview was cancelled')).toBe(true);
  });

  it('references provided to a lead get one heads-up each, once per (reference, lead)', async () => {
    const lead = await newLead('applied');
    const x = api(h.t, a);
    const reference = (await x.post('/v1/references', { candidateId: ids.jane, contactId: ids.ref, relationship: 'Former manager' }).expect(201)).body.id as string;
    await x.post(`/v1/leads/${lead}/references`, { referenceIds: [reference] }).expect((r) => expect(r.status).toBeLessThan(300));
    await x.post(`/v1/leads/${lead}/references`, { referenceIds: [reference] }).expect((r) => expect(r.status).toBeLessThan(300));
    const rows = await followUpsOf(a.tenantId, `lead_id = $2 AND rule = 'reference_heads_up'`, [lead]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ recipient_contact_id: ids.ref, status: 'planned' });
    await h.dispatcher.drain();
    expect((await followUpsOf(a.tenantId, `id = $2`, [rows[0]?.id]))[0]?.status).toBe('sent');
  });

  it('turning a rule off stops planning it', async () => {
    await api(h.t, a).put('/v1/settings/follow-up-policy', { resume_follow_up: { enabled: false } }).expect(200);
    const lead = await newLead('applied');
    expect(await followUpsOf(a.tenantId, `lead_id = $2 AND rule = 'resume_follow_up'`, [lead])).toEqual([]);
    await api(h.t, a).put('/v1/settings/follow-up-policy', { resume_follow_up: null }).expect(200);
  });
});
