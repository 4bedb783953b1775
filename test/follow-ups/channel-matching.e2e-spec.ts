import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, signup, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import { inboundSms, postTwilio, PUBLIC_URL } from '../messaging/messaging-support';
import { api } from './support';

useIsolatedDatabase();

/**
 * Channel matching at send time, end to end: a candidate who texts is answered by SMS; after
 * STOP the next follow-up goes by email; after START, by SMS again.
 */
describe('channel matching follows the candidate', () => {
  const smtp = new SmtpTestServer();
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock('2026-12-01T16:00:00Z'); // 11:00 in New York
  const ACCOUNT = 'AC' + 'b2'.repeat(16);
  const TOKEN = 'channel-matching-token-0123456789';
  const JANE = '+14155550177';
  let t: TestApp;
  let a: SignedUp;
  let janeId: string;

  async function text(body: string): Promise<void> {
    clock.advance(60_000);
    const res = await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: JANE, To: '+14155550100', Body: body, AccountSid: ACCOUNT }), TOKEN);
    expect(res.status).toBe(200);
  }

  /** Sends Jane's pending check-in now and returns where it arrived. */
  async function sendPendingCheckIn(): Promise<'sms' | 'email'> {
    const [pending] = await withAdminDb(async (c) =>
      (await c.query(`SELECT id FROM follow_ups WHERE tenant_id = $1 AND recipient_candidate_id = $2 AND status = 'planned' AND rule = 'candidate_check_in'`, [a.tenantId, janeId])).rows,
    );
    expect(pending).toBeDefined();
    const before = { sms: twilio.messages.length, email: smtp.messages.length };
    await api(t, a).post(`/v1/follow-ups/${pending.id}/send-now`).expect(200);
    await t.app.get(DispatcherService).drain();
    const sms = twilio.messages.length - before.sms;
    const email = smtp.messages.length - before.email;
    expect(sms + email).toBe(1);
    return sms === 1 ? 'sms' : 'email';
  }

  beforeAll(async () => {
    const smtpUrl = (await smtp.start()).url;
    const twilioUrl = (await twilio.start()).url;
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await bootTestApp({ clock, env: { SMTP_URL: smtpUrl, TWILIO_API_URL: twilioUrl, PUBLIC_URL } });
    a = await signup(t, { timeZone: 'America/New_York' });
    await api(t, a).put('/v1/settings/senders', { twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, twilioFrom: '+14155550100' }).expect(200);
    janeId = (await api(t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', phone: JANE, preferredChannel: 'email' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await twilio.stop();
  });

  it('before she writes: email, her preferred channel', async () => {
    expect(await sendPendingCheckIn()).toBe('email');
  });

  it('she texts: the next follow-up goes by SMS, and carries the opt-out line the first time', async () => {
    await text('Hi! Any news on the Globex role?');
    expect(await sendPendingCheckIn()).toBe('sms');
    expect(twilio.messages[twilio.messages.length - 1]?.Body).toMatch(/Reply STOP to opt out/);
  });

  it('she texts STOP: SMS is off for her, the next follow-up goes by email', async () => {
    await text('STOP');
    const consent = await api(t, a).get(`/v1/candidates/${janeId}/consent`).expect(200);
    expect(consent.body.sms.status).toBe('opted_out');
    expect(consent.body.email.status).toBe('opted_in');
    expect(await sendPendingCheckIn()).toBe('email');
  });

  it('she texts START: SMS again', async () => {
    await text('start');
    expect(await sendPendingCheckIn()).toBe('sms');
  });
});
