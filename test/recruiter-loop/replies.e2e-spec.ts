import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, countRows, gql, signup, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import { inboundSms, postTwilio, PUBLIC_URL } from '../messaging/messaging-support';
import { api, UNKNOWN_ID } from '../pipeline/pipeline-support';

/**
 * Replies to answer and one-off messages: an inbound SMS emails the owning recruiter (SMTP test
 * server) and waits on the agenda; the recruiter's one-off SMS answer goes through the dispatcher
 * to the Twilio-speaking server and marks the reply answered; an opted-out person is refused.
 */
// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

describe('replies to answer, and one-off messages', () => {
  const smtp = new SmtpTestServer();
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock('2026-12-01T15:00:00Z'); // Tuesday 10:00 in New York
  const ACCOUNT = 'AC' + 'b2'.repeat(16);
  const TOKEN = 'replies-auth-token-0123456789';
  let t: TestApp;
  let a: SignedUp;
  let dispatcher: DispatcherService;
  const ids: Record<string, string> = {};

  const text = (from: string, body: string) =>
    postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: from, To: '+14155550100', Body: body, AccountSid: ACCOUNT }), TOKEN).expect(200);
  const mailTo = (to: string) => smtp.messages.filter((m) => m.envelope.to.includes(to));
  const openReplies = async (query = '') => (await api(t, a).get(`/v1/agenda${query}`).expect(200)).body.repliesToAnswer as { id: string; replyState: string; body: string }[];

  beforeAll(async () => {
    const smtpUrl = (await smtp.start()).url;
    const twilioUrl = (await twilio.start()).url;
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', SMTP_URL: smtpUrl, TWILIO_API_URL: twilioUrl, PUBLIC_URL } });
    dispatcher = t.app.get(DispatcherService);
    a = await signup(t, { firmName: 'Acme Staffing', name: 'Pat Recruiter', timeZone: 'America/New_York' });
    await api(t, a)
      .put('/v1/settings/senders', { twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, twilioFrom: '+14155550100', emailFromAddress: 'pat@acme-staffing.example' })
      .expect(200);
    const x = api(t, a);
    ids.jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', phone: '+14155550123', status: 'inactive', ownerUserId: a.userId }).expect(201)).body.id;
    ids.bob = (await x.post('/v1/candidates', { name: 'Bob Stopper', phone: '+14155550124', status: 'inactive' }).expect(201)).body.id;
    ids.hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await twilio.stop();
  });

  it('an inbound SMS emails the owning recruiter and waits, open, on the agenda; it is not contact', async () => {
    await text('+14155550123', 'Can we move Thursday to 3pm?');
    const notes = mailTo(a.email);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.subject).toBe('Jane Doe replied');
    expect(notes[0]?.text).toContain('Can we move Thursday to 3pm?');
    const replies = await openReplies();
    expect(replies).toEqual([expect.objectContaining({ replyState: 'open', body: 'Can we move Thursday to 3pm?', direction: 'in', channel: 'sms' })]);
    ids.janeReply = replies[0]!.id;
    // The notification is no message to Jane and no contact with her.
    expect(await countRows('messages', 'tenant_id = $1 AND candidate_id = $2', [a.tenantId, ids.jane])).toBe(1);
    const engagement = await withAdminDb(async (c) => (await c.query(`SELECT last_outbound_at FROM person_engagement WHERE tenant_id = $1 AND candidate_id = $2`, [a.tenantId, ids.jane])).rows[0]);
    expect(engagement).toEqual({ last_outbound_at: null });
  });

  it('a one-off answer is matched to SMS, goes through the dispatcher to Twilio, and marks the reply answered', async () => {
    const res = await api(t, a).post('/v1/messages', { candidateId: ids.jane, text: 'Sure, 3pm Thursday works.' }).expect(202);
    expect(res.body).toEqual({ followUpId: expect.any(String), status: 'planned', channel: 'sms', goesOutAt: '2026-12-01T15:00:00.000Z' });
    const row = await withAdminDb(async (c) => (await c.query(`SELECT rule, status, body, recipient_candidate_id, owner_user_id FROM follow_ups WHERE tenant_id = $1 AND id = $2`, [a.tenantId, res.body.followUpId])).rows[0]);
    expect(row).toEqual({ rule: 'one_off', status: 'planned', body: 'Sure, 3pm Thursday works.', recipient_candidate_id: ids.jane, owner_user_id: a.userId });
    expect(twilio.messages).toHaveLength(0);
    const listed = await api(t, a).get(`/v1/follow-ups?rule=one_off&candidateId=${ids.jane}`).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: res.body.followUpId, rule: 'one_off', status: 'planned', body: 'Sure, 3pm Thursday works.' })]);
    await dispatcher.drain();
    expect(twilio.messages.map((m) => [m.To, m.Body?.startsWith('Sure, 3pm Thursday works.')])).toEqual([['+14155550123', true]]);
    const sent = await withAdminDb(async (c) => (await c.query(`SELECT status, channel, message_id FROM follow_ups WHERE tenant_id = $1 AND id = $2`, [a.tenantId, res.body.followUpId])).rows[0]);
    expect(sent).toMatchObject({ status: 'sent', channel: 'sms', message_id: expect.any(String) });
    const reply = await api(t, a).get(`/v1/messages/${ids.janeReply}`).expect(200);
    expect(reply.body.replyState).toBe('answered');
    expect(await openReplies()).toEqual([]);
  });

  it("an opted-out person's one-off SMS is refused with the reason, and nothing is written", async () => {
    await text('+14155550124', 'STOP');
    expect(mailTo(a.email)).toHaveLength(1); // a keyword the system handled is no reply to answer
    const before = await countRows('follow_ups', 'tenant_id = $1', [a.tenantId]);
    const named = await api(t, a).post('/v1/messages', { candidateId: ids.bob, channel: 'sms', text: 'Are you still looking?' });
    expect(named.status).toBe(422);
    expect(named.body.detail).toMatch(/opted out of SMS/);
    expect(named.body.errors).toEqual([{ field: 'channel', message: expect.stringMatching(/opted out of SMS/) }]);
    const matched = await api(t, a).post('/v1/messages', { candidateId: ids.bob, text: 'Are you still looking?' });
    expect(matched.status).toBe(422);
    expect(matched.body.detail).toMatch(/opted out of SMS; no email address/);
    expect(await countRows('follow_ups', 'tenant_id = $1', [a.tenantId])).toBe(before);
    await dispatcher.drain();
    expect(twilio.messages.filter((m) => m.To === '+14155550124')).toEqual([]);
  });

  it('a reply from someone without an owner reaches the admins; marking it handled takes it off the agenda', async () => {
    await text('+14155550124', 'who is this?');
    expect(mailTo(a.email).map((m) => m.subject)).toEqual(['Jane Doe replied', 'Bob Stopper replied']);
    const [reply] = await openReplies();
    expect(reply?.body).toBe('who is this?');
    expect((await openReplies('?owner=me'))).toEqual([]); // Bob is nobody's candidate
    const handled = await api(t, a).post(`/v1/messages/${reply!.id}/handled`).expect(200);
    expect(handled.body.replyState).toBe('handled');
    expect(await openReplies()).toEqual([]);
    await api(t, a).post(`/v1/messages/${reply!.id}/handled`).expect(200); // idempotent
    const outbound = (await api(t, a).get('/v1/messages?direction=out').expect(200)).body.items[0].id;
    const refused = await api(t, a).post(`/v1/messages/${outbound}/handled`);
    expect(refused.status).toBe(409);
    await api(t, a).post(`/v1/messages/${UNKNOWN_ID}/handled`).expect(404);
    await api(t, a).post(`/v1/messages/nope/handled`).expect(404);
  });

  it('owner=me narrows replies to answer; the firm and each user can turn the emails off', async () => {
    await text('+14155550123', 'One more thing');
    expect((await openReplies('?owner=me')).map((r) => r.body)).toEqual(['One more thing']);
    expect(mailTo(a.email)).toHaveLength(3);

    await api(t, a).put('/v1/me/notifications', { replyEmails: false }).expect(200);
    expect((await api(t, a).get('/v1/me/notifications').expect(200)).body).toEqual({ replyEmails: false });
    await text('+14155550123', 'Hello again');
    expect(mailTo(a.email)).toHaveLength(3);
    await api(t, a).put('/v1/me/notifications', { replyEmails: true }).expect(200);

    await api(t, a).put('/v1/settings/notifications', { replyEmails: false }).expect(200);
    expect((await api(t, a).get('/v1/settings/notifications').expect(200)).body).toEqual({ replyEmails: false });
    await text('+14155550123', 'Anyone there?');
    expect(mailTo(a.email)).toHaveLength(3);
    await api(t, a).put('/v1/settings/notifications', { replyEmails: true }).expect(200);
    await text('+14155550123', 'Back on');
    expect(mailTo(a.email)).toHaveLength(4);
    await api(t, a).put('/v1/settings/notifications', { replyEmails: 'no' }).expect(400);
  });

  it('a one-off email to a contact carries the subject and the recruiter’s text; outside the window it waits', async () => {
    const res = await api(t, a).post('/v1/messages', { contactId: ids.hank, subject: 'Jane, next steps', text: 'Hi Hank, Jane is free Thursday.' }).expect(202);
    expect(res.body.channel).toBe('email');
    await dispatcher.drain();
    const [mail] = mailTo('hank@globex.example');
    expect(mail?.subject).toBe('Jane, next steps');
    expect(mail?.text).toContain('Hi Hank, Jane is free Thursday.');

    clock.set('2026-12-02T03:00:00Z'); // 22:00 in New York: outside the SMS window
    const late = await api(t, a).post('/v1/messages', { candidateId: ids.jane, channel: 'sms', text: 'See you Thursday' }).expect(202);
    expect(late.body.goesOutAt).toBe('2026-12-02T13:00:00.000Z');
    const before = twilio.messages.length;
    await dispatcher.drain();
    expect(twilio.messages).toHaveLength(before);
    clock.set('2026-12-02T13:00:30Z');
    await dispatcher.drain();
    expect(twilio.messages.slice(before).map((m) => m.To)).toEqual(['+14155550123']);
  });

  it('GraphQL: sendMessage, markReplyHandled and agenda.repliesToAnswer', async () => {
    await text('+14155550123', 'GraphQL reply');
    const q = await gql<{ agenda: { repliesToAnswer: { id: string; body: string }[] } }>(t, a.token, `{ agenda(owner: me) { repliesToAnswer { id body replyState } } }`);
    expect(q.errors).toBeUndefined();
    const reply = q.data!.agenda.repliesToAnswer.find((r) => r.body === 'GraphQL reply')!;
    const h = await gql<{ markReplyHandled: { replyState: string } }>(t, a.token, `mutation($id: ID!) { markReplyHandled(id: $id) { replyState } }`, { id: reply.id });
    expect(h.data?.markReplyHandled.replyState).toBe('handled');
    const s = await gql<{ sendMessage: { channel: string; status: string } }>(t, a.token, `mutation($c: ID!) { sendMessage(input: { candidateId: $c, text: "Thanks!" }) { followUpId channel status goesOutAt } }`, { c: ids.jane });
    expect(s.errors).toBeUndefined();
    expect(s.data?.sendMessage).toMatchObject({ channel: 'sms', status: 'planned' });
    const refused = await gql(t, a.token, `mutation($c: ID!) { sendMessage(input: { candidateId: $c, channel: sms, text: "x" }) { followUpId } }`, { c: ids.bob });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNPROCESSABLE');
    expect(refused.errors?.[0]?.message).toMatch(/opted out of SMS/);
  });

  describe('bad input: 4xx naming the field, nothing written', () => {
    const cases: [string, () => Record<string, unknown>, number, string][] = [
      ['no person', () => ({ text: 'x' }), 400, 'candidateId'],
      ['both people', () => ({ candidateId: ids.jane, contactId: ids.hank, text: 'x' }), 400, 'contactId'],
      ['unknown candidate', () => ({ candidateId: UNKNOWN_ID, text: 'x' }), 400, 'candidateId'],
      ['not a uuid', () => ({ contactId: 'nope', text: 'x' }), 400, 'contactId'],
      ['no text', () => ({ candidateId: ids.jane }), 400, 'text'],
      ['blank text', () => ({ candidateId: ids.jane, text: '   ' }), 400, 'text'],
      ['bad channel', () => ({ candidateId: ids.jane, channel: 'fax', text: 'x' }), 400, 'channel'],
      ['an SMS too long', () => ({ candidateId: ids.jane, channel: 'sms', text: 'x'.repeat(1601) }), 400, 'text'],
      ['email with no address', () => ({ candidateId: ids.bob, channel: 'email', text: 'x' }), 422, 'channel'],
      ['a tenantId in the body', () => ({ candidateId: ids.jane, text: 'x', tenantId: UNKNOWN_ID }), 400, 'tenantId'],
    ];
    it.each(cases)('%s', async (_name, body, status, field) => {
      const before = await countRows('follow_ups', 'tenant_id = $1', [a.tenantId]);
      const res = await api(t, a).post('/v1/messages', body());
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).toContain(field);
      expect(await countRows('follow_ups', 'tenant_id = $1', [a.tenantId])).toBe(before);
    });
  });

  it('cross-tenant: another firm cannot message our people, see or handle our replies (REST and GraphQL)', async () => {
    const b = await signup(t);
    const y = api(t, b);
    const before = await countRows('follow_ups');
    const sent = await y.post('/v1/messages', { candidateId: ids.jane, text: 'hi' });
    expect(sent.status).toBe(400);
    expect(JSON.stringify(sent.body)).toContain('candidateId');
    await y.post(`/v1/messages/${ids.janeReply}/handled`).expect(404);
    expect((await y.get('/v1/agenda').expect(200)).body.repliesToAnswer).toEqual([]);
    const g = await gql(t, b.token, `mutation($c: ID!) { sendMessage(input: { candidateId: $c, text: "hi" }) { followUpId } }`, { c: ids.jane });
    expect(g.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const gh = await gql(t, b.token, `mutation($id: ID!) { markReplyHandled(id: $id) { id } }`, { id: ids.janeReply });
    expect(gh.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await countRows('follow_ups')).toBe(before);
    await y.put('/v1/settings/notifications', { replyEmails: false }).expect(200);
    expect((await api(t, a).get('/v1/settings/notifications').expect(200)).body).toEqual({ replyEmails: true });
  });
});
