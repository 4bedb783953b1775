import { api, bootEngine, EngineHarness, followUpsOf, messagesOf, signup } from './support';
import type { SignedUp } from '../support/test-app';
import { useIsolatedDatabase } from '../support/test-app';

// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

describe('resume follow-up, end to end (log drivers)', () => {
  let h: EngineHarness;
  let a: SignedUp;

  beforeAll(async () => {
    // Tuesday 1 December 2026, 09:00 in New York.
    h = await bootEngine('2026-12-01T14:00:00Z');
    a = await signup(h.t, { timeZone: 'America/New_York' });
  });
  afterAll(async () => {
    await h.t.close();
  });

  it('plans the follow-up a week after the resume went out, sends it, and then waits to nudge', async () => {
    const x = api(h.t, a);
    const contact = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@acme.example', company: 'Acme', roles: ['employer_contact'] }).expect(201)).body;
    const candidate = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@example.com' }).expect(201)).body;
    const lead = (
      await x
        .post('/v1/leads', { candidateId: candidate.id ?? candidate.candidate?.id, company: 'Acme', position: 'Data Engineer', source: 'job_board', employerContactId: contact.id ?? contact.contact?.id })
        .expect(201)
    ).body;
    await x.post(`/v1/leads/${lead.id}/status`, { status: 'applied' }).expect(200);

    const planned = await followUpsOf(a.tenantId, `rule = 'resume_follow_up'`);
    expect(planned).toHaveLength(1);
    expect(planned[0]).toMatchObject({ status: 'planned', lead_id: lead.id });
    expect((planned[0]?.due_at as Date).toISOString()).toBe('2026-12-08T14:00:00.000Z');

    // Nothing before it is due.
    h.clock.set('2026-12-08T13:59:00Z');
    await h.dispatcher.drain();
    expect((await followUpsOf(a.tenantId, `rule = 'resume_follow_up'`))[0]?.status).toBe('planned');

    h.clock.set('2026-12-08T14:00:30Z');
    await h.dispatcher.drain();
    const sent = (await followUpsOf(a.tenantId, `rule = 'resume_follow_up'`))[0];
    expect(sent).toMatchObject({ status: 'sent', channel: 'email' });
    const messages = await messagesOf(a.tenantId);
    const toHank = messages.filter((m) => m.direction === 'out' && m.to_address === 'hank@acme.example');
    expect(toHank).toHaveLength(1);
    expect(toHank[0]).toMatchObject({ channel: 'email', status: 'simulated', subject: 'Following up: Jane Doe for Data Engineer' });
    expect(String(toHank[0]?.body)).toContain('Hi Hank');
    expect(String(toHank[0]?.body)).toContain('Jane Doe for the Data Engineer role at Acme');
    // Jane was created a week ago and nobody has written to her since: her check-in went out too.
    const toJane = messages.filter((m) => m.direction === 'out' && m.to_address === 'jane@example.com');
    expect(toJane).toHaveLength(1);
    expect(toJane[0]).toMatchObject({ subject: 'Checking in on your search' });
    expect(messages).toHaveLength(2);

    // Both expected a reply: each gets one polite nudge a week later, unless they answer.
    const nudges = await followUpsOf(a.tenantId, `rule = 'no_reply_nudge'`);
    expect(nudges.map((n) => [n.recipient_type, n.nudge_number, n.status, (n.due_at as Date).toISOString()]).sort()).toEqual([
      ['candidate', 1, 'planned', '2026-12-15T14:00:30.000Z'],
      ['contact', 1, 'planned', '2026-12-15T14:00:30.000Z'],
    ]);
    // The nudge covers Jane's silence: no second check-in is planned alongside it.
    expect(await followUpsOf(a.tenantId, `rule = 'candidate_check_in' AND status = 'planned'`)).toHaveLength(0);
  });
});
