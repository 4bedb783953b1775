import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp, useIsolatedDatabase } from '../support/test-app';
import { inboundSms, postTwilio, PUBLIC_URL } from '../messaging/messaging-support';
import { api } from '../pipeline/pipeline-support';

/**
 * "Find their own work": owner=me narrows the agenda's tasks and replies to answer to the
 * caller's own people; without it (admins and recruiters alike) the whole firm's agenda shows.
 * Each reply notifies its own recruiter.
 */
useIsolatedDatabase();

describe('the agenda, narrowed to one recruiter', () => {
  const smtp = new SmtpTestServer();
  const clock = new ManualClock('2026-12-01T15:00:00Z');
  const ACCOUNT = 'AC' + 'd4'.repeat(16);
  const TOKEN = 'owner-auth-token-0123456789';
  let t: TestApp;
  let admin: SignedUp;
  let rita: { token: string; userId: string; email: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', SMTP_URL: (await smtp.start()).url, PUBLIC_URL } });
    admin = await signup(t, { name: 'Pat Admin', timeZone: 'America/New_York' });
    await api(t, admin).put('/v1/settings/senders', { twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, twilioFrom: '+14155550100' }).expect(200);
    const email = `rita.${Date.now()}@example.com`;
    const inv = await api(t, admin).post('/v1/users', { email, name: 'Rita Recruiter', role: 'recruiter' }).expect(201);
    const acc = await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: inv.body.inviteToken, password: 'a long and unusual passphrase' }).expect(200);
    rita = { token: acc.body.accessToken, userId: inv.body.user.id, email };
    const x = api(t, admin);
    ids.jane = (await x.post('/v1/candidates', { name: 'Jane Rita', phone: '+14155550131', status: 'inactive', ownerUserId: rita.userId }).expect(201)).body.id;
    ids.joe = (await x.post('/v1/candidates', { name: 'Joe Pat', phone: '+14155550132', status: 'inactive', ownerUserId: admin.userId }).expect(201)).body.id;
    for (const [who, company] of [['jane', 'Globex'], ['joe', 'Initech']] as const) {
      const lead = (await x.post('/v1/leads', { candidateId: ids[who], company, position: 'Analyst', source: 'direct' }).expect(201)).body.id;
      await x.post(`/v1/leads/${lead}/status`, { status: 'applied' }).expect(200); // no employer contact: a task for the owner
    }
    for (const from of ['+14155550131', '+14155550132']) {
      await postTwilio(t, `/v1/webhooks/twilio/${admin.webhookKey}/inbound`, inboundSms({ From: from, To: '+14155550100', Body: `hello from ${from}`, AccountSid: ACCOUNT }), TOKEN).expect(200);
    }
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  type Agenda = { tasks: { candidateId: string }[]; repliesToAnswer: { person: { id: string } }[] };
  const agenda = async (token: string, query = ''): Promise<Agenda> => (await api(t, token).get(`/v1/agenda${query}`).expect(200)).body as Agenda;
  const people = (a: Agenda) => ({ tasks: a.tasks.map((f) => f.candidateId).sort(), replies: a.repliesToAnswer.map((m) => m.person.id).sort() });

  it('each reply notified its own recruiter', () => {
    expect(smtp.messages.filter((m) => m.envelope.to.includes(rita.email)).map((m) => m.subject)).toEqual(['Jane Rita replied']);
    expect(smtp.messages.filter((m) => m.envelope.to.includes(admin.email)).map((m) => m.subject)).toEqual(['Joe Pat replied']);
  });

  it('owner=me narrows tasks and replies to answer, for a recruiter and an admin', async () => {
    expect(people(await agenda(rita.token, '?owner=me'))).toEqual({ tasks: [ids.jane], replies: [ids.jane] });
    expect(people(await agenda(admin.token, '?owner=me'))).toEqual({ tasks: [ids.joe], replies: [ids.joe] });
  });

  it('without it, everyone sees the firm’s whole agenda', async () => {
    const both = { tasks: [ids.jane, ids.joe].sort(), replies: [ids.jane, ids.joe].sort() };
    expect(people(await agenda(admin.token))).toEqual(both);
    expect(people(await agenda(rita.token))).toEqual(both);
  });

  it('GraphQL agenda(owner: me) narrows the same way; an API key cannot ask for "me"', async () => {
    const g = await gql<{ agenda: { tasks: { candidateId: string }[]; repliesToAnswer: { person: { id: string } }[] } }>(
      t,
      rita.token,
      `{ agenda(owner: me) { tasks { candidateId } repliesToAnswer { person { id } } } }`,
    );
    expect(g.errors).toBeUndefined();
    expect(people(g.data!.agenda)).toEqual({ tasks: [ids.jane], replies: [ids.jane] });
    const key = await createApiKey(t, admin, ['follow_ups:read']);
    await api(t, key.secret).get('/v1/agenda?owner=me').expect(400);
    await api(t, rita.token).get('/v1/agenda?owner=you').expect(400);
  });

  it('a recruiter cannot erase, nor turn the firm’s notifications off', async () => {
    await api(t, rita.token).post(`/v1/candidates/${ids.jane}/erase`).expect(403);
    await api(t, rita.token).put('/v1/settings/notifications', { replyEmails: false }).expect(403);
    await api(t, rita.token).put('/v1/me/notifications', { replyEmails: false }).expect(200);
  });

  it('notification settings: bad input is a 400 naming the field and changes nothing; an API key has no "me"; GraphQL works', async () => {
    for (const body of [{}, { replyEmails: 'yes' }, { replyEmails: null }, { replyEmails: true, tenantId: admin.tenantId }]) {
      const res = await api(t, admin).put('/v1/me/notifications', body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/replyEmails|tenantId/);
      const firm = await api(t, admin).put('/v1/settings/notifications', body);
      expect(firm.status).toBe(400);
    }
    expect((await api(t, admin).get('/v1/me/notifications').expect(200)).body).toEqual({ replyEmails: true });
    expect((await api(t, admin).get('/v1/settings/notifications').expect(200)).body).toEqual({ replyEmails: true });
    const key = await createApiKey(t, admin, ['me:read', 'settings:read']);
    await api(t, key.secret).get('/v1/me/notifications').expect(403);
    await api(t, key.secret).get('/v1/settings/notifications').expect(200);
    const g = await gql<{ updateMyNotificationSettings: { replyEmails: boolean }; }>(
      t,
      admin.token,
      `mutation { updateMyNotificationSettings(input: { replyEmails: false }) { replyEmails } }`,
    );
    expect(g.data?.updateMyNotificationSettings.replyEmails).toBe(false);
    const q = await gql<{ myNotificationSettings: { replyEmails: boolean }; notificationSettings: { replyEmails: boolean } }>(
      t,
      admin.token,
      `{ myNotificationSettings { replyEmails } notificationSettings { replyEmails } }`,
    );
    expect(q.data).toEqual({ myNotificationSettings: { replyEmails: false }, notificationSettings: { replyEmails: true } });
    const r = await gql(t, rita.token, `mutation { updateNotificationSettings(input: { replyEmails: false }) { replyEmails } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
