import { FakeTwilioServer } from '../support/fake-twilio.server';
import { bootTestApp, signup, SignedUp, TestApp } from '../support/test-app';
import {
  accountSid,
  authToken,
  consentOf,
  createCandidate,
  EventLog,
  fixtureForm,
  messagesOf,
  phone,
  postTwilio,
  PUBLIC_URL,
  send,
  serviceSid,
  twilioSid,
  useOwnTwilio,
} from './messaging-support';

/** Twilio status callbacks: forward-only, error codes kept, strangers' SIDs ignored. */
describe('Twilio status callbacks (POST /v1/webhooks/twilio/:tenantKey/status)', () => {
  const fake = new FakeTwilioServer();
  let t: TestApp;
  let log: EventLog;

  beforeAll(async () => {
    const { url } = await fake.start();
    t = await bootTestApp({ env: { SCHEDULER: 'off', PUBLIC_URL, TWILIO_API_URL: url } });
    log = new EventLog(t);
  });
  afterAll(async () => {
    log.close();
    await t.close();
    await fake.stop();
  });

  interface Sent {
    a: SignedUp;
    token: string;
    candidateId: string;
    messageId: string;
    sid: string;
    callbackPath: string;
  }

  /** A firm with its own Twilio account, and one SMS sent through the fake server. */
  async function sentSms(): Promise<Sent> {
    const a = await signup(t);
    const own = { accountSid: accountSid(), authToken: authToken(), messagingServiceSid: serviceSid() };
    fake.addAccount(own.accountSid, own.authToken);
    await useOwnTwilio(t, a, own);
    const candidateId = await createCandidate(t, a, { phone: phone(), email: 'x@example.org' });
    const result = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'sms', text: 'Hello', automated: true });
    if (result.outcome.kind !== 'sent') throw new Error(`not sent: ${JSON.stringify(result.outcome)}`);
    const request = fake.messages.find((r) => r.sid === (result.outcome.kind === 'sent' ? result.outcome.providerId : ''))!;
    return {
      a,
      token: own.authToken,
      candidateId,
      messageId: result.messageId!,
      sid: request.sid!,
      callbackPath: request.StatusCallback!.slice(PUBLIC_URL.length),
    };
  }

  function callback(s: Sent, status: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...fixtureForm('status-delivered.form'), MessageSid: s.sid, SmsSid: s.sid, MessageStatus: status, SmsStatus: status, ...extra };
  }

  it('moves forward only: sent, delivered, then a late sent keeps delivered', async () => {
    const s = await sentSms();
    for (const status of ['sent', 'delivered', 'sent', 'queued']) {
      const res = await postTwilio(t, s.callbackPath, callback(s, status), s.token);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
    }
    const [row] = await messagesOf(s.a.tenantId);
    expect(row).toMatchObject({ id: s.messageId, status: 'delivered', error_code: null });
    expect(log.of(s.a.tenantId, 'message.status_changed').map((e) => e.payload.status)).toEqual(['accepted', 'sent', 'delivered']);
  });

  it('delivered then sent (out of order) keeps delivered', async () => {
    const s = await sentSms();
    await postTwilio(t, s.callbackPath, callback(s, 'delivered'), s.token).expect(200);
    await postTwilio(t, s.callbackPath, callback(s, 'sent'), s.token).expect(200);
    expect((await messagesOf(s.a.tenantId))[0]!.status).toBe('delivered');
  });

  it('failed with 21610 keeps its error code and opts the person out of SMS', async () => {
    const s = await sentSms();
    const form = { ...fixtureForm('status-failed-21610.form'), MessageSid: s.sid, SmsSid: s.sid };
    await postTwilio(t, s.callbackPath, form, s.token).expect(200);
    await postTwilio(t, s.callbackPath, callback(s, 'delivered'), s.token).expect(200);

    expect((await messagesOf(s.a.tenantId))[0]).toMatchObject({ status: 'failed', error_code: '21610' });
    expect(await consentOf(s.a.tenantId, { type: 'candidate', id: s.candidateId }, 'sms')).toEqual({ status: 'opted_out', source: 'provider_error' });
    expect(await consentOf(s.a.tenantId, { type: 'candidate', id: s.candidateId }, 'email')).toBeUndefined();
  });

  it('undelivered keeps its error code (30006)', async () => {
    const s = await sentSms();
    await postTwilio(t, s.callbackPath, callback(s, 'undelivered', { ErrorCode: '30006' }), s.token).expect(200);
    expect((await messagesOf(s.a.tenantId))[0]).toMatchObject({ status: 'undelivered', error_code: '30006' });
  });

  it.each([['exploded'], ['received'], ['']])('an unknown status "%s" changes nothing', async (status) => {
    const s = await sentSms();
    const before = await messagesOf(s.a.tenantId);
    await postTwilio(t, s.callbackPath, callback(s, status), s.token).expect(200);
    expect(await messagesOf(s.a.tenantId)).toEqual(before);
  });

  it('an unknown SID gets a 2xx and changes nothing', async () => {
    const s = await sentSms();
    const before = await messagesOf(s.a.tenantId);
    const other = twilioSid();
    await postTwilio(t, `/v1/webhooks/twilio/${s.a.webhookKey}/status`, callback({ ...s, sid: other }, 'delivered'), s.token).expect(200);
    expect(await messagesOf(s.a.tenantId)).toEqual(before);
  });

  it("another tenant's SID changes nothing, even with that message's id in the URL", async () => {
    const s = await sentSms();
    const b = await sentSms();
    const before = await messagesOf(s.a.tenantId);
    // B posts, correctly signed for B, a callback naming A's SID, and A's message id
    await postTwilio(t, `/v1/webhooks/twilio/${b.a.webhookKey}/status?messageId=${s.messageId}`, callback(s, 'failed', { ErrorCode: '21610' }), b.token).expect(200);
    expect(await messagesOf(s.a.tenantId)).toEqual(before);
    expect(await consentOf(s.a.tenantId, { type: 'candidate', id: s.candidateId }, 'sms')).toBeUndefined();
    expect((await messagesOf(b.a.tenantId))[0]!.status).toBe('accepted');
  });

  it('a bad signature is 403 and changes nothing; a missing one is 400', async () => {
    const s = await sentSms();
    expect((await postTwilio(t, s.callbackPath, callback(s, 'failed'), 'wrong-token')).status).toBe(403);
    expect((await postTwilio(t, s.callbackPath, callback(s, 'failed'), s.token, { signature: null })).status).toBe(400);
    // the signature covers the query string: another messageId is another URL
    const moved = s.callbackPath.replace(/messageId=[^&]+/, 'messageId=00000000-0000-4000-8000-000000000000');
    expect((await postTwilio(t, moved, callback(s, 'failed'), s.token, { signature: undefined, publicUrl: PUBLIC_URL }).set('X-Twilio-Signature', 'x')).status).toBe(403);
    expect((await messagesOf(s.a.tenantId))[0]!.status).toBe('accepted');
  });
});
