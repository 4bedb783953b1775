import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { useIsolatedDatabase } from '../support/test-app';
import { inboundSms, postTwilio, PUBLIC_URL } from '../messaging/messaging-support';
import { api } from './support';

/**
 * The acceptance scenario: sign up, add a candidate and a lead, send the resume, then move
 * the clock day by day through the interview, the offer and the silence that follows. Every
 * message that reaches the SMTP server or the Twilio-speaking server is checked: recipient,
 * channel, local time, and that nothing else went out.
 */
// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

describe('the playbook, end to end', () => {
  const smtp = new SmtpTestServer();
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock('2026-12-01T14:00:00Z'); // Tuesday 09:00 in New York
  const ACCOUNT = 'AC' + 'a1'.repeat(16);
  const TOKEN = 'playbook-auth-token-0123456789';
  let t: TestApp;
  let a: SignedUp;
  let dispatcher: DispatcherService;
  let seenEmails = 0;
  let seenSms = 0;
  const ids: Record<string, string> = {};

  /** Moves the clock, dispatches, and returns what arrived since the last step. */
  async function at(iso: string): Promise<{ email: { to: string; subject: string; text: string; messageId: string | undefined }[]; sms: { to: string; body: string }[] }> {
    clock.set(iso);
    await dispatcher.drain();
    // Reply notifications to the recruiter (issue 8) are not messages to people: kept apart.
    const email = smtp.messages.slice(seenEmails).filter((m) => !m.envelope.to.includes(a.email)).map((m) => ({
      to: m.envelope.to[0] ?? '',
      subject: m.subject ?? '',
      text: m.parsed.text ?? '',
      messageId: m.messageId,
    }));
    const sms = twilio.messages.slice(seenSms).map((m) => ({ to: m.To ?? '', body: m.Body ?? '' }));
    seenEmails = smtp.messages.length;
    seenSms = twilio.messages.length;
    return { email: email.sort((x, y) => x.to.localeCompare(y.to)), sms };
  }

  beforeAll(async () => {
    const smtpUrl = (await smtp.start()).url;
    const twilioUrl = (await twilio.start()).url;
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', SMTP_URL: smtpUrl, TWILIO_API_URL: twilioUrl, PUBLIC_URL } });
    dispatcher = t.app.get(DispatcherService);
    a = await signup(t, { firmName: 'Acme Staffing', name: 'Pat Recruiter', timeZone: 'America/New_York' });
    await api(t, a)
      .put('/v1/settings/senders', {
        twilioAccountSid: ACCOUNT,
        twilioAuthToken: TOKEN,
        twilioFrom: '+14155550100',
        emailFromAddress: 'pat@acme-staffing.example',
        inboundEmailSecret: 'inbound-email-secret-0123456789',
      })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await twilio.stop();
  });

  it('day 0: a candidate, a referred lead, the resume goes out', async () => {
    const x = api(t, a);
    ids.hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example', company: 'Globex', roles: ['employer_contact'] }).expect(201)).body.id;
    ids.ivy = (await x.post('/v1/contacts', { name: 'Ivy Interviewer', email: 'ivy@globex.example', company: 'Globex', roles: ['interviewer'] }).expect(201)).body.id;
    ids.rita = (await x.post('/v1/contacts', { name: 'Rita Referrer', email: 'rita@friends.example', roles: ['referrer'] }).expect(201)).body.id;
    ids.jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', phone: '+14155550123', preferredChannel: 'email', ownerUserId: a.userId }).expect(201)).body.id;
    ids.lead = (
      await x
        .post('/v1/leads', { candidateId: ids.jane, company: 'Globex', position: 'Data Engineer', source: 'referral', referrerContactId: ids.rita, employerContactId: ids.hank })
        .expect(201)
    ).body.id;
    await x.post(`/v1/leads/${ids.lead}/status`, { status: 'applied' }).expect(200);
    const now = await at('2026-12-01T14:00:00Z');
    expect(now).toEqual({ email: [], sms: [] });
  });

  it('day 6: nothing yet', async () => {
    expect(await at('2026-12-07T23:00:00Z')).toEqual({ email: [], sms: [] });
  });

  it('day 7, 09:00 local: the resume follow-up to the hiring manager, a check-in with Jane, and the referrer hears', async () => {
    const out = await at('2026-12-08T14:00:00Z');
    expect(out.sms).toEqual([]);
    expect(out.email.map((e) => [e.to, e.subject])).toEqual([
      ['hank@globex.example', 'Following up: Jane Doe for Data Engineer'],
      ['jane@mail.example', 'Checking in on your search'],
      ['rita@friends.example', expect.stringMatching(/Jane/)],
    ]);
    expect(out.email[0]?.text).toMatch(/Hi Hank,/);
    expect(out.email[0]?.text).toMatch(/Pat Recruiter/);
    ids.resumeMessageId = out.email[0]?.messageId ?? '';
  });

  it('day 8: Hank answers by email; the interview is scheduled; the referrer hears again', async () => {
    clock.set('2026-12-09T15:00:00Z');
    await request(t.http)
      .post(`/v1/webhooks/email/${a.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', 'inbound-email-secret-0123456789')
      .send({ from: 'Hank Hiring <hank@globex.example>', to: 'pat@acme-staffing.example', subject: 'Re: Following up', text: 'Let us talk to her.', messageId: '<reply-1@globex.example>', inReplyTo: ids.resumeMessageId })
      .expect((r) => expect(r.status).toBeLessThan(300));
    const x = api(t, a);
    ids.interview = (
      await x
        .post('/v1/interviews', { leadId: ids.lead, startsAt: '2026-12-14T19:00:00Z', durationMinutes: 60, format: 'video', meetingUrl: 'https://meet.example/abc', interviewerIds: [ids.ivy], scheduledBy: 'employer', scheduledByContactId: ids.hank })
        .expect(201)
    ).body.id;
    await x.post(`/v1/leads/${ids.lead}/status`, { status: 'interviewing' }).expect(200);
    const out = await at('2026-12-09T15:00:00Z');
    expect(out.email.map((e) => e.to)).toEqual(['rita@friends.example']);
    expect(out.email[0]?.text).toMatch(/interview/i);
    // Hank replied: his nudge is cancelled.
    const hankNudges = await withAdminDb(async (c) =>
      (await c.query(`SELECT status, reason FROM follow_ups WHERE tenant_id = $1 AND rule = 'no_reply_nudge' AND recipient_contact_id = $2`, [a.tenantId, ids.hank])).rows,
    );
    expect(hankNudges).toEqual([{ status: 'cancelled', reason: expect.stringMatching(/replied|moved/) }]);
    // Pat, who owns the follow-up Hank answered, heard about the reply.
    expect(smtp.messages.filter((m) => m.envelope.to.includes(a.email)).map((m) => m.subject)).toEqual(['Hank Hiring replied']);
  });

  it('the day before, 14:00 local: both are asked to confirm', async () => {
    expect(await at('2026-12-13T18:59:00Z')).toEqual({ email: [], sms: [] });
    const out = await at('2026-12-13T19:00:00Z');
    expect(out.sms).toEqual([]);
    expect(out.email.map((e) => e.to)).toEqual(['hank@globex.example', 'jane@mail.example']);
    for (const e of out.email) expect(e.text).toMatch(/2:00 PM/);
  });

  it('Jane texts YES: the interview is confirmed and her nudge stops', async () => {
    clock.set('2026-12-13T19:30:00Z');
    const res = await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: '+14155550123', To: '+14155550100', Body: ' yes ', AccountSid: ACCOUNT }), TOKEN);
    expect(res.status).toBe(200);
    const interview = await api(t, a).get(`/v1/interviews/${ids.interview}`).expect(200);
    expect(interview.body.status).toBe('confirmed');
    const janeNudges = await withAdminDb(async (c) =>
      (await c.query(`SELECT status FROM follow_ups WHERE tenant_id = $1 AND rule = 'no_reply_nudge' AND recipient_candidate_id = $2`, [a.tenantId, ids.jane])).rows,
    );
    expect(janeNudges.every((n) => n.status === 'cancelled')).toBe(true);
  });

  it('interview day: the reminder reaches Jane by SMS (she texted), the thank-you reaches Ivy by email', async () => {
    expect(await at('2026-12-14T20:59:00Z')).toEqual({ email: [], sms: [] });
    const reminder = await at('2026-12-14T21:00:00Z');
    expect(reminder.email).toEqual([]);
    expect(reminder.sms.map((s) => s.to)).toEqual(['+14155550123']);
    expect(reminder.sms[0]?.body).toMatch(/Ivy/);
    expect(reminder.sms[0]?.body).toMatch(/Acme Staffing/);
    expect(reminder.sms[0]?.body).toMatch(/STOP/);
    const thanks = await at('2026-12-14T22:00:00Z');
    expect(thanks.sms).toEqual([]);
    expect(thanks.email.map((e) => e.to)).toEqual(['ivy@globex.example']);
    expect(thanks.email[0]?.text).toMatch(/Hi Ivy,/);
  });

  it('the offer: a thank-you to Hank at once, and the referrer hears', async () => {
    clock.set('2026-12-16T15:00:00Z');
    await api(t, a).post(`/v1/leads/${ids.lead}/status`, { status: 'offer' }).expect(200);
    const out = await at('2026-12-16T15:00:00Z');
    expect(out.sms).toEqual([]);
    expect(out.email.map((e) => e.to)).toEqual(['hank@globex.example', 'rita@friends.example']);
  });

  it('silence: Jane is checked in with a week after the last message, Hank is nudged twice and no more', async () => {
    const week1 = await at('2026-12-21T21:00:00Z');
    expect(week1.email).toEqual([]);
    expect(week1.sms.map((s) => s.to)).toEqual(['+14155550123']); // the check-in, by SMS: her last reply was a text
    const nudge1 = await at('2026-12-23T15:00:00Z');
    expect(nudge1.email.map((e) => e.to)).toEqual(['hank@globex.example']);
    const nudge2 = await at('2026-12-30T15:00:00Z');
    expect(nudge2.email.map((e) => e.to)).toEqual(['hank@globex.example']);
    const later = await at('2027-01-20T15:00:00Z');
    expect(later.email.filter((e) => e.to === 'hank@globex.example')).toEqual([]);
    const hank = await withAdminDb(async (c) =>
      (await c.query(`SELECT rule, status, nudge_number FROM follow_ups WHERE tenant_id = $1 AND recipient_contact_id = $2 AND rule = 'no_reply_nudge' AND status = 'sent' ORDER BY nudge_number`, [a.tenantId, ids.hank])).rows,
    );
    expect(hank.map((r) => r.nudge_number)).toEqual([1, 2]);
  });

  it('nothing failed, nothing went out twice', async () => {
    const rows = await withAdminDb(async (c) =>
      (await c.query(`SELECT status, count(*)::int AS n FROM follow_ups WHERE tenant_id = $1 GROUP BY status ORDER BY status`, [a.tenantId])).rows,
    );
    expect(rows.filter((r) => ['failed', 'unknown', 'sending'].includes(r.status))).toEqual([]);
    const dupes = await withAdminDb(async (c) =>
      (await c.query(`SELECT follow_up_id FROM messages WHERE tenant_id = $1 AND follow_up_id IS NOT NULL GROUP BY follow_up_id HAVING count(*) > 1`, [a.tenantId])).rows,
    );
    expect(dupes).toEqual([]);
  });
});
