import { decryptSecret } from '../../src/common/crypto';
import { asTenantId } from '../../src/database/tenant-id';
import { ConsentService } from '../../src/messaging/consent/consent.service';
import { EngagementService } from '../../src/messaging/engagement.service';
import { MessagesService } from '../../src/messaging/messages.service';
import { bootTestApp, countRows, createApiKey, gql, signup, SignedUp, TestApp, TEST_ENCRYPTION_KEY, withAdminDb } from '../support/test-app';
import {
  accountSid,
  api,
  authToken,
  createCandidate,
  createContact,
  EventLog,
  inboundSms,
  messagesOf,
  phone,
  postTwilio,
  PUBLIC_URL,
  send,
  serviceSid,
  UNKNOWN_ID,
  useOwnTwilio,
} from './messaging-support';

const CONSENT_FIELDS = 'personType personId email { channel status source changedAt } sms { channel status source changedAt } history { channel status source messageId actorKind actorId at }';
const SENDER_FIELDS =
  'emailFromName emailFromAddress emailReplyTo twilioAccountSid twilioAuthTokenSet twilioAuthTokenLast4 twilioMessagingServiceSid twilioFrom inboundEmailSecretSet smsSender emailSender twilioInboundUrl twilioStatusUrl emailInboundUrl updatedAt';

