import request from 'supertest';
import { gql, signup, SignedUp, withAdminDb } from '../support/test-app';
import { useIsolatedDatabase } from '../support/test-app';
import { api, bootEngine, EngineHarness, followUpsOf, messagesOf } from './support';

/** A candidate whose check-in is planned a week out; returns the follow-up id. */
async function candidateWithCheckIn(h: EngineHarness, who: SignedUp, name = 'Jane Doe'): Promise<{ candidateId: string; followUpId: string }> {
  const res = await api(h.t, who).post('/v1/candidates', { name, email: `${name.split(' ')[0]!.toLowerCase()}.${Date.now()}${Math.random().toString(16).slice(2, 6)}@example.com` }).expect(201);
  const candidateId = (res.body.id ?? res.body.candidate?.id) as string;
  const [f] = await followUpsOf(who.tenantId, `recipient_candidate_id = $2 AND rule = 'candidate_check_in'`, [candidateId]);
  return { candidateId, followUpId: f?.id as string };
}

// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

describe('follow-up actions, agenda and policy', () => {
  let h: EngineHarness;
  let a: SignedUp;
  let b: SignedUp;

  beforeAll(async () => {
    h = await bootEngine('2026-12-01T14:00:00Z');
    a = await signup(h.t, { timeZone: 'America/New_York' });
    b = await signup(h.t, { timeZone: 'Europe/London' });
  });
  afterAll(async () => {
    await h.t.close();
  });

  it('lists follow-ups over REST and GraphQL with filters', async () => {
    const { candidateId, followUpId } = await candidateWithCheckIn(h, a);
    const rest = await api(h.t, a).get(`/v1/follow-ups?candidateId=${candidateId}`).expect(200);
    expect(rest.body.items.map((f: { id: string }) => f.id)).toEqual([followUpId]);
    expect(rest.body.items[0]).toMatchObject({ rule: 'candidate_check_in', status: 'planned', recipientType: 'candidate', recipientId: candidateId });
    const g = await gql<{ followUps: { nodes: { id: string; rule: string }[]; pageInfo: { hasNextPage: boolean } } }>(
      h.t,
      a.token,
      'query($c: ID) { followUps(candidateId: $c, first: 10) { nodes { id rule status dueAt } pageInfo { hasNextPage } } }',
      { c: candidateId },
    );
    expect(g.errors).toBeUndefined();
    expect(g.data?.followUps.nodes.map((n) => n.id)).toEqual([followUpId]);
  });

  it('snooze moves it; send-now sends it at the next dispatch; a second action on a sent one is 409', async () => {
    const { followUpId } = await candidateWithCheckIn(h, a, 'Sam Snooze');
    const x = api(h.t, a);
    await x.post(`/v1/follow-ups/${followUpId}/snooze`, { until: '2026-12-20T15:00:00Z' }).expect(200);
    expect(((await followUpsOf(a.tenantId, 'id = $2', [followUpId]))[0]?.due_at as Date).toISOString()).toBe('2026-12-20T15:00:00.000Z');
    const past = await x.post(`/v1/follow-ups/${followUpId}/snooze`, { until: '2026-11-01T00:00:00Z' }).expect(400);
    expect(past.body.errors[0]).toEqual({ field: 'until', message: 'must be in the future' });
    await x.post(`/v1/follow-ups/${followUpId}/send-now`).expect(200);
    await h.dispatcher.drain();
    expect((await followUpsOf(a.tenantId, 'id = $2', [followUpId]))[0]?.status).toBe('sent');
    const again = await x.post(`/v1/follow-ups/${followUpId}/cancel`, {}).expect(409);
    expect(again.body.code).toBe('ILLEGAL_TRANSITION');
    expect(again.body.detail).toMatch(/sent/);
  });

  it('cancel stops it for good', async () => {
    const { followUpId } = await candidateWithCheckIn(h, a, 'Carl Cancel');
    await api(h.t, a).post(`/v1/follow-ups/${followUpId}/cancel`, { reason: 'Spoke on the phone' }).expect(200);
    const [f] = await followUpsOf(a.tenantId, 'id = $2', [followUpId]);
    expect(f).toMatchObject({ status: 'cancelled', reason: 'Spoke on the phone' });
  });

  it('requiresApproval holds a follow-up until a recruiter approves it', async () => {
    const x = api(h.t, b);
    await x.put('/v1/settings/follow-up-policy', { candidate_check_in: { requiresApproval: true, timing: { quietPeriod: 'P2D' } } }).expect(200);
    const { followUpId } = await candidateWithCheckIn(h, b, 'Alice Approve');
    const [held] = await followUpsOf(b.tenantId, 'id = $2', [followUpId]);
    expect(held).toMatchObject({ status: 'awaiting_approval' });
    expect((held?.due_at as Date).toISOString()).toBe('2026-12-03T14:00:00.000Z');
    const agenda = await x.get('/v1/agenda?date=2026-12-03').expect(200);
    expect(agenda.body.awaitingApproval.map((f: { id: string }) => f.id)).toContain(followUpId);
    h.clock.set('2026-12-03T14:30:00Z');
    await h.dispatcher.drain();
    expect((await followUpsOf(b.tenantId, 'id = $2', [followUpId]))[0]?.status).toBe('awaiting_approval');
    await x.post(`/v1/follow-ups/${followUpId}/approve`).expect(200);
    await h.dispatcher.drain();
    expect((await followUpsOf(b.tenantId, 'id = $2', [followUpId]))[0]?.status).toBe('sent');
    expect((await messagesOf(b.tenantId)).filter((m) => m.follow_up_id === followUpId)).toHaveLength(1);
    h.clock.set('2026-12-01T14:00:00Z');
  });

  it('policy: reads the defaults, refuses an invalid duration or unknown rule (400, nothing stored)', async () => {
    const fresh = await signup(h.t);
    const x = api(h.t, fresh);
    const policy = await x.get('/v1/settings/follow-up-policy').expect(200);
    expect(policy.body.resume_follow_up.timing).toEqual({ delay: 'P7D' });
    expect(policy.body.no_reply_nudge.maxNudges).toBe(2);
    const bad = await x.put('/v1/settings/follow-up-policy', { resume_follow_up: { timing: { delay: 'seven days' } }, nonsense_rule: {} }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['nonsense_rule', 'resume_follow_up.timing.delay']);
    const template = await x
      .put('/v1/settings/follow-up-policy', { resume_follow_up: { templates: { email: { contact: { subject: 'Hi', body: 'Hello {{recipientFirstName}} from {{firmNmae}}' } } } } })
      .expect(400);
    expect(JSON.stringify(template.body.errors)).toMatch(/firmNmae/);
    const after = await x.get('/v1/settings/follow-up-policy').expect(200);
    expect(after.body).toEqual(policy.body);
    const ok = await x.put('/v1/settings/follow-up-policy', { resume_follow_up: { timing: { delay: 'p5d' } } }).expect(200);
    expect(ok.body.resume_follow_up.timing.delay).toBe('P5D');
    const g = await gql<{ followUpPolicy: { no_reply_nudge: { maxNudges: number } } }>(h.t, fresh.token, '{ followUpPolicy }');
    expect(g.data?.followUpPolicy.no_reply_nudge.maxNudges).toBe(2);
  });

  it('sending settings: SMS may be narrowed, never widened', async () => {
    const x = api(h.t, a);
    const wide = await x.put('/v1/settings/sending', { windows: { sms: { start: '07:00', end: '22:00' } } }).expect(400);
    expect(wide.body.errors[0].field).toMatch(/^windows\.sms/);
    const ok = await x.put('/v1/settings/sending', { windows: { sms: { start: '09:00', end: '20:00' } }, smsDailyCap: 50 }).expect(200);
    expect(ok.body).toMatchObject({ windows: { sms: { start: '09:00', end: '20:00' } }, smsDailyCap: 50 });
    await x.put('/v1/settings/sending', { smsDailyCap: -1 }).expect(400);
    const g = await gql<{ sendingSettings: { smsDailyCap: number } }>(h.t, a.token, '{ sendingSettings }');
    expect(g.data?.sendingSettings.smsDailyCap).toBe(50);
    const wideG = await gql(h.t, a.token, 'mutation { updateSendingSettings(windows: { sms: { start: "06:00", end: "21:00" } }) }');
    expect(wideG.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const okG = await gql<{ updateSendingSettings: { smsDailyCap: number } }>(h.t, a.token, 'mutation { updateSendingSettings(smsDailyCap: 75) }');
    expect(okG.data?.updateSendingSettings.smsDailyCap).toBe(75);
  });

  it('agenda: what goes out on a day, in the firm time zone; owner=me narrows it', async () => {
    const { followUpId } = await candidateWithCheckIn(h, a, 'Gina Agenda');
    const x = api(h.t, a);
    const day = await x.get('/v1/agenda?date=2026-12-08').expect(200);
    expect(day.body.timeZone).toBe('America/New_York');
    expect(day.body.goneQuiet.map((f: { id: string }) => f.id)).toContain(followUpId);
    const other = await x.get('/v1/agenda?date=2026-12-09').expect(200);
    expect(other.body.goneQuiet.map((f: { id: string }) => f.id)).not.toContain(followUpId);
    const mine = await x.get('/v1/agenda?date=2026-12-08&owner=me').expect(200);
    expect(mine.body.goneQuiet.map((f: { id: string }) => f.id)).not.toContain(followUpId);
    await x.get('/v1/agenda?date=2026-13-45').expect(400);
    await x.get('/v1/agenda?owner=everyone').expect(400);
    const g = await gql<{ agenda: { date: string; goneQuiet: { id: string }[] } }>(h.t, a.token, '{ agenda(date: "2026-12-08") { date timeZone goneQuiet { id } } }');
    expect(g.data?.agenda.goneQuiet.map((f) => f.id)).toContain(followUpId);
  });

  describe('cross-tenant and bad inputs', () => {
    it("B cannot see or act on A's follow-ups (REST and GraphQL: 404 / not listed)", async () => {
      const { followUpId } = await candidateWithCheckIn(h, a, 'Xena Cross');
      const xb = api(h.t, b);
      await xb.get(`/v1/follow-ups/${followUpId}`).expect(404);
      for (const action of ['approve', 'send-now', 'cancel']) await xb.post(`/v1/follow-ups/${followUpId}/${action}`).expect(404);
      await xb.post(`/v1/follow-ups/${followUpId}/snooze`, { until: '2026-12-20T00:00:00Z' }).expect(404);
      const list = await xb.get('/v1/follow-ups?limit=100').expect(200);
      expect(list.body.items.map((f: { id: string }) => f.id)).not.toContain(followUpId);
      for (const m of ['approveFollowUp', 'sendFollowUpNow', 'cancelFollowUp']) {
        const res = await gql(h.t, b.token, `mutation($id: ID!) { ${m}(id: $id) { id } }`, { id: followUpId });
        expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
      const one = await gql(h.t, b.token, 'query($id: ID!) { followUp(id: $id) { id } }', { id: followUpId });
      expect(one.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const [f] = await followUpsOf(a.tenantId, 'id = $2', [followUpId]);
      expect(f?.status).toBe('planned');
    });

    it.each([
      ['get', '/v1/follow-ups?limit=1000', 400],
      ['get', '/v1/follow-ups?cursor=garbage', 400],
      ['get', '/v1/follow-ups?status=lost', 400],
      ['get', '/v1/follow-ups?candidateId=not-a-uuid', 400],
      ['get', '/v1/follow-ups/not-a-uuid', 404],
      ['post', '/v1/follow-ups/00000000-0000-4000-8000-000000000000/approve', 404],
    ])('%s %s → %i', async (method, path, status) => {
      const res = method === 'get' ? await api(h.t, a).get(path) : await api(h.t, a).post(path);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });

    it('bad bodies write nothing', async () => {
      const { followUpId } = await candidateWithCheckIn(h, a, 'Bea Body');
      const x = api(h.t, a);
      await x.post(`/v1/follow-ups/${followUpId}/snooze`, { until: 'tomorrow' }).expect(400);
      await x.post(`/v1/follow-ups/${followUpId}/snooze`, { until: '2026-12-20T00:00:00Z', tenantId: b.tenantId }).expect(400);
      await x.post(`/v1/follow-ups/${followUpId}/cancel`, { reason: 'x'.repeat(600) }).expect(400);
      const [f] = await followUpsOf(a.tenantId, 'id = $2', [followUpId]);
      expect(f).toMatchObject({ status: 'planned', reason: null });
      const r = await request(h.t.http).post(`/v1/follow-ups/${followUpId}/cancel`).send({});
      expect(r.status).toBe(401);
    });

    it('a recruiter cannot change the policy (403); an API key needs the scope', async () => {
      const inv = await api(h.t, a).post('/v1/users', { email: `rec.${Date.now()}@example.com`, name: 'Rec Ruiter', role: 'recruiter' }).expect(201);
      const acc = await request(h.t.http).post('/v1/auth/accept-invite').send({ inviteToken: inv.body.inviteToken, password: 'a long and unusual passphrase' }).expect(200);
      await request(h.t.http).put('/v1/settings/follow-up-policy').set('Authorization', `Bearer ${acc.body.accessToken}`).send({}).expect(403);
      const before = await withAdminDb(async (c) => (await c.query('SELECT settings FROM tenants WHERE id = $1', [a.tenantId])).rows[0].settings);
      expect(before.followUpPolicy).toBeUndefined();
    });
  });
});
