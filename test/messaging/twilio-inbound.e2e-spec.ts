import request from 'supertest';
import { bootTestApp, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import {
  accountSid,
  api,
  authToken,
  consentOf,
  createCandidate,
  createContact,
  engagementOf,
  EventLog,
  fixtureForm,
  inboundSms,
  messagesOf,
  phone,
  postTwilio,
  PUBLIC_URL,
  serviceSid,
  twilioSid,
  twilioSignature,
  useOwnTwilio,
} from './messaging-support';

const PLATFORM = { sid: accountSid(), token: authToken(), service: serviceSid() };

describe('inbound SMS webhook (POST /v1/webhooks/twilio/:tenantKey/inbound)', () => {
  let t: TestApp;
  let log: EventLog;

  beforeAll(async () => {
    t = await bootTestApp({
      env: {
        SCHEDULER: 'off',
        PUBLIC_URL,
        TWILIO_ACCOUNT_SID: PLATFORM.sid,
        TWILIO_AUTH_TOKEN: PLATFORM.token,
        TWILIO_MESSAGING_SERVICE_SID: PLATFORM.service,
      },
    });
    log = new EventLog(t);
  });
  afterAll(async () => {
    log.close();
    await t.close();
  });

  /** A tenant with its own Twilio account and one candidate with a phone. */
  async function tenantWithCandidate(firmName?: string): Promise<{ a: SignedUp; token: string; candidateId: string; from: string }> {
    const a = await signup(t, firmName ? { firmName } : {});
    const token = authToken();
    await useOwnTwilio(t, a, { accountSid: accountSid(), authToken: token, messagingServiceSid: serviceSid() });
    const from = phone();
    const candidateId = await createCandidate(t, a, { phone: from, email: `zoe.${Date.now()}@example.org` });
    return { a, token, candidateId, from };
  }

  const inboundPath = (a: SignedUp): string => `/v1/webhooks/twilio/${a.webhookKey}/inbound`;

  it('records a reply from a candidate, signed exactly as Twilio signs, and answers empty TwiML', async () => {
    const { a, token, candidateId, from } = await tenantWithCandidate();
    const params = inboundSms({ From: from, Body: 'Yes, I will be there. Thanks!' });

    const res = await postTwilio(t, inboundPath(a), params, token);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toMatch(/<Response\/>$/);
    const rows = await messagesOf(a.tenantId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      candidate_id: candidateId,
      contact_id: null,
      direction: 'in',
      channel: 'sms',
      status: 'received',
      provider: 'twilio',
      provider_id: params.MessageSid,
      from_address: from,
      to_address: params.To,
      body: 'Yes, I will be there. Thanks!',
      reply_state: 'open',
      matched: true,
    });
    expect(await engagementOf(a.tenantId, { type: 'candidate', id: candidateId })).toMatchObject({ last_inbound_channel: 'sms' });
    const events = log.of(a.tenantId, 'message.received');
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      messageId: rows[0]!.id,
      person: { type: 'candidate', id: candidateId },
      channel: 'sms',
      keyword: null,
      confirmation: false,
      from,
    });
    // and it is on the person's messages
    const listed = await api(t, a).get(`/v1/messages?candidateId=${candidateId}`).expect(200);
    expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([rows[0]!.id]);
  });

  it('matches a contact too, and keeps an unknown sender as an unmatched message', async () => {
    const { a, token } = await tenantWithCandidate();
    const contactPhone = phone();
    const contactId = await createContact(t, a, { phone: contactPhone });
    await postTwilio(t, inboundPath(a), inboundSms({ From: contactPhone, Body: 'Got it' }), token).expect(200);
    await postTwilio(t, inboundPath(a), inboundSms({ From: '+14155550111', Body: 'Who is this?' }), token).expect(200);

    const rows = await messagesOf(a.tenantId);
    expect(rows.map((r) => [r.contact_id, r.candidate_id, r.matched, r.from_address])).toEqual([
      [contactId, null, true, contactPhone],
      [null, null, false, '+14155550111'],
    ]);
    const unmatched = log.of(a.tenantId, 'message.received').find((e) => e.payload.messageId === rows[1]!.id);
    expect(unmatched?.payload).toMatchObject({ person: null, channel: 'sms' });
  });

  it('a duplicate MessageSid is stored once, also when 5 copies arrive at the same time', async () => {
    const { a, token, from } = await tenantWithCandidate();
    const params = inboundSms({ From: from, Body: 'Running 5 minutes late' });
    await postTwilio(t, inboundPath(a), params, token).expect(200);
    await postTwilio(t, inboundPath(a), params, token).expect(200);

    const burst = inboundSms({ From: from, Body: 'Sorry, sent twice?' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => postTwilio(t, inboundPath(a), burst, token)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);

    const rows = await messagesOf(a.tenantId);
    expect(rows.map((r) => r.provider_id).sort()).toEqual([params.MessageSid, burst.MessageSid].sort());
    expect(log.of(a.tenantId, 'message.received')).toHaveLength(2);
  });

  it('a bad signature is 403 and a missing one 400; nothing is written either way', async () => {
    const { a, token, from } = await tenantWithCandidate();
    const params = inboundSms({ From: from, Body: 'STOP' });

    const bad = await postTwilio(t, inboundPath(a), params, 'not-the-token');
    expect(bad.status).toBe(403);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    const tampered = await postTwilio(t, inboundPath(a), params, token, {
      signature: twilioSignature(token, inboundPath(a), { ...params, Body: 'Hi' }),
    });
    expect(tampered.status).toBe(403);
    const missing = await postTwilio(t, inboundPath(a), params, token, { signature: null });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/X-Twilio-Signature/);
    const empty = await postTwilio(t, inboundPath(a), params, token, { signature: '' });
    expect(empty.status).toBe(400);
    // signed for another tenant's key: the URL differs, so the signature does not match
    const b = await signup(t);
    const forB = await postTwilio(t, inboundPath(b), params, token, { signature: twilioSignature(token, inboundPath(a), params) });
    expect(forB.status).toBe(403);

    expect(await messagesOf(a.tenantId)).toHaveLength(0);
    expect(await messagesOf(b.tenantId)).toHaveLength(0);
    expect(await withAdminDb(async (c) => (await c.query('SELECT count(*)::int AS n FROM consents WHERE tenant_id = $1', [a.tenantId])).rows[0].n)).toBe(0);
    expect(log.of(a.tenantId)).toEqual(log.of(a.tenantId).filter((e) => !e.type.startsWith('message.') && !e.type.startsWith('consent.')));
  });

  it('the signature is checked against PUBLIC_URL (https) although the app listens on http', async () => {
    const { a, token, from } = await tenantWithCandidate();
    const params = inboundSms({ From: from, Body: 'ok' });
    // signed for the local http URL the request really reached: refused
    const local = await postTwilio(t, inboundPath(a), params, token, { publicUrl: 'http://127.0.0.1' });
    expect(local.status).toBe(403);
    // signed for the public https URL (with or without :443): accepted
    await postTwilio(t, inboundPath(a), params, token, { publicUrl: 'https://touchpoint.example.com:443' }).expect(200);
    expect(await messagesOf(a.tenantId)).toHaveLength(1);
  });

  it.each([
    ['no MessageSid', { From: '+14155550123', Body: 'hi' }],
    ['a MessageSid that is not a Twilio SID', { MessageSid: "x'; DROP TABLE messages; --", From: '+14155550123', Body: 'hi' }],
    ['no parameters at all', {}],
  ])('a correctly signed post with %s answers empty TwiML and records nothing', async (_name, params) => {
    const { a, token } = await tenantWithCandidate();
    const res = await postTwilio(t, inboundPath(a), params as Record<string, string>, token).expect(200);
    expect(res.text).toMatch(/<Response\/>$/);
    expect(await messagesOf(a.tenantId)).toHaveLength(0);
  });

  it('an unknown tenant key is 404 and records nothing', async () => {
    const res = await postTwilio(t, '/v1/webhooks/twilio/tk_doesnotexist/inbound', inboundSms({ Body: 'hi' }), PLATFORM.token);
    expect(res.status).toBe(404);
  });

  it('a tenant without its own account is verified with the platform token', async () => {
    const a = await signup(t);
    const from = phone();
    const candidateId = await createCandidate(t, a, { phone: from });
    await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: 'hello' }), PLATFORM.token).expect(200);
    const other = await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: 'hello' }), authToken());
    expect(other.status).toBe(403);
    expect((await messagesOf(a.tenantId)).map((r) => r.candidate_id)).toEqual([candidateId]);
  });

  it('a firm with its own account no longer accepts the platform account’s signature for an inbound message (see twilio-account-trust)', async () => {
    const { a, from } = await tenantWithCandidate();
    await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: 'hello' }), PLATFORM.token).expect(403);
    expect(await messagesOf(a.tenantId)).toHaveLength(0);
  });

  it('a number that exists in two tenants is routed by the URL’s tenant', async () => {
    const shared = phone();
    const a = await tenantWithCandidate();
    const b = await tenantWithCandidate();
    const inA = await createCandidate(t, a.a, { phone: shared, name: 'Ana in A' });
    const inB = await createCandidate(t, b.a, { phone: shared, name: 'Ana in B' });

    await postTwilio(t, inboundPath(b.a), inboundSms({ From: shared, Body: 'STOP' }), b.token).expect(200);

    expect((await messagesOf(b.a.tenantId)).map((r) => r.candidate_id)).toEqual([inB]);
    expect(await messagesOf(a.a.tenantId)).toHaveLength(0);
    expect(await consentOf(b.a.tenantId, { type: 'candidate', id: inB }, 'sms')).toEqual({ status: 'opted_out', source: 'keyword' });
    expect(await consentOf(a.a.tenantId, { type: 'candidate', id: inA }, 'sms')).toBeUndefined();
  });

  it('tolerates parameters Twilio adds later, and the fixture’s STOP with OptOutType', async () => {
    const { a, token, from, candidateId } = await tenantWithCandidate();
    const sid = twilioSid();
    const params = { ...fixtureForm('inbound-stop.form'), From: from, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid, AddOns: '{"status":"successful"}', NewParam2027: 'x' };
    await postTwilio(t, inboundPath(a), params, token).expect(200);
    expect(await consentOf(a.tenantId, { type: 'candidate', id: candidateId }, 'sms')).toEqual({ status: 'opted_out', source: 'keyword' });
  });

  describe('keywords (the whole message, any case, padded)', () => {
    const variants = (word: string): string[] => [word.toUpperCase(), word.toLowerCase(), `  ${word[0]!.toUpperCase()}${word.slice(1).toLowerCase()}\n`];

    it.each(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL'])('%s opts out of SMS only, then START opts back in', async (word) => {
      const { a, token, from, candidateId } = await tenantWithCandidate();
      const person = { type: 'candidate' as const, id: candidateId };
      for (const body of variants(word)) {
        await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: body }), token).expect(200);
        expect(await consentOf(a.tenantId, person, 'sms')).toEqual({ status: 'opted_out', source: 'keyword' });
        expect(await consentOf(a.tenantId, person, 'email')).toBeUndefined();
        await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: 'start' }), token).expect(200);
        expect(await consentOf(a.tenantId, person, 'sms')).toEqual({ status: 'opted_in', source: 'keyword' });
      }
      const received = log.of(a.tenantId, 'message.received').map((e) => e.payload.keyword);
      expect(received).toEqual(['opt_out', 'opt_in', 'opt_out', 'opt_in', 'opt_out', 'opt_in']);
      const changes = log.of(a.tenantId, 'consent.changed').map((e) => [e.payload.channel, e.payload.status, e.payload.source]);
      expect(changes).toEqual([
        ['sms', 'opted_out', 'keyword'],
        ['sms', 'opted_in', 'keyword'],
        ['sms', 'opted_out', 'keyword'],
        ['sms', 'opted_in', 'keyword'],
        ['sms', 'opted_out', 'keyword'],
        ['sms', 'opted_in', 'keyword'],
      ]);
      const rows = await messagesOf(a.tenantId);
      expect(rows).toHaveLength(6);
      expect(new Set(rows.map((r) => r.reply_state))).toEqual(new Set(['handled']));
    });

    it.each(['START', 'UNSTOP', 'YES'])('%s from an opted-out person opts them back in', async (word) => {
      const { a, token, from, candidateId } = await tenantWithCandidate();
      const person = { type: 'candidate' as const, id: candidateId };
      for (const body of variants(word)) {
        await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: 'STOP' }), token).expect(200);
        await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: body }), token).expect(200);
        expect(await consentOf(a.tenantId, person, 'sms')).toEqual({ status: 'opted_in', source: 'keyword' });
      }
      expect(log.of(a.tenantId, 'message.received').map((e) => e.payload.keyword)).toEqual(['opt_out', 'opt_in', 'opt_out', 'opt_in', 'opt_out', 'opt_in']);
    });

    it.each(['HELP', 'INFO'])('%s gets the firm’s name and how to opt out, and changes no consent', async (word) => {
      const { a, token, from } = await tenantWithCandidate('Acme & Sons Staffing');
      for (const body of variants(word)) {
        const res = await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: body }), token).expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/xml/);
        expect(res.text).toContain('<Response><Message>Acme &amp; Sons Staffing');
        expect(res.text).toMatch(/Reply STOP to opt out/);
        expect(res.text).toMatch(/<\/Message><\/Response>$/);
      }
      expect(log.of(a.tenantId, 'message.received').map((e) => e.payload.keyword)).toEqual(['help', 'help', 'help']);
      expect(log.of(a.tenantId, 'consent.changed')).toHaveLength(0);
    });

    it.each(['YES', 'Y', 'C', 'CONFIRM'])('%s from a person who is not opted out is recorded as a confirmation', async (word) => {
      const { a, token, from, candidateId } = await tenantWithCandidate();
      for (const body of variants(word)) {
        const res = await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: body }), token).expect(200);
        expect(res.text).toMatch(/<Response\/>$/);
      }
      const events = log.of(a.tenantId, 'message.received');
      expect(events.map((e) => [e.payload.keyword, e.payload.confirmation])).toEqual([
        ['confirm', true],
        ['confirm', true],
        ['confirm', true],
      ]);
      expect(events[0]!.payload.person).toEqual({ type: 'candidate', id: candidateId });
      expect((await messagesOf(a.tenantId)).map((r) => r.reply_state)).toEqual(['open', 'open', 'open']);
      expect(log.of(a.tenantId, 'consent.changed')).toHaveLength(0);
    });

    it.each(['please stop texting me', 'STOP.', 'yes please', 'Stop it', 'help me find a job'])('"%s" is not a keyword: kept as a reply for the recruiter', async (body) => {
      const { a, token, from, candidateId } = await tenantWithCandidate();
      const res = await postTwilio(t, inboundPath(a), inboundSms({ From: from, Body: body }), token).expect(200);
      expect(res.text).toMatch(/<Response\/>$/);
      const rows = await messagesOf(a.tenantId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ body, reply_state: 'open', candidate_id: candidateId });
      expect(log.of(a.tenantId, 'message.received')[0]!.payload).toMatchObject({ keyword: null, confirmation: false });
      expect(await consentOf(a.tenantId, { type: 'candidate', id: candidateId }, 'sms')).toBeUndefined();
    });
  });

  it('refuses a JSON body on the other routes (form posts only under /v1/webhooks/ and /v1/unsubscribe/)', async () => {
    const a = await signup(t);
    const res = await request(t.http)
      .post('/v1/candidates')
      .set('Authorization', `Bearer ${a.token}`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('name=Mallory');
    expect(res.status).toBe(415);
  });
});
