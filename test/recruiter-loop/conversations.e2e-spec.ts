import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { inboundSms, postTwilio, PUBLIC_URL } from '../messaging/messaging-support';
import { api } from '../pipeline/pipeline-support';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, countRows, createApiKey, gql, signup, SignedUp, TestApp, useIsolatedDatabase } from '../support/test-app';

/**
 * The inbox (GET /v1/conversations, GraphQL conversations / conversation): one conversation per
 * person with SMS and email in one thread and the automated follow-ups inline, unanswered first;
 * what a reply would do now, and why not for an opted-out person. Cross-tenant and bad inputs.
 */
useIsolatedDatabase();

describe('conversations', () => {
  const smtp = new SmtpTestServer();
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock('2026-12-01T15:00:00Z'); // Tuesday 10:00 in New York
  const ACCOUNT = 'AC' + 'd4'.repeat(16);
  const TOKEN = 'conversations-auth-token-0123';
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  const ids: Record<string, string> = {};

  const text = (who: SignedUp, from: string, body: string) =>
    postTwilio(t, `/v1/webhooks/twilio/${who.webhookKey}/inbound`, inboundSms({ From: from, To: '+14155550100', Body: body, AccountSid: ACCOUNT }), TOKEN).expect(200);

  const CONVERSATION = `query($personType: PersonType!, $personId: ID!) { conversation(personType: $personType, personId: $personId) {
    person { type id name phone } openReplies earlierMessages reply { channel to blockedReason } consent { sms { status source } }
    messages { direction channel body rule automated authorName replyState } upcoming { id rule status } } }`;

  beforeAll(async () => {
    const smtpUrl = (await smtp.start()).url;
    const twilioUrl = (await twilio.start()).url;
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', SMTP_URL: smtpUrl, TWILIO_API_URL: twilioUrl, PUBLIC_URL } });
    a = await signup(t, { firmName: 'Acme Staffing', name: 'Pat Recruiter', timeZone: 'America/New_York' });
    b = await signup(t, { firmName: 'Other Firm', timeZone: 'America/New_York' });
    for (const who of [a, b]) {
      await api(t, who).put('/v1/settings/senders', { twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, twilioFrom: '+14155550100', emailFromAddress: 'pat@acme.example' }).expect(200);
    }
    const x = api(t, a);
    ids.jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', phone: '+14155550123', status: 'inactive' }).expect(201)).body.id;
    ids.bob = (await x.post('/v1/candidates', { name: 'Bob Stopper', phone: '+14155550124', status: 'inactive' }).expect(201)).body.id;
    ids.hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example' }).expect(201)).body.id;
    ids.lead = (await x.post('/v1/leads', { candidateId: ids.jane, company: 'Globex', position: 'Designer', employerContactId: ids.hank, status: 'interviewing' }).expect(201)).body.id;
    // An automated email to Hank (offer thank-you, due now), sent by the dispatcher.
    await x.post(`/v1/leads/${ids.lead}/status`, { status: 'offer' }).expect(200);
    await t.app.get(DispatcherService).drain();
    clock.advance(60_000);
    await text(a, '+14155550123', 'Can we move Thursday to 3pm?');
    clock.advance(60_000);
    await text(a, '+14155550124', 'Who is this?');
    clock.advance(60_000);
    await text(a, '+14155550124', 'STOP');
    ids.bCandidate = (await api(t, b).post('/v1/candidates', { name: 'Tenant B Person', phone: '+14155550199', status: 'inactive' }).expect(201)).body.id;
    await text(b, '+14155550199', 'Hello B');
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await twilio.stop();
  });

  it('lists one conversation per person by name, unanswered first (longest waiting first), then the most recent', async () => {
    const res = await api(t, a).get('/v1/conversations').expect(200);
    expect(res.body.items.map((c: { person: { name: string }; openReplies: number }) => [c.person.name, c.openReplies])).toEqual([
      ['Jane Doe', 1],
      ['Bob Stopper', 1], // "Who is this?" is open; STOP was handled by the system
      ['Hank Hiring', 0],
    ]);
    expect(res.body.items[2]).toMatchObject({ person: { type: 'contact', id: ids.hank, email: 'hank@globex.example' }, lastMessage: { direction: 'out', channel: 'email', rule: 'offer_thank_you' } });
    expect(res.body.nextCursor).toBeNull();
    // Paging walks the same order without gaps or repeats.
    const first = await api(t, a).get('/v1/conversations?limit=1').expect(200);
    const second = await api(t, a).get(`/v1/conversations?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect([...first.body.items, ...second.body.items].map((c: { person: { id: string } }) => c.person.id)).toEqual([ids.jane, ids.bob, ids.hank]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("a thread holds both channels with the automated follow-ups inline, and says how a reply would go", async () => {
    const hank = await api(t, a).get(`/v1/conversations/contact/${ids.hank}`).expect(200);
    expect(hank.body.messages).toEqual([expect.objectContaining({ direction: 'out', channel: 'email', rule: 'offer_thank_you', automated: true })]);
    expect(hank.body.reply).toEqual({ channel: 'email', to: 'hank@globex.example', blockedReason: null });

    const jane = await gql(t, a.token, CONVERSATION, { personType: 'candidate', personId: ids.jane });
    expect(jane.errors).toBeUndefined();
    expect(jane.data).toMatchObject({
      conversation: {
        person: { name: 'Jane Doe', phone: '+14155550123' },
        openReplies: 1,
        earlierMessages: false,
        reply: { channel: 'sms', to: '+14155550123', blockedReason: null },
        messages: [{ direction: 'in', channel: 'sms', body: 'Can we move Thursday to 3pm?', automated: false, replyState: 'open' }],
      },
    });
    // The answer goes through POST /v1/messages and shows in the thread as the recruiter's.
    await api(t, a).post('/v1/messages', { candidateId: ids.jane, text: 'Sure, 3pm works.' }).expect(202);
    await t.app.get(DispatcherService).drain();
    const after = await api(t, a).get(`/v1/conversations/candidate/${ids.jane}`).expect(200);
    expect(after.body.messages.map((m: { direction: string; body: string; rule: string | null; authorName: string | null; replyState: string | null }) => [m.direction, m.rule, m.authorName, m.replyState])).toEqual([
      ['in', null, null, 'answered'],
      ['out', 'one_off', 'Pat Recruiter', null],
    ]);
    expect(after.body.openReplies).toBe(0);
  });

  it('an opted-out person with no other channel cannot be answered, and the conversation says why', async () => {
    const res = await api(t, a).get(`/v1/conversations/candidate/${ids.bob}`).expect(200);
    expect(res.body.reply).toEqual({ channel: null, to: null, blockedReason: 'opted out of SMS; no email address' });
    expect(res.body.consent.sms).toMatchObject({ status: 'opted_out', source: 'keyword' });
    await api(t, a).post('/v1/messages', { candidateId: ids.bob, text: 'Sorry to bother you' }).expect(422);
  });

  it('needs messages:read: an API key without it is refused, one with it reads', async () => {
    const without = await createApiKey(t, a, ['candidates:read']);
    const res = await request(t.http).get('/v1/conversations').set('Authorization', `Bearer ${without.secret}`).expect(403);
    expect(res.body.detail).toMatch(/messages:read/);
    const gq = await gql(t, without.secret, '{ conversations { nodes { person { name } } } }');
    expect(gq.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const withScope = await createApiKey(t, a, ['messages:read']);
    const ok = await request(t.http).get('/v1/conversations').set('Authorization', `Bearer ${withScope.secret}`).expect(200);
    expect(ok.body.items).toHaveLength(3);
  });

  it("cross-tenant: B never sees A's conversations, and A's people answer 404 over REST and GraphQL", async () => {
    const list = await api(t, b).get('/v1/conversations').expect(200);
    expect(list.body.items.map((c: { person: { name: string } }) => c.person.name)).toEqual(['Tenant B Person']);
    const gList = await gql<{ conversations: { nodes: { person: { name: string } }[] } }>(t, b.token, '{ conversations { nodes { person { name } } } }');
    expect(gList.data?.conversations.nodes.map((n) => n.person.name)).toEqual(['Tenant B Person']);
    const missing = await api(t, b).get('/v1/conversations/candidate/00000000-0000-4000-8000-000000000000').expect(404);
    for (const [type, id] of [['candidate', ids.jane], ['contact', ids.hank]] as const) {
      const res = await api(t, b).get(`/v1/conversations/${type}/${id}`).expect(404);
      expect(res.body.code).toBe(missing.body.code);
      const g = await gql(t, b.token, CONVERSATION, { personType: type, personId: id });
      expect(g.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(g.data).toBeNull();
    }
    // A's type/id mixed up is a 404 too (Jane is not a contact).
    await api(t, a).get(`/v1/conversations/contact/${ids.jane}`).expect(404);
  });

  it.each([
    ['personType not a person kind', 'personType', '/v1/conversations/user/00000000-0000-4000-8000-000000000000'],
    ['personId not a UUID', 'personId', '/v1/conversations/candidate/not-a-uuid'],
    ['limit over 100', 'limit', '/v1/conversations?limit=101'],
    ['limit not a number', 'limit', '/v1/conversations?limit=ten'],
    ['limit zero', 'limit', '/v1/conversations?limit=0'],
    ['cursor not ours', 'cursor', '/v1/conversations?cursor=bm90LWEtY3Vyc29y'],
    ['cursor oversize', 'cursor', `/v1/conversations?cursor=${'x'.repeat(501)}`],
    ['unknown query field', 'tenantId', '/v1/conversations?tenantId=00000000-0000-4000-8000-000000000000'],
  ])('REST bad input: %s → 400 naming %s, nothing written', async (_name, field, path) => {
    const before = await countRows('messages');
    const res = await api(t, a).get(path).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await countRows('messages')).toBe(before);
  });

  it.each([
    ['personType wrong', { personType: 'user', personId: '00000000-0000-4000-8000-000000000000' }, 'personType'],
    ['personId not a UUID', { personType: 'candidate', personId: 'nope' }, 'personId'],
    ['personType null', { personType: null, personId: '00000000-0000-4000-8000-000000000000' }, null],
    ['personType a number', { personType: 7, personId: '00000000-0000-4000-8000-000000000000' }, null],
  ])('GraphQL bad input: %s → a 4xx error naming the field', async (_name, variables, field) => {
    const res = await gql(t, a.token, CONVERSATION, variables);
    expect(res.data ?? null).toBeNull();
    const e = res.errors?.[0];
    expect(e?.extensions?.code).toMatch(/VALIDATION_FAILED|BAD_USER_INPUT/);
    if (field) expect(JSON.stringify(e)).toContain(field);
    else expect(e?.message).toMatch(/personType/);
  });

  it('GraphQL paging: first over 100 is refused naming first', async () => {
    const res = await gql(t, a.token, '{ conversations(first: 101) { nodes { person { name } } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.errors?.[0])).toContain('first');
  });
});
