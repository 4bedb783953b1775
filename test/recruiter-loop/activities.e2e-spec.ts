import { api, bootEngine, EngineHarness, followUpsOf, messagesOf } from '../follow-ups/support';
import { countRows, createApiKey, gql, signup, SignedUp, withAdminDb } from '../support/test-app';
import { useIsolatedDatabase } from '../support/test-app';
import { UNKNOWN_ID } from '../pipeline/pipeline-support';

/**
 * Logged activities close the loop on what the system cannot see: an inbound call is a reply
 * (the nudge stops), it makes the next follow-up to that person a call task on the owner's agenda,
 * and logging the outbound call completes the task.
 */
// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

describe('activities: logged calls in the follow-up loop', () => {
  let h: EngineHarness;
  let a: SignedUp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Tuesday 1 December 2026, 09:00 in New York.
    h = await bootEngine('2026-12-01T14:00:00Z');
    a = await signup(h.t, { name: 'Pat Recruiter', timeZone: 'America/New_York' });
    const x = api(h.t, a);
    ids.hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example', phone: '+14155550111', company: 'Globex', roles: ['employer_contact'] }).expect(201)).body.id;
    ids.jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', status: 'inactive', ownerUserId: a.userId }).expect(201)).body.id;
    ids.joe = (await x.post('/v1/candidates', { name: 'Joe Bloggs', email: 'joe@mail.example', status: 'inactive', ownerUserId: a.userId }).expect(201)).body.id;
    ids.nophone = (await x.post('/v1/candidates', { name: 'No Phone', email: 'np@mail.example', status: 'inactive' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await h.t.close();
  });

  it('a logged inbound call stops the pending nudge and sets the last inbound channel to phone', async () => {
    const x = api(h.t, a);
    ids.lead1 = (await x.post('/v1/leads', { candidateId: ids.jane, company: 'Globex', position: 'Data Engineer', source: 'job_board', employerContactId: ids.hank }).expect(201)).body.id;
    await x.post(`/v1/leads/${ids.lead1}/status`, { status: 'applied' }).expect(200);
    h.clock.set('2026-12-08T14:00:30Z');
    await h.dispatcher.drain();
    const nudge = await followUpsOf(a.tenantId, `rule = 'no_reply_nudge' AND recipient_contact_id = $2`, [ids.hank]);
    expect(nudge.map((n) => n.status)).toEqual(['planned']);

    h.clock.set('2026-12-09T15:00:00Z');
    const res = await x.post('/v1/activities', { contactId: ids.hank, kind: 'call', direction: 'in', summary: 'Hank called: they liked the resume.', occurredAt: '2026-12-09T14:45:00Z' }).expect(201);
    expect(res.body).toMatchObject({ contactId: ids.hank, candidateId: null, kind: 'call', direction: 'in', channel: 'phone', userId: a.userId, occurredAt: '2026-12-09T14:45:00.000Z' });
    ids.inCall = res.body.id;

    const after = await followUpsOf(a.tenantId, `rule = 'no_reply_nudge' AND recipient_contact_id = $2`, [ids.hank]);
    expect(after.map((n) => [n.status, n.reason])).toEqual([['cancelled', 'they replied']]);
    const engagement = await withAdminDb(async (c) => (await c.query(`SELECT last_inbound_channel FROM person_engagement WHERE tenant_id = $1 AND contact_id = $2`, [a.tenantId, ids.hank])).rows[0]);
    expect(engagement).toEqual({ last_inbound_channel: 'phone' });
  });

  it('the next resume follow-up to that contact becomes a call task on the owner’s agenda, not a message', async () => {
    const x = api(h.t, a);
    ids.lead2 = (await x.post('/v1/leads', { candidateId: ids.joe, company: 'Globex', position: 'ML Engineer', source: 'job_board', employerContactId: ids.hank }).expect(201)).body.id;
    await x.post(`/v1/leads/${ids.lead2}/status`, { status: 'applied' }).expect(200);
    const before = (await messagesOf(a.tenantId)).length;
    h.clock.set('2026-12-16T15:00:30Z');
    await h.dispatcher.drain();
    const [task] = await followUpsOf(a.tenantId, `rule = 'resume_follow_up' AND lead_id = $2`, [ids.lead2]);
    expect(task).toMatchObject({ kind: 'task', channel: 'phone', status: 'planned', owner_user_id: a.userId, message_id: null });
    expect(task?.reason).toMatch(/^Call Hank Hiring at \+14155550111/);
    expect(await messagesOf(a.tenantId)).toHaveLength(before);

    const agenda = await x.get('/v1/agenda?owner=me').expect(200);
    expect(agenda.body.tasks.map((f: { id: string }) => f.id)).toContain(task?.id);
    ids.task = String(task?.id);
  });

  it('logging the outbound call completes the call task', async () => {
    const x = api(h.t, a);
    h.clock.set('2026-12-16T16:00:00Z');
    await x.post('/v1/activities', { contactId: ids.hank, kind: 'call', direction: 'out', summary: 'Called Hank back about Joe.' }).expect(201);
    const [task] = await followUpsOf(a.tenantId, `id = $2`, [ids.task]);
    expect(task).toMatchObject({ status: 'sent', reason: 'call logged' });
    expect((task?.sent_at as Date).toISOString()).toBe('2026-12-16T16:00:00.000Z');
    const agenda = await x.get('/v1/agenda?owner=me').expect(200);
    expect(agenda.body.tasks.map((f: { id: string }) => f.id)).not.toContain(ids.task);
  });

  it('activities are listed, filtered, on the candidate timeline and in GraphQL', async () => {
    const x = api(h.t, a);
    h.clock.set('2026-12-16T17:00:00Z');
    const note = await x.post('/v1/activities', { candidateId: ids.jane, kind: 'meeting', direction: 'out', summary: 'Coffee with Jane' }).expect(201);
    expect(note.body.channel).toBe('in_person');
    const list = await x.get(`/v1/activities?contactId=${ids.hank}&limit=1`).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    const page2 = await x.get(`/v1/activities?contactId=${ids.hank}&limit=1&cursor=${encodeURIComponent(list.body.nextCursor)}`).expect(200);
    expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual([ids.inCall]);
    expect((await x.get(`/v1/activities?direction=in`).expect(200)).body.items.map((i: { id: string }) => i.id)).toEqual([ids.inCall]);

    const timeline = await x.get(`/v1/candidates/${ids.jane}/timeline`).expect(200);
    expect(timeline.body.items.filter((e: { kind: string }) => e.kind === 'activity.logged')).toEqual([
      expect.objectContaining({ activityId: note.body.id, summary: 'Outbound meeting: Coffee with Jane' }),
    ]);

    // Without activities:read, the timeline has no activities.
    const key = await createApiKey(h.t, a, ['candidates:read', 'leads:read', 'interviews:read', 'references:read']);
    const bare = await api(h.t, { ...a, token: key.secret }).get(`/v1/candidates/${ids.jane}/timeline`).expect(200);
    expect(bare.body.items.filter((e: { kind: string }) => e.kind === 'activity.logged')).toEqual([]);

    const g = await gql<{ activities: { nodes: { id: string; kind: string }[] }; candidate: { timeline: { kind: string; activityId: string | null }[] } }>(
      h.t,
      a.token,
      `query($c: ID!) { activities(candidateId: $c) { nodes { id kind } } candidate(id: $c) { timeline { kind activityId } } }`,
      { c: ids.jane },
    );
    expect(g.errors).toBeUndefined();
    expect(g.data?.activities.nodes).toEqual([{ id: note.body.id, kind: 'meeting' }]);
    expect(g.data?.candidate.timeline).toContainEqual({ kind: 'activity.logged', activityId: note.body.id });

    const m = await gql<{ logActivity: { id: string; channel: string } }>(
      h.t,
      a.token,
      `mutation($c: ID!) { logActivity(input: { candidateId: $c, kind: note, direction: out, summary: "Sent the brochure" }) { id channel } }`,
      { c: ids.jane },
    );
    expect(m.errors).toBeUndefined();
    expect(m.data?.logActivity.channel).toBe('other');
  });

  describe('bad input: 400 naming the field, nothing written', () => {
    const cases: [string, () => Record<string, unknown>, string][] = [
      ['no person', () => ({ kind: 'call', direction: 'in', summary: 'x' }), 'candidateId'],
      ['both people', () => ({ candidateId: ids.jane, contactId: ids.hank, kind: 'call', direction: 'in', summary: 'x' }), 'contactId'],
      ['unknown candidate', () => ({ candidateId: UNKNOWN_ID, kind: 'call', direction: 'in', summary: 'x' }), 'candidateId'],
      ['not a uuid', () => ({ candidateId: 'nope', kind: 'call', direction: 'in' }), 'candidateId'],
      ['bad kind', () => ({ candidateId: ids.jane, kind: 'email', direction: 'in' }), 'kind'],
      ['bad direction', () => ({ candidateId: ids.jane, kind: 'call', direction: 'sideways' }), 'direction'],
      ['bad channel', () => ({ candidateId: ids.jane, kind: 'call', direction: 'in', channel: 'fax' }), 'channel'],
      ['future occurredAt', () => ({ contactId: ids.hank, kind: 'call', direction: 'in', summary: 'x', occurredAt: '2027-01-01T00:00:00Z' }), 'occurredAt'],
      ['bad occurredAt', () => ({ contactId: ids.hank, kind: 'call', direction: 'in', summary: 'x', occurredAt: 'yesterday' }), 'occurredAt'],
      ['a call with no number and no summary', () => ({ candidateId: ids.nophone, kind: 'call', direction: 'in' }), 'summary'],
      ['summary too long', () => ({ candidateId: ids.jane, kind: 'note', direction: 'out', summary: 'x'.repeat(5001) }), 'summary'],
      ['a tenantId in the body', () => ({ candidateId: ids.jane, kind: 'note', direction: 'out', summary: 'x', tenantId: UNKNOWN_ID }), 'tenantId'],
    ];
    it.each(cases)('%s', async (_name, body, field) => {
      const before = await countRows('activities', 'tenant_id = $1', [a.tenantId]);
      const res = await api(h.t, a).post('/v1/activities', body());
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
      expect(await countRows('activities', 'tenant_id = $1', [a.tenantId])).toBe(before);
    });

    it('a call with no number but a summary is fine', async () => {
      await api(h.t, a).post('/v1/activities', { candidateId: ids.nophone, kind: 'call', direction: 'in', summary: 'Called from a blocked number' }).expect(201);
    });

    it('bad list filters are 400s', async () => {
      await api(h.t, a).get('/v1/activities?kind=email').expect(400);
      await api(h.t, a).get('/v1/activities?candidateId=nope').expect(400);
      await api(h.t, a).get('/v1/activities?limit=0').expect(400);
    });
  });

  it('cross-tenant: another firm sees nothing and cannot log on our people (REST and GraphQL)', async () => {
    const b = await signup(h.t);
    const y = api(h.t, b);
    const before = await countRows('activities');
    await y.get(`/v1/activities/${ids.inCall}`).expect(404);
    expect((await y.get('/v1/activities').expect(200)).body.items).toEqual([]);
    expect((await y.get(`/v1/activities?contactId=${ids.hank}`).expect(200)).body.items).toEqual([]);
    const res = await y.post('/v1/activities', { contactId: ids.hank, kind: 'call', direction: 'in', summary: 'x' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('contactId');
    const g = await gql(h.t, b.token, `query($id: ID!) { activity(id: $id) { id } }`, { id: ids.inCall });
    expect(g.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const gl = await gql<{ activities: { nodes: unknown[] } }>(h.t, b.token, `{ activities { nodes { id } } }`);
    expect(gl.data?.activities.nodes).toEqual([]);
    const gm = await gql(h.t, b.token, `mutation($c: ID!) { logActivity(input: { contactId: $c, kind: call, direction: in, summary: "x" }) { id } }`, { c: ids.hank });
    expect(gm.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await countRows('activities')).toBe(before);
  });
});
