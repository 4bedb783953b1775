import request from 'supertest';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, markEmailVerified, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import {
  accountSid,
  api,
  authToken,
  consentOf,
  createCandidate,
  createContact,
  engagementOf,
  EventLog,
  messagesOf,
  phone,
  postTwilio,
  PUBLIC_URL,
  send,
  serviceSid,
  twilioSid,
  useOwnTwilio,
} from './messaging-support';

const PLATFORM = { accountSid: accountSid(), authToken: authToken(), from: '+14155550100' };
const OPT_OUT_LINE = 'Reply STOP to opt out.';

/**
 * OutboundMessenger.send end to end: the real nodemailer into a real SMTP server, the real twilio
 * client into a Twilio-speaking server (TWILIO_API_URL), rows asserted in Postgres.
 */
describe('OutboundMessenger (email over SMTP, SMS over Twilio)', () => {
  const smtp = new SmtpTestServer();
  const fake = new FakeTwilioServer({ [PLATFORM.accountSid]: PLATFORM.authToken });
  let t: TestApp;
  let log: EventLog;

  beforeAll(async () => {
    const { url: smtpUrl } = await smtp.start();
    const { url: twilioUrl } = await fake.start();
    t = await bootTestApp({
      env: {
        SCHEDULER: 'off',
        PUBLIC_URL,
        SMTP_URL: smtpUrl,
        EMAIL_FROM: 'Touchpoint Platform <platform@touchpoint.example.com>',
        TWILIO_API_URL: twilioUrl,
        TWILIO_ACCOUNT_SID: PLATFORM.accountSid,
        TWILIO_AUTH_TOKEN: PLATFORM.authToken,
        TWILIO_FROM: PLATFORM.from,
      },
    });
    log = new EventLog(t);
  });
  afterAll(async () => {
    log.close();
    await t.close();
    await fake.stop();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.reset();
    fake.reset();
  });

  /** The platform's Twilio sender waits for the firm's verified signup email. */
  async function verifiedSignup(...args: Parameters<typeof signup>): Promise<SignedUp> {
    const a = await signup(...args);
    await markEmailVerified(a);
    return a;
  }

  async function firmWithSenders(): Promise<SignedUp> {
    const a = await signup(t, { firmName: 'Acme Staffing Zürich', name: 'Jürgen Müller' });
    await api(t, a)
      .put('/v1/settings/senders', {
        emailFromName: 'Acme Staffing Zürich',
        emailFromAddress: 'recruiting@acme-staffing.example',
        emailReplyTo: 'replies@acme-staffing.example',
      })
      .expect(200);
    return a;
  }

  describe('email', () => {
    it('arrives with From, Reply-To, List-Unsubscribe (one-click), our Message-ID, and correctly spelled names', async () => {
      const a = await firmWithSenders();
      const candidateId = await createCandidate(t, a, { name: 'Zoë Ångström', email: 'zoe.angstrom@example.org' });
      const person = { type: 'candidate' as const, id: candidateId };

      const result = await send(t, a, person, {
        channel: 'email',
        subject: 'Your interview with Acme, Zoë',
        text: 'Hi Zoë,\n\nyour interview is tomorrow at 10:00. Reply YES to confirm.\n\nJürgen Müller',
        automated: true,
      });

      expect(result.outcome).toMatchObject({ kind: 'sent', status: 'sent', simulated: false });
      const messageId = result.messageId!;
      const [mail] = await smtp.waitFor(1);
      expect(mail!.envelope).toEqual({ from: 'recruiting@acme-staffing.example', to: ['zoe.angstrom@example.org'] });
      expect(mail!.from).toEqual([{ name: 'Acme Staffing Zürich', address: 'recruiting@acme-staffing.example' }]);
      expect(mail!.to).toEqual([{ name: 'Zoë Ångström', address: 'zoe.angstrom@example.org' }]);
      expect(mail!.replyTo).toEqual([{ name: '', address: 'replies@acme-staffing.example' }]);
      expect(mail!.subject).toBe('Your interview with Acme, Zoë');
      expect(mail!.text?.trim()).toBe('Hi Zoë,\n\nyour interview is tomorrow at 10:00. Reply YES to confirm.\n\nJürgen Müller');
      expect(mail!.header('message-id')).toBe(`<${messageId}@acme-staffing.example>`);
      const unsubscribe = /^<(https:\/\/touchpoint\.example\.com\/v1\/unsubscribe\/[A-Za-z0-9_.-]+)>$/.exec(mail!.header('list-unsubscribe') ?? '');
      expect(unsubscribe).not.toBeNull();
      expect(mail!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

      const [row] = await messagesOf(a.tenantId);
      expect(row).toMatchObject({
        id: messageId,
        candidate_id: candidateId,
        direction: 'out',
        channel: 'email',
        status: 'sent',
        provider: 'smtp',
        provider_id: `<${messageId}@acme-staffing.example>`,
        from_address: 'recruiting@acme-staffing.example',
        to_address: 'zoe.angstrom@example.org',
        subject: 'Your interview with Acme, Zoë',
        reply_state: null,
      });
      const engagement = await engagementOf(a.tenantId, person);
      expect(engagement).toMatchObject({ last_inbound_channel: null, first_sms_at: null });
      expect(engagement!.last_outbound_at).toBeInstanceOf(Date);
      expect(log.of(a.tenantId, 'message.status_changed').map((e) => e.payload)).toEqual([
        expect.objectContaining({ messageId, status: 'sent', previousStatus: 'sending', outcome: 'sent', person }),
      ]);

      // The mail client's one-click POST opts the person out of email; the next email is blocked.
      const path = unsubscribe![1]!.slice(PUBLIC_URL.length);
      await request(t.http).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
      expect(await consentOf(a.tenantId, person, 'email')).toEqual({ status: 'opted_out', source: 'link' });
      const blocked = await send(t, a, person, { channel: 'email', subject: 'x', text: 'y', automated: true });
      expect(blocked).toEqual({ messageId: null, outcome: { kind: 'blocked', reason: 'opted out of email' } });
      expect(await messagesOf(a.tenantId)).toHaveLength(1);
      expect(smtp.attempts).toHaveLength(1);
    });

    it('a one-off email from a recruiter carries their name and the firm’s, no unsubscribe headers, and the platform address when the firm set none', async () => {
      const a = await signup(t, { firmName: 'Nordic Talent', name: 'Åsa Öberg' });
      const contactId = await createContact(t, a, { name: 'Frédéric Chopin', email: 'fred@example.org' });

      const result = await send(t, a, { type: 'contact', id: contactId }, { channel: 'email', subject: 'Quick question', text: 'Bonjour Frédéric', automated: false, userId: a.userId });

      expect(result.outcome.kind).toBe('sent');
      const [mail] = await smtp.waitFor(1);
      expect(mail!.from).toEqual([{ name: 'Åsa Öberg – Nordic Talent', address: 'platform@touchpoint.example.com' }]);
      expect(mail!.to).toEqual([{ name: 'Frédéric Chopin', address: 'fred@example.org' }]);
      expect(mail!.header('list-unsubscribe')).toBeUndefined();
      expect(mail!.replyTo).toEqual([]);
      const [row] = await messagesOf(a.tenantId);
      expect(row).toMatchObject({ contact_id: contactId, user_id: a.userId, status: 'sent' });
    });

    it('an SMTP 5xx is permanent: the message is failed with the code', async () => {
      const a = await firmWithSenders();
      const candidateId = await createCandidate(t, a, { email: 'nobody@example.org' });
      smtp.enqueue({ code: 550, message: 'Mailbox unavailable' });

      const result = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'email', subject: 'Hello', text: 'Hi', automated: true });

      expect(result.outcome).toMatchObject({ kind: 'permanent', code: '550' });
      const [row] = await messagesOf(a.tenantId);
      expect(row).toMatchObject({ id: result.messageId, status: 'failed', error_code: '550', provider_id: null });
      expect(smtp.messages).toHaveLength(0);
    });

    it('an SMTP 4xx is retryable: failed attempt recorded, and a retry is sent once', async () => {
      const a = await firmWithSenders();
      const candidateId = await createCandidate(t, a, { email: 'later@example.org' });
      smtp.enqueue({ code: 451, message: 'Try again later' });
      const person = { type: 'candidate' as const, id: candidateId };

      const first = await send(t, a, person, { channel: 'email', subject: 'Hello', text: 'Hi', automated: true });
      expect(first.outcome).toMatchObject({ kind: 'retryable', code: '451' });
      const retry = await send(t, a, person, { channel: 'email', subject: 'Hello', text: 'Hi', automated: true });
      expect(retry.outcome.kind).toBe('sent');

      expect(smtp.messages).toHaveLength(1);
      expect((await messagesOf(a.tenantId)).map((r) => [r.status, r.error_code])).toEqual([
        ['failed', '451'],
        ['sent', null],
      ]);
    });

    it('is blocked without an address or for a deleted person, and nothing is written', async () => {
      const a = await firmWithSenders();
      const noEmail = await createCandidate(t, a, { phone: phone() });
      const gone = await createCandidate(t, a, { email: 'gone@example.org' });
      await api(t, a).delete(`/v1/candidates/${gone}`).expect(204);

      expect((await send(t, a, { type: 'candidate', id: noEmail }, { channel: 'email', text: 'x', automated: true })).outcome).toEqual({
        kind: 'blocked',
        reason: 'no email address',
      });
      expect((await send(t, a, { type: 'candidate', id: gone }, { channel: 'email', text: 'x', automated: true })).outcome.kind).toBe('blocked');
      const b = await signup(t);
      const ofB = await createCandidate(t, b, { email: 'b@example.org' });
      expect((await send(t, a, { type: 'candidate', id: ofB }, { channel: 'email', text: 'x', automated: true })).outcome.kind).toBe('blocked');
      expect(await messagesOf(a.tenantId)).toHaveLength(0);
      expect(smtp.attempts).toHaveLength(0);
    });
  });

  describe('SMS', () => {
    it('goes through the firm’s own account: To, MessagingServiceSid, Body with the opt-out line the first time, StatusCallback', async () => {
      const a = await verifiedSignup(t, { firmName: 'Acme Staffing' });
      const own = { accountSid: accountSid(), authToken: authToken(), messagingServiceSid: serviceSid() };
      fake.addAccount(own.accountSid, own.authToken);
      await useOwnTwilio(t, a, own);
      const to = phone();
      const candidateId = await createCandidate(t, a, { phone: to });
      const person = { type: 'candidate' as const, id: candidateId };

      const first = await send(t, a, person, { channel: 'sms', text: 'Hi Zoë, Pat from Acme here. Reply YES to confirm.', automated: true });
      const second = await send(t, a, person, { channel: 'sms', text: 'See you tomorrow!', automated: true });

      expect(first.outcome).toMatchObject({ kind: 'sent', status: 'accepted', simulated: false });
      const [r1, r2] = fake.messages;
      expect(r1).toMatchObject({
        accountSid: own.accountSid,
        authorized: true,
        To: to,
        MessagingServiceSid: own.messagingServiceSid,
        From: undefined,
        Body: `Hi Zoë, Pat from Acme here. Reply YES to confirm. ${OPT_OUT_LINE}`,
        StatusCallback: `${PUBLIC_URL}/v1/webhooks/twilio/${a.webhookKey}/status?messageId=${first.messageId}`,
      });
      expect(r2!.Body).toBe('See you tomorrow!');
      const rows = await messagesOf(a.tenantId);
      expect(rows.map((r) => [r.id, r.status, r.provider, r.provider_id, r.body])).toEqual([
        [first.messageId, 'accepted', 'twilio', r1!.sid, r1!.Body],
        [second.messageId, 'accepted', 'twilio', r2!.sid, 'See you tomorrow!'],
      ]);
      expect((await engagementOf(a.tenantId, person))!.first_sms_at).toBeInstanceOf(Date);
    });

    it('without a firm account it uses the platform default (From number)', async () => {
      const a = await verifiedSignup(t);
      const to = phone();
      const contactId = await createContact(t, a, { phone: to });

      const result = await send(t, a, { type: 'contact', id: contactId }, { channel: 'sms', text: 'Hello', automated: true });

      expect(result.outcome).toMatchObject({ kind: 'sent', status: 'queued' });
      const [req] = fake.messages;
      expect(req).toMatchObject({ accountSid: PLATFORM.accountSid, From: PLATFORM.from, MessagingServiceSid: undefined, To: to });
      expect((await messagesOf(a.tenantId))[0]).toMatchObject({ from_address: PLATFORM.from, status: 'queued' });
    });

    it('21610 is permanent and opts the person out of SMS (provider_error); the next SMS is blocked without a request', async () => {
      const a = await verifiedSignup(t);
      const candidateId = await createCandidate(t, a, { phone: phone(), email: 'x@example.org' });
      const person = { type: 'candidate' as const, id: candidateId };
      fake.enqueue({ error: 21610 });

      const result = await send(t, a, person, { channel: 'sms', text: 'Hello', automated: true });

      expect(result.outcome).toMatchObject({ kind: 'permanent', code: '21610' });
      expect((await messagesOf(a.tenantId))[0]).toMatchObject({ status: 'failed', error_code: '21610', provider_id: null });
      expect(await consentOf(a.tenantId, person, 'sms')).toEqual({ status: 'opted_out', source: 'provider_error' });
      expect(await consentOf(a.tenantId, person, 'email')).toBeUndefined();
      expect(log.of(a.tenantId, 'consent.changed').map((e) => e.payload)).toEqual([
        expect.objectContaining({ person, channel: 'sms', status: 'opted_out', source: 'provider_error' }),
      ]);
      const again = await send(t, a, person, { channel: 'sms', text: 'Hello?', automated: true });
      expect(again).toEqual({ messageId: null, outcome: { kind: 'blocked', reason: 'opted out of SMS' } });
      expect(fake.requests).toHaveLength(1);
      // the first SMS never arrived, so it does not count: engagement untouched
      expect((await engagementOf(a.tenantId, person))?.first_sms_at ?? null).toBeNull();
    });

    it('21211 (invalid To) is permanent', async () => {
      const a = await verifiedSignup(t);
      const candidateId = await createCandidate(t, a, { phone: phone() });
      fake.enqueue({ error: 21211 });

      const result = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'sms', text: 'Hello', automated: true });

      expect(result.outcome).toMatchObject({ kind: 'permanent', code: '21211' });
      expect((await messagesOf(a.tenantId))[0]).toMatchObject({ status: 'failed', error_code: '21211' });
    });

    it('20429 is retryable; the retry is sent once', async () => {
      const a = await verifiedSignup(t);
      const candidateId = await createCandidate(t, a, { phone: phone() });
      const person = { type: 'candidate' as const, id: candidateId };
      fake.enqueue({ error: 20429 });

      const first = await send(t, a, person, { channel: 'sms', text: 'Hello', automated: true });
      expect(first.outcome).toMatchObject({ kind: 'retryable', code: '20429' });
      const retry = await send(t, a, person, { channel: 'sms', text: 'Hello', automated: true });
      expect(retry.outcome.kind).toBe('sent');

      expect(fake.requests).toHaveLength(2);
      expect(fake.messages).toHaveLength(1);
      // the retry is still the first SMS to reach the person: it carries the opt-out line
      expect(fake.messages[0]!.Body).toBe(`Hello ${OPT_OUT_LINE}`);
      expect((await messagesOf(a.tenantId)).map((r) => [r.status, r.error_code])).toEqual([
        ['failed', '20429'],
        ['queued', null],
      ]);
    });

    it('a timeout after the request was sent is unknown (never resent here), and the status callback reconciles it by our id', async () => {
      const a = await verifiedSignup(t);
      const candidateId = await createCandidate(t, a, { phone: phone() });
      fake.enqueue({ timeout: true });

      const result = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'sms', text: 'Hello', automated: true });

      expect(result.outcome).toMatchObject({ kind: 'unknown', code: 'ETIMEDOUT' });
      expect(fake.requests).toHaveLength(1);
      const [row] = await messagesOf(a.tenantId);
      expect(row).toMatchObject({ id: result.messageId, status: 'unknown', provider_id: null });

      // Twilio did create it: its callback names the SID we never got, at the URL carrying our id.
      const callbackUrl = fake.requests[0]!.StatusCallback!;
      const path = callbackUrl.slice(PUBLIC_URL.length);
      const sid = twilioSid();
      await postTwilio(t, path, { MessageSid: sid, SmsSid: sid, MessageStatus: 'delivered', AccountSid: PLATFORM.accountSid, To: row!.to_address!, From: PLATFORM.from }, PLATFORM.authToken).expect(200);
      expect((await messagesOf(a.tenantId))[0]).toMatchObject({ id: result.messageId, status: 'delivered', provider_id: sid });
      expect(fake.requests).toHaveLength(1);
    }, 30_000);

    it('an opted-out person is never texted: blocked before any request', async () => {
      const a = await verifiedSignup(t);
      const candidateId = await createCandidate(t, a, { phone: phone() });
      await api(t, a).put(`/v1/candidates/${candidateId}/consent`, { channel: 'sms', status: 'opted_out' }).expect(200);

      const result = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'sms', text: 'Hello', automated: true });

      expect(result.outcome).toEqual({ kind: 'blocked', reason: 'opted out of SMS' });
      expect(fake.requests).toHaveLength(0);
      expect(await messagesOf(a.tenantId)).toHaveLength(0);
    });

    it('the messages row exists, status sending, before the driver is called (the crash marker)', async () => {
      const a = await verifiedSignup(t);
      const candidateId = await createCandidate(t, a, { phone: phone() });
      fake.enqueue({ delayMs: 400 });

      const pending = send(t, a, { type: 'candidate', id: candidateId }, { channel: 'sms', text: 'Hello', automated: true });
      await fake.waitFor(1);
      const during = await messagesOf(a.tenantId);
      expect(during).toHaveLength(1);
      expect(during[0]).toMatchObject({ status: 'sending', provider_id: null });
      const result = await pending;
      expect(result.outcome.kind).toBe('sent');
      const after = await withAdminDb(async (c) => (await c.query('SELECT status, provider_id FROM messages WHERE id = $1', [result.messageId])).rows[0]);
      expect(after).toEqual({ status: 'queued', provider_id: fake.messages[0]!.sid });
    });
  });
});

describe('OutboundMessenger with nothing configured (log drivers)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { SCHEDULER: 'off', PUBLIC_URL } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('records email and SMS as simulated', async () => {
    const a = await signup(t);
    const candidateId = await createCandidate(t, a, { phone: phone(), email: 'sim@example.org' });
    const person = { type: 'candidate' as const, id: candidateId };

    const email = await send(t, a, person, { channel: 'email', subject: 'Hi', text: 'Hello', automated: true });
    const sms = await send(t, a, person, { channel: 'sms', text: 'Hello', automated: true });

    expect(email.outcome).toEqual({ kind: 'sent', status: 'simulated', simulated: true, providerId: `simulated-${email.messageId}` });
    expect(sms.outcome).toEqual({ kind: 'sent', status: 'simulated', simulated: true, providerId: `simulated-${sms.messageId}` });
    expect((await messagesOf(a.tenantId)).map((r) => [r.channel, r.status, r.provider])).toEqual([
      ['email', 'simulated', 'log'],
      ['sms', 'simulated', 'log'],
    ]);
    const settings = await api(t, a).get('/v1/settings/senders').expect(200);
    expect(settings.body).toMatchObject({ smsSender: 'log', emailSender: 'log' });
  });
});
