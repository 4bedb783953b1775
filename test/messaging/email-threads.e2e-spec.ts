import request from 'supertest';
import { SmtpTestServer } from '../support/smtp-test.server';
import { useIsolatedDatabase } from '../support/test-app';
import type { SignedUp } from '../support/test-app';
import { api, bootEngine, EngineHarness, followUpsOf, messagesOf, signup } from '../follow-ups/support';

// The cross-tenant dispatcher runs here: a database of its own.
useIsolatedDatabase();

const SECRET = 'inbound-secret-0123456789abcdef';

/**
 * Threads (issue 16): the nudge is a reply in the resume follow-up's thread, as a mail client sees
 * it: In-Reply-To and References name the earlier Message-ID, the subject is "Re: <original>".
 * Asserted on the MIME the SMTP test server received, parsed by mailparser.
 */
describe('email threads', () => {
  const smtp = new SmtpTestServer();
  let h: EngineHarness;
  let a: SignedUp;

  beforeAll(async () => {
    const { url } = await smtp.start();
    // Tuesday 1 December 2026, 09:00 in New York.
    h = await bootEngine('2026-12-01T14:00:00Z', { SMTP_URL: url });
    a = await signup(h.t, { timeZone: 'America/New_York' });
    await api(h.t, a).put('/v1/settings/senders', { inboundEmailSecret: SECRET, emailFromAddress: 'recruiting@acme-staffing.example' }).expect(200);
  });
  afterAll(async () => {
    await h.t.close();
    await smtp.stop();
  });

  it('threads the nudge under the resume follow-up, and a reply to the nudge stays with the person and the lead', async () => {
    const x = api(h.t, a);
    const contact = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@acme.example', company: 'Acme', roles: ['employer_contact'] }).expect(201)).body;
    const candidate = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@example.com' }).expect(201)).body;
    const lead = (
      await x.post('/v1/leads', { candidateId: candidate.id, company: 'Acme', position: 'Data Engineer', source: 'job_board', employerContactId: contact.id }).expect(201)
    ).body;
    await x.post(`/v1/leads/${lead.id}/status`, { status: 'applied' }).expect(200);

    h.clock.set('2026-12-08T14:00:30Z');
    await h.dispatcher.drain();
    const first = await smtp.waitFor(2);
    const resume = first.find((m) => m.to[0]?.address === 'hank@acme.example')!;
    expect(resume.subject).toBe('Following up: Jane Doe for Data Engineer');
    expect(resume.inReplyTo).toBeUndefined();
    expect(resume.messageId).toMatch(/^<[0-9a-f-]{36}@acme-staffing\.example>$/);
    // Jane's check-in has no lead: a thread of its own (with its own nudge later).
    const checkIn = first.find((m) => m.to[0]?.address === 'jane@example.com')!;

    // The recruiter's preview of the nudge already says what will go out: a reply in the thread.
    const [pending] = await followUpsOf(a.tenantId, `rule = 'no_reply_nudge' AND recipient_contact_id = $2`, [contact.id]);
    expect((await x.get(`/v1/follow-ups/${pending!.id}`).expect(200)).body.preview).toMatchObject({ channel: 'email', subject: 'Re: Following up: Jane Doe for Data Engineer' });

    // A silent week later: the nudges.
    h.clock.set('2026-12-15T14:01:00Z');
    await h.dispatcher.drain();
    const all = await smtp.waitFor(4);
    const nudge = all.slice(2).find((m) => m.to[0]?.address === 'hank@acme.example')!;
    expect(nudge.subject).toBe('Re: Following up: Jane Doe for Data Engineer');
    expect(nudge.inReplyTo).toBe(resume.messageId);
    expect(nudge.references).toEqual([resume.messageId]);
    expect(nudge.header('in-reply-to')).toBe(resume.messageId);
    expect(nudge.messageId).not.toBe(resume.messageId);
    const janeNudge = all.slice(2).find((m) => m.to[0]?.address === 'jane@example.com')!;
    expect(janeNudge.inReplyTo).toBe(checkIn.messageId);
    expect(janeNudge.subject).toBe(`Re: ${checkIn.subject}`);

    // The recorded message says what went out.
    const rows = await messagesOf(a.tenantId);
    const nudgeRow = rows.find((m) => m.provider_id === nudge.messageId)!;
    expect(nudgeRow).toMatchObject({ subject: 'Re: Following up: Jane Doe for Data Engineer', thread_key: `lead:${lead.id}`, contact_id: contact.id });

    // Hank answers from his phone's other address, replying to the nudge: matched by References too.
    const reply = await request(h.t.http)
      .post(`/v1/webhooks/email/${a.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', SECRET)
      .send({
        from: 'Hank <hank.mobile@elsewhere.example>',
        subject: 'Re: Following up: Jane Doe for Data Engineer',
        text: 'Still reviewing, will get back to you Friday.',
        messageId: '<hank-reply-1@elsewhere.example>',
        inReplyTo: '<not-ours@elsewhere.example>',
        references: `${resume.messageId} ${nudge.messageId} <not-ours@elsewhere.example>`,
      })
      .expect(200);
    expect(reply.body).toMatchObject({ matched: true, duplicate: false });
    const inbound = (await messagesOf(a.tenantId)).find((m) => m.id === reply.body.messageId)!;
    expect(inbound).toMatchObject({ direction: 'in', contact_id: contact.id, thread_key: `lead:${lead.id}`, matched: true });
    expect((await x.get(`/v1/messages/${reply.body.messageId}`).expect(200)).body).toMatchObject({ person: { type: 'contact', id: contact.id }, leadId: lead.id });
    // Their answer stops the second nudge.
    const nudges = await followUpsOf(a.tenantId, `rule = 'no_reply_nudge' AND recipient_contact_id = $2`, [contact.id]);
    expect(nudges.filter((n) => n.status === 'planned')).toHaveLength(0);
  });
});