describe('messaging APIs: sender settings, consent, messages', () => {
  let t: TestApp;
  let log: EventLog;

  beforeAll(async () => {
    t = await bootTestApp({ env: { SCHEDULER: 'off', PUBLIC_URL } });
    log = new EventLog(t);
  });
  afterAll(async () => {
    log.close();
    await t.close();
  });

  describe('/v1/settings/senders', () => {
    it('stores the Twilio auth token encrypted, and never returns it (only whether it is set and its last 4)', async () => {
      const a = await signup(t);
      const token = `${authToken()}WXYZ`;
      const sid = accountSid();
      const empty = await api(t, a).get('/v1/settings/senders').expect(200);
      expect(empty.body).toMatchObject({
        twilioAccountSid: null,
        twilioAuthTokenSet: false,
        inboundEmailSecretSet: false,
        smsSender: 'log',
        emailSender: 'log',
        twilioInboundUrl: `${PUBLIC_URL}/v1/webhooks/twilio/${a.webhookKey}/inbound`,
        emailInboundUrl: `${PUBLIC_URL}/v1/webhooks/email/${a.webhookKey}/inbound`,
      });

      const put = await api(t, a)
        .put('/v1/settings/senders', {
          emailFromName: 'Acme Staffing',
          emailFromAddress: 'recruiting@acme.example',
          emailReplyTo: 'replies@acme.example',
          twilioAccountSid: sid,
          twilioAuthToken: token,
          twilioFrom: '+1 415 555 0100',
          inboundEmailSecret: 'a-very-long-inbound-secret-123',
        })
        .expect(200);
      expect(put.body).toMatchObject({
        emailFromName: 'Acme Staffing',
        twilioAccountSid: sid,
        twilioAuthTokenSet: true,
        twilioAuthTokenLast4: 'WXYZ',
        twilioFrom: '+14155550100',
        inboundEmailSecretSet: true,
        smsSender: 'tenant',
      });
      const got = await api(t, a).get('/v1/settings/senders').expect(200);
      expect(got.body).toEqual(put.body);
      expect(JSON.stringify(got.body)).not.toContain(token);
      expect(JSON.stringify(got.body)).not.toContain('a-very-long-inbound-secret-123');

      const row = await withAdminDb(async (c) => (await c.query('SELECT * FROM tenant_senders WHERE tenant_id = $1', [a.tenantId])).rows[0]);
      expect(JSON.stringify(row)).not.toContain(token);
      expect(decryptSecret(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'), row.twilio_auth_token_encrypted)).toBe(token);
      expect(row.inbound_email_secret_hash).toMatch(/^[0-9a-f]{64}$/);

      // partial update keeps the rest; null clears
      const cleared = await api(t, a).put('/v1/settings/senders', { emailReplyTo: null }).expect(200);
      expect(cleared.body).toMatchObject({ emailReplyTo: null, emailFromName: 'Acme Staffing', twilioAuthTokenSet: true });
      expect(log.of(a.tenantId, 'settings.senders_updated').map((e) => e.payload.fields)).toEqual([
        expect.arrayContaining(['twilioAuthToken', 'inboundEmailSecret', 'twilioAccountSid']),
        ['emailReplyTo'],
      ]);
    });

    it.each([
      ['an account SID without token or sender', { twilioAccountSid: 'AC0123456789abcdef0123456789abcdef' }, 'twilioAuthToken'],
      ['a token without account', { twilioAuthToken: 'x'.repeat(32) }, 'twilioAccountSid'],
      ['a malformed account SID', { twilioAccountSid: 'AC123', twilioAuthToken: 'x'.repeat(32), twilioFrom: '+14155550100' }, 'twilioAccountSid'],
      ['a malformed service SID', { twilioMessagingServiceSid: 'XX0123456789abcdef0123456789abcdef' }, 'twilioMessagingServiceSid'],
      ['a bad from number', { twilioFrom: '555-0100' }, 'twilioFrom'],
      ['a bad email', { emailFromAddress: 'not-an-email' }, 'emailFromAddress'],
      ['a header injection in the name', { emailFromName: 'Acme\r\nBcc: victim@example.org' }, 'emailFromName'],
      ['a short inbound secret', { inboundEmailSecret: 'short' }, 'inboundEmailSecret'],
      ['a tenantId', { tenantId: UNKNOWN_ID }, 'tenantId'],
    ])('%s is a 400 naming the field, and nothing is written', async (_name, body, field) => {
      const a = await signup(t);
      const res = await api(t, a).put('/v1/settings/senders', body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await countRows('tenant_senders', 'tenant_id = $1', [a.tenantId])).toBe(0);
    });

    it('concurrent first PUTs all succeed and leave one row', async () => {
      const a = await signup(t);
      const names = ['A', 'B', 'C', 'D', 'E'];
      const answers = await Promise.all(names.map((n) => api(t, a).put('/v1/settings/senders', { emailFromName: `Firm ${n}` })));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await countRows('tenant_senders', 'tenant_id = $1', [a.tenantId])).toBe(1);
      const final = (await api(t, a).get('/v1/settings/senders').expect(200)).body.emailFromName as string;
      expect(names.map((n) => `Firm ${n}`)).toContain(final);
    });

    it('needs settings:write to change (403), settings:read to read', async () => {
      const a = await signup(t);
      const reader = await createApiKey(t, a, ['settings:read']);
      await api(t, reader.secret).get('/v1/settings/senders').expect(200);
      await api(t, reader.secret).put('/v1/settings/senders', { emailFromName: 'X' }).expect(403);
      const none = await createApiKey(t, a, ['messages:read']);
      await api(t, none.secret).get('/v1/settings/senders').expect(403);
      expect(await countRows('tenant_senders', 'tenant_id = $1', [a.tenantId])).toBe(0);
    });

    it('GraphQL: senderSettings and updateSenderSettings, each tenant sees only its own', async () => {
      const a = await signup(t);
      const b = await signup(t);
      const updated = await gql<{ updateSenderSettings: Record<string, unknown> }>(
        t,
        a.token,
        `mutation($input: UpdateSenderSettingsInput!) { updateSenderSettings(input: $input) { ${SENDER_FIELDS} } }`,
        { input: { emailFromName: 'Acme GraphQL', twilioAccountSid: accountSid(), twilioAuthToken: 'tok-0123456789-abcd', twilioMessagingServiceSid: serviceSid() } },
      );
      expect(updated.errors).toBeUndefined();
      expect(updated.data!.updateSenderSettings).toMatchObject({ emailFromName: 'Acme GraphQL', twilioAuthTokenSet: true, twilioAuthTokenLast4: 'abcd' });
      const ofB = await gql<{ senderSettings: Record<string, unknown> }>(t, b.token, `{ senderSettings { ${SENDER_FIELDS} } }`);
      expect(ofB.data!.senderSettings).toMatchObject({ emailFromName: null, twilioAuthTokenSet: false });
      const bad = await gql(t, a.token, `mutation($input: UpdateSenderSettingsInput!) { updateSenderSettings(input: $input) { emailFromName } }`, {
        input: { emailFromAddress: 'nope' },
      });
      expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
      const tenantArg = await gql(t, a.token, `mutation($input: UpdateSenderSettingsInput!) { updateSenderSettings(input: $input) { emailFromName } }`, {
        input: { tenantId: b.tenantId },
      });
      expect(tenantArg.errors).toBeDefined();
      expect((await api(t, b).get('/v1/settings/senders').expect(200)).body.emailFromName).toBeNull();
    });

    it('a firm’s own Twilio token replaces the platform one for webhook signatures', async () => {
      const a = await signup(t);
      const own = { accountSid: accountSid(), authToken: authToken(), messagingServiceSid: serviceSid() };
      await useOwnTwilio(t, a, own);
      const from = phone();
      await createCandidate(t, a, { phone: from });
      await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: from, Body: 'hi' }), own.authToken).expect(200);
      // no platform account in this app: a tenant without its own has nothing to verify with
      const b = await signup(t);
      expect((await postTwilio(t, `/v1/webhooks/twilio/${b.webhookKey}/inbound`, inboundSms({ From: from, Body: 'hi' }), own.authToken)).status).toBe(403);
      expect(await messagesOf(b.tenantId)).toHaveLength(0);
    });
  });

  describe('consent: /v1/candidates/:id/consent and /v1/contacts/:id/consent', () => {
    it('reads opted in by default, sets per channel with history, and emits consent.changed', async () => {
      const a = await signup(t);
      const id = await createCandidate(t, a, { email: 'c@example.org' });
      const initial = await api(t, a).get(`/v1/candidates/${id}/consent`).expect(200);
      expect(initial.body).toEqual({
        personType: 'candidate',
        personId: id,
        email: { channel: 'email', status: 'opted_in', source: null, changedAt: null },
        sms: { channel: 'sms', status: 'opted_in', source: null, changedAt: null },
        history: [],
      });

      const out = await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
      expect(out.body.email).toMatchObject({ status: 'opted_out', source: 'api' });
      expect(out.body.sms).toMatchObject({ status: 'opted_in', source: null });
      // the same again changes nothing
      await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
      const back = await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'email', status: 'opted_in' }).expect(200);
      expect(back.body.email).toMatchObject({ status: 'opted_in', source: 'api' });
      expect(back.body.history.map((h: { status: string; source: string; actorKind: string; actorId: string }) => [h.status, h.source, h.actorKind, h.actorId])).toEqual([
        ['opted_out', 'api', 'user', a.userId],
        ['opted_in', 'api', 'user', a.userId],
      ]);
      expect(log.of(a.tenantId, 'consent.changed').map((e) => e.payload)).toEqual([
        expect.objectContaining({ person: { type: 'candidate', id }, channel: 'email', status: 'opted_out', source: 'api' }),
        expect.objectContaining({ person: { type: 'candidate', id }, channel: 'email', status: 'opted_in', source: 'api' }),
      ]);
    });

    it('refuses (409) an API opt-in of someone who texted STOP; only START from them opts back in', async () => {
      const a = await signup(t);
      const own = { accountSid: accountSid(), authToken: authToken(), messagingServiceSid: serviceSid() };
      await useOwnTwilio(t, a, own);
      const from = phone();
      const id = await createContact(t, a, { phone: from });
      await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: from, Body: 'STOP' }), own.authToken).expect(200);

      const refused = await api(t, a).put(`/v1/contacts/${id}/consent`, { channel: 'sms', status: 'opted_in' }).expect(409);
      expect(refused.body.detail).toMatch(/only they can opt back in by texting START/);
      const state = await api(t, a).get(`/v1/contacts/${id}/consent`).expect(200);
      expect(state.body.sms).toMatchObject({ status: 'opted_out', source: 'keyword' });
      expect(state.body.history).toHaveLength(1);
      expect(state.body.history[0]).toMatchObject({ source: 'keyword', actorKind: 'system' });
      expect(state.body.history[0].messageId).toEqual((await messagesOf(a.tenantId))[0]!.id);

      // an API opt-out of email is fine, and so is an API opt-in after an API opt-out
      await api(t, a).put(`/v1/contacts/${id}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
      await api(t, a).put(`/v1/contacts/${id}/consent`, { channel: 'email', status: 'opted_in' }).expect(200);

      await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: from, Body: 'START' }), own.authToken).expect(200);
      expect((await api(t, a).get(`/v1/contacts/${id}/consent`).expect(200)).body.sms).toMatchObject({ status: 'opted_in', source: 'keyword' });
    });

    it.each([
      ['an unknown channel', { channel: 'fax', status: 'opted_out' }, 'channel'],
      ['an unknown status', { channel: 'sms', status: 'maybe' }, 'status'],
      ['a missing status', { channel: 'sms' }, 'status'],
      ['a source (the API sets it)', { channel: 'sms', status: 'opted_out', source: 'keyword' }, 'source'],
      ['a tenantId', { channel: 'sms', status: 'opted_out', tenantId: UNKNOWN_ID }, 'tenantId'],
    ])('%s is a 400 naming the field, and nothing is written', async (_name, body, field) => {
      const a = await signup(t);
      const id = await createCandidate(t, a, { email: 'x@example.org' });
      const res = await api(t, a).put(`/v1/candidates/${id}/consent`, body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await countRows('consents', 'tenant_id = $1', [a.tenantId])).toBe(0);
      expect(await countRows('consent_events', 'tenant_id = $1', [a.tenantId])).toBe(0);
    });

    it('an unknown, malformed or deleted person is 404; a candidate id on the contacts route is 404', async () => {
      const a = await signup(t);
      const id = await createCandidate(t, a, { email: 'x@example.org' });
      await api(t, a).get(`/v1/candidates/${UNKNOWN_ID}/consent`).expect(404);
      await api(t, a).get('/v1/candidates/not-a-uuid/consent').expect(404);
      await api(t, a).get(`/v1/contacts/${id}/consent`).expect(404);
      await api(t, a).put(`/v1/contacts/${id}/consent`, { channel: 'sms', status: 'opted_out' }).expect(404);
      await api(t, a).delete(`/v1/candidates/${id}`).expect(204);
      await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'sms', status: 'opted_out' }).expect(404);
      expect(await countRows('consents', 'tenant_id = $1', [a.tenantId])).toBe(0);
    });

    it('GraphQL: candidateConsent, contactConsent, setCandidateConsent, setContactConsent', async () => {
      const a = await signup(t);
      const candidateId = await createCandidate(t, a, { email: 'g@example.org' });
      const contactId = await createContact(t, a, { email: 'k@example.org' });
      const set = await gql<{ setContactConsent: { sms: { status: string; source: string } } }>(
        t,
        a.token,
        `mutation($id: ID!, $input: SetConsentInput!) { setContactConsent(id: $id, input: $input) { ${CONSENT_FIELDS} } }`,
        { id: contactId, input: { channel: 'sms', status: 'opted_out' } },
      );
      expect(set.errors).toBeUndefined();
      expect(set.data!.setContactConsent.sms).toMatchObject({ status: 'opted_out', source: 'api' });
      const read = await gql<{ contactConsent: { history: unknown[] }; candidateConsent: { email: { status: string } } }>(
        t,
        a.token,
        `query($k: ID!, $c: ID!) { contactConsent(id: $k) { ${CONSENT_FIELDS} } candidateConsent(id: $c) { ${CONSENT_FIELDS} } }`,
        { k: contactId, c: candidateId },
      );
      expect(read.data!.contactConsent.history).toHaveLength(1);
      expect(read.data!.candidateConsent.email.status).toBe('opted_in');
      const bad = await gql(t, a.token, `mutation($id: ID!, $input: SetConsentInput!) { setCandidateConsent(id: $id, input: $input) { personId } }`, {
        id: candidateId,
        input: { channel: 'fax', status: 'opted_out' },
      });
      // Channel is an enum: GraphQL refuses the value before any resolver, naming it and the field.
      expect(bad.status).toBe(400);
      expect(bad.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', errors: [{ field: 'channel', message: 'channel must be one of: email, sms' }] });
      expect(bad.errors?.[0]?.message).toContain('"fax"');
    });
  });

  describe('GET /v1/messages and GraphQL messages', () => {
    async function withMessages(): Promise<{ a: SignedUp; candidateId: string; contactId: string }> {
      const a = await signup(t);
      const candidateId = await createCandidate(t, a, { email: 'm@example.org', phone: phone() });
      const contactId = await createContact(t, a, { email: 'k@example.org' });
      await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'email', subject: 'One', text: '1', automated: true });
      await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'sms', text: '2', automated: true });
      await send(t, a, { type: 'contact', id: contactId }, { channel: 'email', subject: 'Three', text: '3', automated: true });
      return { a, candidateId, contactId };
    }

    it('lists newest first with filters and cursor pagination', async () => {
      const { a, candidateId, contactId } = await withMessages();
      const all = await api(t, a).get('/v1/messages').expect(200);
      expect(all.body.items.map((m: { body: string }) => m.body)).toEqual(['3', `2 Reply STOP to opt out.`, '1']);
      expect(all.body.items[0]).toMatchObject({ direction: 'out', channel: 'email', status: 'simulated', provider: 'log', person: { type: 'contact', id: contactId }, matched: true });

      const byCandidate = await api(t, a).get(`/v1/messages?candidateId=${candidateId}`).expect(200);
      expect(byCandidate.body.items).toHaveLength(2);
      expect((await api(t, a).get(`/v1/messages?contactId=${contactId}`).expect(200)).body.items).toHaveLength(1);
      expect((await api(t, a).get('/v1/messages?channel=sms').expect(200)).body.items).toHaveLength(1);
      expect((await api(t, a).get('/v1/messages?direction=in').expect(200)).body.items).toHaveLength(0);
      expect((await api(t, a).get('/v1/messages?status=simulated&channel=email').expect(200)).body.items).toHaveLength(2);

      const p1 = await api(t, a).get('/v1/messages?limit=2').expect(200);
      expect(p1.body.items).toHaveLength(2);
      const p2 = await api(t, a).get(`/v1/messages?limit=2&cursor=${p1.body.nextCursor}`).expect(200);
      expect(p2.body.items.map((m: { body: string }) => m.body)).toEqual(['1']);
      expect(p2.body.nextCursor).toBeNull();

      const one = await api(t, a).get(`/v1/messages/${all.body.items[2].id}`).expect(200);
      expect(one.body).toMatchObject({ body: '1', subject: 'One', person: { type: 'candidate', id: candidateId } });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['candidateId=nope', 'candidateId'],
      ['contactId=1', 'contactId'],
      ['channel=fax', 'channel'],
      ['direction=sideways', 'direction'],
      ['status=lost', 'status'],
      ['cursor=garbage', 'cursor'],
      ['tenantId=00000000-0000-4000-8000-000000000000', 'tenantId'],
    ])('?%s is a 400 naming %s', async (query, field) => {
      const a = await signup(t);
      const res = await api(t, a).get(`/v1/messages?${query}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('GraphQL messages is a Relay connection with the same filters', async () => {
      const { a, candidateId } = await withMessages();
      const res = await gql<{ messages: { nodes: { body: string; person: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
        t,
        a.token,
        `query($c: ID) { messages(first: 1, candidateId: $c) { edges { cursor node { id } } nodes { id body channel status person { type id } } pageInfo { hasNextPage endCursor } } }`,
        { c: candidateId },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.messages.nodes.map((n) => n.body)).toEqual(['2 Reply STOP to opt out.']);
      expect(res.data!.messages.pageInfo.hasNextPage).toBe(true);
      const next = await gql<{ messages: { nodes: { body: string }[] } }>(t, a.token, `query($c: ID, $after: String) { messages(first: 5, candidateId: $c, after: $after) { nodes { body } } }`, {
        c: candidateId,
        after: res.data!.messages.pageInfo.endCursor,
      });
      expect(next.data!.messages.nodes.map((n) => n.body)).toEqual(['1']);
      const bad = await gql(t, a.token, `{ messages(first: 101) { nodes { id } } }`);
      expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    });

    it('needs messages:read', async () => {
      const a = await signup(t);
      const key = await createApiKey(t, a, ['candidates:read']);
      await api(t, key.secret).get('/v1/messages').expect(403);
    });
  });

  describe('reads the follow-up engine uses', () => {
    it('engagement: last inbound channel, contact times, first SMS; activities; batch reads; consent opt-outs', async () => {
      const a = await signup(t);
      const tenant = asTenantId(a.tenantId);
      const engagement = t.app.get(EngagementService);
      const candidateId = await createCandidate(t, a, { email: 'e@example.org', phone: phone() });
      const contactId = await createContact(t, a, { email: 'k@example.org' });
      const candidate = { type: 'candidate' as const, id: candidateId };
      const contact = { type: 'contact' as const, id: contactId };

      expect(await engagement.get(tenant, candidate)).toEqual({
        person: candidate,
        lastInboundChannel: null,
        lastInboundAt: null,
        lastOutboundAt: null,
        lastContactAt: null,
        firstSmsAt: null,
      });
      expect(await engagement.isFirstSmsTo(tenant, candidate)).toBe(true);
      const sms = await send(t, a, candidate, { channel: 'sms', text: 'hi', automated: true });
      expect(await engagement.isFirstSmsTo(tenant, candidate)).toBe(false);

      const call = new Date(Date.now() + 60_000);
      await engagement.recordActivity(tenant, candidate, { direction: 'in', channel: 'phone', at: call });
      const older = new Date(Date.now() - 86_400_000);
      await engagement.recordActivity(tenant, candidate, { direction: 'in', channel: 'phone', at: older });
      const e = await engagement.get(tenant, candidate);
      expect(e).toMatchObject({ lastInboundChannel: 'phone', lastInboundAt: call, lastContactAt: call });
      expect(e.firstSmsAt).toBeInstanceOf(Date);

      const many = await engagement.getMany(tenant, [candidate, contact]);
      expect(many.get(`candidate:${candidateId}`)!.lastInboundChannel).toBe('phone');
      expect(many.get(`contact:${contactId}`)!.lastContactAt).toBeNull();

      await api(t, a).put(`/v1/contacts/${contactId}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
      const optOuts = await t.app.get(ConsentService).optOutsOf(tenant, [candidate, contact]);
      expect([...(optOuts.get(`contact:${contactId}`) ?? [])]).toEqual(['email']);
      expect(optOuts.get(`candidate:${candidateId}`)).toBeUndefined();
      expect(await t.app.get(ConsentService).isOptedOut(tenant, contact, 'email')).toBe(true);

      const timeline = await t.app.get(MessagesService).listForPerson(tenant, candidate);
      expect(timeline.items.map((m) => m.id)).toEqual([sms.messageId]);
      expect(await t.app.get(MessagesService).latestForFollowUp(tenant, UNKNOWN_ID)).toBeNull();
    });
  });

  describe('cross-tenant', () => {
    it("B never sees or changes A's messages, consent or settings (REST and GraphQL): 404 or empty", async () => {
      const a = await signup(t);
      const b = await signup(t);
      const candidateId = await createCandidate(t, a, { email: 'a@example.org', phone: phone() });
      const contactId = await createContact(t, a, { email: 'ak@example.org' });
      const sent = await send(t, a, { type: 'candidate', id: candidateId }, { channel: 'email', subject: 'A', text: 'a', automated: true });
      await api(t, a).put(`/v1/candidates/${candidateId}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
      await api(t, a).put('/v1/settings/senders', { emailFromName: 'Firm A' }).expect(200);

      // REST
      await api(t, b).get(`/v1/messages/${sent.messageId}`).expect(404);
      expect((await api(t, b).get('/v1/messages').expect(200)).body.items).toEqual([]);
      expect((await api(t, b).get(`/v1/messages?candidateId=${candidateId}`).expect(200)).body.items).toEqual([]);
      await api(t, b).get(`/v1/candidates/${candidateId}/consent`).expect(404);
      await api(t, b).put(`/v1/candidates/${candidateId}/consent`, { channel: 'email', status: 'opted_in' }).expect(404);
      await api(t, b).get(`/v1/contacts/${contactId}/consent`).expect(404);
      await api(t, b).put(`/v1/contacts/${contactId}/consent`, { channel: 'sms', status: 'opted_out' }).expect(404);
      expect((await api(t, b).get('/v1/settings/senders').expect(200)).body.emailFromName).toBeNull();

      // GraphQL
      const one = await gql(t, b.token, `query($id: ID!) { message(id: $id) { id } }`, { id: sent.messageId });
      expect(one.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const list = await gql<{ messages: { nodes: unknown[] } }>(t, b.token, `query($c: ID) { messages(candidateId: $c) { nodes { id } } }`, { c: candidateId });
      expect(list.data!.messages.nodes).toEqual([]);
      for (const [query, vars] of [
        [`query($id: ID!) { candidateConsent(id: $id) { personId } }`, { id: candidateId }],
        [`query($id: ID!) { contactConsent(id: $id) { personId } }`, { id: contactId }],
        [`mutation($id: ID!) { setCandidateConsent(id: $id, input: { channel: email, status: opted_in }) { personId } }`, { id: candidateId }],
        [`mutation($id: ID!) { setContactConsent(id: $id, input: { channel: sms, status: opted_out }) { personId } }`, { id: contactId }],
      ] as const) {
        const res = await gql(t, b.token, query, vars);
        expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }

      // B's messenger cannot reach A's people either
      expect((await send(t, b, { type: 'candidate', id: candidateId }, { channel: 'email', text: 'x', automated: true })).outcome.kind).toBe('blocked');

      // A's state is untouched
      expect((await api(t, a).get(`/v1/candidates/${candidateId}/consent`).expect(200)).body.email).toMatchObject({ status: 'opted_out', source: 'api' });
      expect(await countRows('consents', 'tenant_id = $1', [b.tenantId])).toBe(0);
      expect(await countRows('messages', 'tenant_id = $1', [b.tenantId])).toBe(0);
      expect((await api(t, a).get('/v1/messages').expect(200)).body.items).toHaveLength(1);
    });
  });
});
