import request from 'supertest';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, signup, SignedUp, TestApp, TEST_ENCRYPTION_KEY } from '../support/test-app';
import { createUnsubscribeToken, unsubscribeKey } from '../../src/messaging/domain/unsubscribe-token';
import { api, consentOf, createCandidate, createContact, engagementOf, EventLog, messagesOf, PUBLIC_URL, send, UNKNOWN_ID } from './messaging-support';

const SECRET = 'inbound-secret-0123456789abcdef';

describe('inbound email webhook and unsubscribe links', () => {
  const smtp = new SmtpTestServer();
  let t: TestApp;
  let log: EventLog;

  beforeAll(async () => {
    const { url } = await smtp.start();
    t = await bootTestApp({ env: { SCHEDULER: 'off', PUBLIC_URL, SMTP_URL: url } });
    log = new EventLog(t);
  });
  afterAll(async () => {
    log.close();
    await t.close();
    await smtp.stop();
  });

  async function firm(secret = SECRET): Promise<SignedUp> {
    const a = await signup(t);
    await api(t, a).put('/v1/settings/senders', { inboundEmailSecret: secret, emailFromAddress: 'recruiting@acme.example' }).expect(200);
    return a;
  }

  const post = (a: SignedUp, body: object, secret: string | null = SECRET): request.Test => {
    const req = request(t.http).post(`/v1/webhooks/email/${a.webhookKey}/inbound`);
    if (secret !== null) req.set('X-Touchpoint-Webhook-Secret', secret);
    return req.send(body);
  };

  describe('POST /v1/webhooks/email/:tenantKey/inbound', () => {
    it('matches a reply by In-Reply-To to our outbound Message-ID (even from another address)', async () => {
      const a = await firm();
      const candidateId = await createCandidate(t, a, { email: 'zoe@example.org' });
      const sent = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'email', subject: 'Interview', text: 'Reply YES', automated: true });
      const ourId = sent.outcome.kind === 'sent' ? sent.outcome.providerId : '';

      const res = await post(a, {
        from: 'Zoë Ångström <zoe.private@elsewhere.example>',
        to: 'replies@acme.example',
        subject: 'Re: Interview',
        text: 'Yes, see you then',
        messageId: '<reply-1@elsewhere.example>',
        inReplyTo: ourId,
      }).expect(200);

      expect(res.body).toMatchObject({ duplicate: false, matched: true });
      const inbound = (await messagesOf(a.tenantId, "direction = 'in'"))[0]!;
      expect(inbound).toMatchObject({
        id: res.body.messageId,
        candidate_id: candidateId,
        channel: 'email',
        status: 'received',
        provider_id: '<reply-1@elsewhere.example>',
        from_address: 'zoe.private@elsewhere.example',
        subject: 'Re: Interview',
        body: 'Yes, see you then',
        reply_state: 'open',
        matched: true,
      });
      expect(await engagementOf(a.tenantId, { type: 'candidate', id: candidateId })).toMatchObject({ last_inbound_channel: 'email' });
      expect(log.of(a.tenantId, 'message.received').map((e) => e.payload)).toEqual([
        { messageId: res.body.messageId, person: { type: 'candidate', id: candidateId }, channel: 'email', keyword: null, confirmation: false, from: 'zoe.private@elsewhere.example' },
      ]);
    });

    it('matches by the from address otherwise (case-insensitive), a contact too; an unknown sender is kept unmatched', async () => {
      const a = await firm();
      const contactId = await createContact(t, a, { email: 'Hiring.Manager@Employer.example' });
      await post(a, { from: 'hiring.manager@employer.example', subject: 'Feedback', text: 'Great candidate', messageId: 'fb-1@employer.example' }).expect(200);
      const unknown = await post(a, { from: 'stranger@example.net', text: 'Hello?', messageId: '<s-1@example.net>' }).expect(200);
      expect(unknown.body).toMatchObject({ matched: false, duplicate: false });

      const rows = await messagesOf(a.tenantId);
      expect(rows.map((r) => [r.contact_id, r.matched, r.provider_id])).toEqual([
        [contactId, true, '<fb-1@employer.example>'],
        [null, false, '<s-1@example.net>'],
      ]);
    });

    it('is idempotent on messageId', async () => {
      const a = await firm();
      await createCandidate(t, a, { email: 'dup@example.org' });
      const body = { from: 'dup@example.org', text: 'Hi', messageId: '<dup-1@example.org>' };
      const first = await post(a, body).expect(200);
      const again = await Promise.all([post(a, body), post(a, body), post(a, body)]);
      expect(again.map((r) => [r.status, r.body.duplicate, r.body.messageId])).toEqual(Array(3).fill([200, true, first.body.messageId]));
      expect(await messagesOf(a.tenantId)).toHaveLength(1);
      expect(log.of(a.tenantId, 'message.received')).toHaveLength(1);
    });

    it('authenticates by the per-tenant secret before anything else: missing 401, wrong 403, not configured 403; nothing written', async () => {
      const a = await firm();
      const noSecret = await signup(t);
      const body = { from: 'x@example.org', text: 'Hi', messageId: '<auth@example.org>' };
      expect((await post(a, body, null)).status).toBe(401);
      expect((await post(a, body, 'wrong-secret-0123456789abcdef')).status).toBe(403);
      expect((await post(noSecret, body, SECRET)).status).toBe(403);
      // bad bodies are refused only after authentication
      expect((await post(a, { nonsense: true }, 'wrong')).status).toBe(403);
      // A's secret on B's URL
      const b = await firm('another-secret-0123456789abcdef');
      expect((await post(b, body, SECRET)).status).toBe(403);
      const unknownKey = await request(t.http).post('/v1/webhooks/email/tk_nope/inbound').set('X-Touchpoint-Webhook-Secret', SECRET).send(body);
      expect(unknownKey.status).toBe(404);
      for (const tenant of [a, noSecret, b]) expect(await messagesOf(tenant.tenantId)).toHaveLength(0);
    });

    it.each([
      ['missing from', { text: 'x', messageId: '<m@x>' }, 'from'],
      ['missing messageId', { from: 'a@example.org', text: 'x' }, 'messageId'],
      ['a number as text', { from: 'a@example.org', text: 42, messageId: '<m@x>' }, 'text'],
      ['an unknown field', { from: 'a@example.org', messageId: '<m@x>', tenantId: UNKNOWN_ID }, 'tenantId'],
      ['a huge subject', { from: 'a@example.org', messageId: '<m@x>', subject: 'x'.repeat(1001) }, 'subject'],
    ])('%s is a 400 naming the field, and nothing is written', async (_name, body, field) => {
      const a = await firm();
      const res = await post(a, body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await messagesOf(a.tenantId)).toHaveLength(0);
    });
  });

  describe('GET/POST /v1/unsubscribe/:token', () => {
    const key = unsubscribeKey(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'));

    it('GET shows a confirm page and changes nothing; POST (one-click) opts out of email only', async () => {
      const a = await signup(t, { firmName: 'Acme <Staffing>' });
      const candidateId = await createCandidate(t, a, { email: 'u@example.org', phone: '+14155550142' });
      const person = { type: 'candidate' as const, id: candidateId };
      const token = createUnsubscribeToken(key, { tenantId: a.tenantId, person, channel: 'email' });

      const page = await request(t.http).get(`/v1/unsubscribe/${token}`).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('Acme &lt;Staffing&gt;');
      expect(page.text).toContain('<form method="post">');
      expect(await consentOf(a.tenantId, person, 'email')).toBeUndefined();

      const done = await request(t.http).post(`/v1/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click').expect(200);
      expect(done.text).toContain('You are unsubscribed');
      expect(await consentOf(a.tenantId, person, 'email')).toEqual({ status: 'opted_out', source: 'link' });
      expect(await consentOf(a.tenantId, person, 'sms')).toBeUndefined();
      // again: still 200, no second change
      await request(t.http).post(`/v1/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click').expect(200);
      expect(log.of(a.tenantId, 'consent.changed').map((e) => e.payload)).toEqual([
        expect.objectContaining({ person, channel: 'email', status: 'opted_out', source: 'link' }),
      ]);
      const consent = await api(t, a).get(`/v1/candidates/${candidateId}/consent`).expect(200);
      expect(consent.body.email).toMatchObject({ status: 'opted_out', source: 'link' });
      expect(consent.body.history).toHaveLength(1);
    });

    it('a forged, altered or foreign-key token is 404 and changes nothing', async () => {
      const a = await signup(t);
      const candidateId = await createCandidate(t, a, { email: 'f@example.org' });
      const person = { type: 'candidate' as const, id: candidateId };
      const good = createUnsubscribeToken(key, { tenantId: a.tenantId, person, channel: 'email' });
      const forged = createUnsubscribeToken(unsubscribeKey(Buffer.alloc(32, 9)), { tenantId: a.tenantId, person, channel: 'email' });
      const altered = `${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`;
      const otherPerson = createUnsubscribeToken(key, { tenantId: a.tenantId, person: { type: 'candidate', id: UNKNOWN_ID }, channel: 'email' });
      for (const token of [forged, altered, otherPerson, 'not-a-token']) {
        expect((await request(t.http).get(`/v1/unsubscribe/${token}`)).status).toBe(404);
        expect((await request(t.http).post(`/v1/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click')).status).toBe(404);
      }
      expect(await consentOf(a.tenantId, person, 'email')).toBeUndefined();
    });

    it('the link in a sent email works end to end (PUBLIC_URL based)', async () => {
      const a = await firm();
      const contactId = await createContact(t, a, { email: 'c@example.org' });
      smtp.reset();
      await send(t, a, { type: 'contact', id: contactId }, { channel: 'email', subject: 'Hi', text: 'Hello', automated: true });
      const [mail] = await smtp.waitFor(1);
      const url = /^<(.+)>$/.exec(mail!.header('list-unsubscribe')!)![1]!;
      expect(url.startsWith(`${PUBLIC_URL}/v1/unsubscribe/`)).toBe(true);
      await request(t.http).post(url.slice(PUBLIC_URL.length)).type('form').send('List-Unsubscribe=One-Click').expect(200);
      expect(await consentOf(a.tenantId, { type: 'contact', id: contactId }, 'email')).toEqual({ status: 'opted_out', source: 'link' });
    });
  });
});
