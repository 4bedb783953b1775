import { FakeTwilioServer } from '../support/fake-twilio.server';
import { bootTestApp, markEmailVerified, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import {
  accountSid,
  authToken,
  createCandidate,
  fixtureForm,
  FIXTURE_ACCOUNT_SID,
  inboundSms,
  messagesOf,
  phone,
  postTwilio,
  PUBLIC_URL,
  send,
  serviceSid,
  twilioSignature,
  useOwnTwilio,
} from './messaging-support';

/**
 * Each Twilio webhook is verified with the auth token of the account it claims (AccountSid): the
 * firm's own, or the platform's only for a firm that sends through the platform's account and for
 * a message that was sent through it. Each outbound message records its account. The forms are
 * the shared fixtures (test/fixtures/twilio, /work/shared/fixtures/twilio), with our SIDs in them.
 */
describe('Twilio webhooks trust the account they come from', () => {
  const fake = new FakeTwilioServer();
  const PLATFORM = { accountSid: accountSid(), authToken: authToken(), messagingServiceSid: serviceSid() };
  let t: TestApp;

  beforeAll(async () => {
    const { url } = await fake.start();
    fake.addAccount(PLATFORM.accountSid, PLATFORM.authToken);
    t = await bootTestApp({
      env: {
        SCHEDULER: 'off',
        PUBLIC_URL,
        TWILIO_API_URL: url,
        TWILIO_ACCOUNT_SID: PLATFORM.accountSid,
        TWILIO_AUTH_TOKEN: PLATFORM.authToken,
        TWILIO_MESSAGING_SERVICE_SID: PLATFORM.messagingServiceSid,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const inboundPath = (a: SignedUp): string => `/v1/webhooks/twilio/${a.webhookKey}/inbound`;

  async function ownAccount(a: SignedUp): Promise<{ accountSid: string; authToken: string }> {
    const own = { accountSid: accountSid(), authToken: authToken(), messagingServiceSid: serviceSid() };
    fake.addAccount(own.accountSid, own.authToken);
    await useOwnTwilio(t, a, own);
    return own;
  }

  /** One SMS to a new candidate, through whichever account the firm sends with now. */
  async function sms(a: SignedUp, candidateId: string): Promise<{ messageId: string; sid: string; callbackPath: string }> {
    const result = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'sms', text: 'Hello', automated: true });
    if (result.outcome.kind !== 'sent') throw new Error(`not sent: ${JSON.stringify(result.outcome)}`);
    const sid = result.outcome.providerId;
    const request = fake.messages.find((r) => r.sid === sid)!;
    return { messageId: result.messageId!, sid: sid!, callbackPath: request.StatusCallback!.slice(PUBLIC_URL.length) };
  }

  const delivered = (sid: string, account: string): Record<string, string> => ({
    ...fixtureForm('status-delivered.form'),
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: account,
  });

  const stored = (messageId: string) =>
    withAdminDb(async (c) => (await c.query<{ status: string; provider_account: string | null }>(`SELECT status, provider_account FROM messages WHERE id = $1`, [messageId])).rows[0]);

  it('the fixtures carry a made-up AccountSid (the tests put the real one in)', () => {
    expect(fixtureForm('inbound-sms.form').AccountSid).toBe(FIXTURE_ACCOUNT_SID);
    expect(fixtureForm('status-delivered.form').AccountSid).toBe(FIXTURE_ACCOUNT_SID);
  });

  it('inbound, to a firm with its own account: its own account only', async () => {
    const a = await signup(t);
    const own = await ownAccount(a);
    const from = phone();
    await createCandidate(t, a, { phone: from });
    const params = (over: Record<string, string>) => inboundSms({ From: from, Body: 'hello', ...over });

    // The platform's account, correctly signed: not this firm's (it receives through its own).
    const platform = await postTwilio(t, inboundPath(a), params({ AccountSid: PLATFORM.accountSid }), PLATFORM.authToken);
    expect([platform.status, platform.body.detail]).toEqual([403, expect.stringContaining("the platform's account")]);
    // Its own AccountSid, signed with the platform's token: the claim is checked with its own token.
    await postTwilio(t, inboundPath(a), params({ AccountSid: own.accountSid }), PLATFORM.authToken).expect(403);
    // A stranger's account, signed with that stranger's token.
    const stranger = { sid: accountSid(), token: authToken() };
    const res = await postTwilio(t, inboundPath(a), params({ AccountSid: stranger.sid }), stranger.token);
    expect([res.status, res.body.detail]).toEqual([403, expect.stringContaining('is not a Twilio account of this firm')]);
    // No AccountSid at all.
    const { AccountSid: _none, ...anonymous } = params({});
    const missing = await postTwilio(t, inboundPath(a), anonymous, undefined, { signature: twilioSignature(own.authToken, inboundPath(a), anonymous) });
    expect([missing.status, missing.body.detail]).toEqual([403, expect.stringContaining('AccountSid is missing')]);
    expect(await messagesOf(a.tenantId)).toHaveLength(0);

    // Its own, signed by its own: recorded, with the account.
    await postTwilio(t, inboundPath(a), params({ AccountSid: own.accountSid }), own.authToken).expect(200);
    const rows = await withAdminDb(async (c) => (await c.query(`SELECT provider_account FROM messages WHERE tenant_id = $1`, [a.tenantId])).rows);
    expect(rows).toEqual([{ provider_account: own.accountSid }]);
  });

  it('inbound, to a firm that uses the platform account: the platform account', async () => {
    const a = await signup(t);
    const from = phone();
    await createCandidate(t, a, { phone: from });
    await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: 'hi', AccountSid: PLATFORM.accountSid }), PLATFORM.authToken).expect(200);
    const stranger = { sid: accountSid(), token: authToken() };
    await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: 'hi', AccountSid: stranger.sid }), stranger.token).expect(403);
  });

  it('each outbound message records its account; its status callbacks are verified with that account', async () => {
    const a = await signup(t);
    // The platform's sender serves a firm once its signup email is verified.
    await markEmailVerified(a);
    const candidateId = await createCandidate(t, a, { phone: phone(), email: 'trust@example.org' });
    // Sent through the platform's account, before the firm connected its own.
    const early = await sms(a, candidateId);
    expect(await stored(early.messageId)).toEqual({ status: expect.any(String), provider_account: PLATFORM.accountSid });
    const own = await ownAccount(a);
    const late = await sms(a, candidateId);
    expect(await stored(late.messageId)).toEqual({ status: expect.any(String), provider_account: own.accountSid });

    // The platform's callback for the message it sent: still verified with the platform's token.
    await postTwilio(t, early.callbackPath, delivered(early.sid, PLATFORM.accountSid), PLATFORM.authToken).expect(200);
    expect((await stored(early.messageId))!.status).toBe('delivered');

    // The platform's signature for a message the firm's own account sent: refused, nothing changes.
    const refused = await postTwilio(t, late.callbackPath, delivered(late.sid, PLATFORM.accountSid), PLATFORM.authToken);
    expect([refused.status, refused.body.detail]).toEqual([403, expect.stringContaining('not sent through the platform')]);
    expect((await stored(late.messageId))!.status).not.toBe('delivered');
    // Nor with the message's id in the URL only (a callback before the SID was known).
    const byId = await postTwilio(t, late.callbackPath, { ...delivered('SM' + 'f'.repeat(32), PLATFORM.accountSid) }, PLATFORM.authToken);
    expect(byId.status).toBe(403);
    // Its own account's: accepted.
    await postTwilio(t, late.callbackPath, delivered(late.sid, own.accountSid), own.authToken).expect(200);
    expect((await stored(late.messageId))!.status).toBe('delivered');
  });
});
