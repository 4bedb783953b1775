import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { ReactionWorker } from '../../src/events/reactions/reaction-worker';
import { PlanFollowUpsReaction } from '../../src/follow-ups/planning/plan-follow-ups.reaction';
import { bootTestApp, createApiKey, signup, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import { api } from './support';

/**
 * A failure while planning is never silent and never lost. Planning runs inside the transaction
 * that made the change; when it throws (here: a fault injected into the planning use case), the
 * change still commits, with a `reactions` row holding the error and the change it belongs to.
 * It is counted in /metrics, shown to admins (REST and GraphQL), retried with backoff by the
 * reaction worker, and succeeds once the fault is gone: the follow-up the rules call for exists.
 */
useIsolatedDatabase();

describe('a failing reaction', () => {
  const clock = new ManualClock('2026-12-01T14:00:00Z');
  let t: TestApp;
  let worker: ReactionWorker;
  let planning: PlanFollowUpsReaction;

  beforeAll(async () => {
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off' } });
    worker = t.app.get(ReactionWorker);
    planning = t.app.get(PlanFollowUpsReaction);
  });
  afterAll(() => t.close());

  async function gql(a: SignedUp, query: string, variables: Record<string, unknown> = {}): Promise<request.Response> {
    return request(t.http).post('/graphql').set('Authorization', `Bearer ${a.token}`).send({ query, variables }).expect(200);
  }

  async function resumeFollowUps(tenantId: string, leadId: string): Promise<{ status: string }[]> {
    return withAdminDb(async (c) => (await c.query(`SELECT status FROM follow_ups WHERE tenant_id = $1 AND lead_id = $2 AND rule = 'resume_follow_up'`, [tenantId, leadId])).rows);
  }

  function metric(text: string, name: string, labels: string): number {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('keeps the change, records the error with the change, counts it, retries, and plans once the fault is gone', async () => {
    const a = await signup(t);
    const x = api(t, a);
    const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example' }).expect(201)).body.id;
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example' }).expect(201)).body.id;
    const lead = (await x.post('/v1/leads', { candidateId: jane, company: 'Globex', position: 'Data Engineer', employerContactId: hank }).expect(201)).body.id;

    // The fault: planning throws for this lead's status change.
    const real = planning.execute.bind(planning);
    const fault = jest.spyOn(planning, 'execute').mockImplementation(async (events, tx) => {
      if (events.some((e) => e.type === 'lead.status_changed' && e.payload.leadId === lead)) throw new Error('injected fault');
      return real(events, tx);
    });
    try {
      const before = metric((await request(t.http).get('/metrics').expect(200)).text, 'touchpoint_reaction_failures_total', 'reaction="follow-ups.plan",event_type="lead.status_changed"');
      // The change is not refused: the lead moves, and nothing it would have planned half-exists.
      await x.post(`/v1/leads/${lead}/status`, { status: 'applied' }).expect(200);
      expect((await x.get(`/v1/leads/${lead}`).expect(200)).body.status).toBe('applied');
      expect(await resumeFollowUps(a.tenantId, lead)).toEqual([]);

      // Admins see it, with the error and the change it belongs to.
      const failing = (await x.get('/v1/reactions?state=failing').expect(200)).body.items;
      expect(failing).toEqual([
        expect.objectContaining({
          reaction: 'follow-ups.plan',
          eventType: 'lead.status_changed',
          change: expect.objectContaining({ leadId: lead, from: 'identified', to: 'applied' }),
          actorKind: 'user',
          actorId: a.userId,
          status: 'pending',
          attempts: 1,
          lastError: 'Error: injected fault',
        }),
      ]);
      const viaGql = await gql(a, `{ reactions(state: failing) { items { id eventType lastError attempts } } }`);
      expect(viaGql.body.data.reactions.items).toEqual([{ id: failing[0].id, eventType: 'lead.status_changed', lastError: 'Error: injected fault', attempts: 1 }]);

      // Counted in /metrics.
      const metrics = (await request(t.http).get('/metrics').expect(200)).text;
      expect(metric(metrics, 'touchpoint_reaction_failures_total', 'reaction="follow-ups.plan",event_type="lead.status_changed"')).toBe(before + 1);
      expect(metric(metrics, 'touchpoint_reactions', 'state="failing",reaction="follow-ups.plan"')).toBeGreaterThanOrEqual(1);

      // Not before its backoff; then retried, and failing still.
      expect((await worker.drain()).claimed).toBe(0);
      clock.advance(10_000);
      await worker.drain();
      const again = (await x.get('/v1/reactions?state=failing').expect(200)).body.items;
      expect(again.map((r: { attempts: number }) => r.attempts)).toEqual([2]);
      expect(await resumeFollowUps(a.tenantId, lead)).toEqual([]);
    } finally {
      fault.mockRestore();
    }

    // The fault is gone: the next retry plans what the change called for, once.
    clock.advance(3_600_000);
    await worker.drain();
    expect(await resumeFollowUps(a.tenantId, lead)).toEqual([{ status: 'planned' }]);
    expect((await x.get('/v1/reactions?state=failing').expect(200)).body.items).toEqual([]);
    const done = (await x.get('/v1/reactions?state=done').expect(200)).body.items;
    expect(done).toEqual([expect.objectContaining({ eventType: 'lead.status_changed', status: 'done', attempts: 3, lastError: 'Error: injected fault' })]);
    // A retry of a done one changes nothing: still exactly one follow-up.
    clock.advance(3_600_000);
    await worker.drain();
    expect(await resumeFollowUps(a.tenantId, lead)).toEqual([{ status: 'planned' }]);
  });

  it('an admin can retry a failing one now; another firm sees none of them; bad input is a 400; only admins see them', async () => {
    const a = await signup(t);
    const x = api(t, a);
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example' }).expect(201)).body.id;
    const real = planning.execute.bind(planning);
    const fault = jest.spyOn(planning, 'execute').mockImplementation(async (events, tx) => {
      if (events.some((e) => e.type === 'candidate.updated' && e.payload.candidateId === jane)) throw new Error('injected fault');
      return real(events, tx);
    });
    let id: string;
    try {
      await x.patch(`/v1/candidates/${jane}`, { status: 'inactive' }).expect(200);
      [{ id }] = (await x.get('/v1/reactions').expect(200)).body.items;
    } finally {
      fault.mockRestore();
    }
    const checkIns = async (): Promise<string[]> =>
      withAdminDb(async (c) => (await c.query(`SELECT status FROM follow_ups WHERE tenant_id = $1 AND rule = 'candidate_check_in' ORDER BY created_at`, [a.tenantId])).rows.map((r) => r.status));
    expect(await checkIns()).toEqual(['planned']);

    // Another firm: nothing to see, nothing to retry (REST and GraphQL).
    const b = await signup(t);
    expect((await api(t, b).get('/v1/reactions').expect(200)).body.items).toEqual([]);
    await api(t, b).post(`/v1/reactions/${id}/retry`).expect(404);
    const other = await gql(b, `mutation($id: ID!) { retryReaction(id: $id) { id } }`, { id });
    expect(other.body.errors[0].extensions.code).toBe('NOT_FOUND');

    // The admin retries now: the inactive candidate's check-in is cancelled.
    const retried = await gql(a, `mutation($id: ID!) { retryReaction(id: $id) { status attempts } }`, { id });
    expect(retried.body.data.retryReaction).toEqual({ status: 'done', attempts: 2 });
    expect(await checkIns()).toEqual(['cancelled']);

    // Recruiters and API keys without the scope cannot see them; bad input names the field.
    for (const [query, field] of [
      ['state=bogus', 'state'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=%21%21', 'cursor'],
      ['tenantId=x', 'tenantId'],
    ] as const) {
      const res = await x.get(`/v1/reactions?${query}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await x.post('/v1/reactions/not-a-uuid/retry').expect(404);
    const key = await createApiKey(t, a, ['candidates:read']);
    const denied = await request(t.http).get('/v1/reactions').set('Authorization', `Bearer ${key.secret}`).expect(403);
    expect(denied.body.detail).toMatch(/audit:read/);
  });
});
