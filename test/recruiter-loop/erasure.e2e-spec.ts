import { execFileSync } from 'node:child_process';
import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { bootTestApp, countRows, createApiKey, gql, signup, SignedUp, TestApp, testDatabaseUrl, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import { inboundSms, postTwilio, PUBLIC_URL } from '../messaging/messaging-support';
import { api, UNKNOWN_ID } from '../pipeline/pipeline-support';

/**
 * Erasure on request: after it, the person's name, email, phone, message bodies and activity
 * summaries are in no table (a dump of the whole test database proves it), pending follow-ups are
 * cancelled, and the same email or phone cannot come back by create, upsert or import.
 */
// This suite runs the cross-tenant dispatcher (and dumps the database): it gets a database of its own.
useIsolatedDatabase();

/**
 * Tables left out of the check: none. The audit log keeps who changed what and when; erasure
 * redacts the person's values in it through audit_redact_person().
 */
const NOT_CHECKED: string[] = [];

/**
 * Every byte of text the database holds (but NOT_CHECKED). pg_dump when its version can read the server; otherwise
 * (pg_dump older than the server) every text, varchar, json, jsonb and array column of every
 * table, read as the superuser.
 */
async function dumpDatabase(url: string): Promise<string> {
  try {
    return execFileSync('pg_dump', ['--data-only', '--no-owner', ...NOT_CHECKED.map((t) => `--exclude-table-data=${t}`), url], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return withAdminDb(async (c) => {
      const cols = (
        await c.query<{ table_name: string; column_name: string }>(
          `SELECT c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
           WHERE c.table_schema = 'public' AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea'))
           ORDER BY 1, 2`,
        )
      ).rows;
      const parts: string[] = [];
      for (const { table_name, column_name } of cols) {
        if (NOT_CHECKED.includes(table_name)) continue;
        const r = await c.query(`SELECT "${column_name}"::text AS v FROM "${table_name}" WHERE "${column_name}" IS NOT NULL`);
        for (const row of r.rows) parts.push(`${table_name}.${column_name}: ${row.v as string}`);
      }
      return parts.join('\n');
    }, url);
  }
}

describe('erasure', () => {
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock('2026-12-01T15:00:00Z'); // Tuesday 10:00 in New York
  const ACCOUNT = 'AC' + 'c3'.repeat(16);
  const TOKEN = 'erasure-auth-token-0123456789';
  const NAME = 'Zelda Quixotewright';
  const EMAIL = 'zelda.quixotewright@mail.example';
  const PHONE = '+14155550177';
  const BODY = 'my private plans for Tuesday xyzzy';
  const SUMMARY = 'she told me about her salary plugh';
  const ONE_OFF = 'one-off answer frobozz';
  let t: TestApp;
  let a: SignedUp;
  let dispatcher: DispatcherService;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const twilioUrl = (await twilio.start()).url;
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', TWILIO_API_URL: twilioUrl, PUBLIC_URL } });
    dispatcher = t.app.get(DispatcherService);
    a = await signup(t, { firmName: 'Acme Staffing', name: 'Pat Admin', timeZone: 'America/New_York' });
    await api(t, a).put('/v1/settings/senders', { twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, twilioFrom: '+14155550100' }).expect(200);
  });
  afterAll(async () => {
    await t.close();
    await twilio.stop();
  });

  it('a person with a history: messages in and out, a call, follow-ups pending', async () => {
    const x = api(t, a);
    ids.zelda = (
      await x.post('/v1/candidates', { name: NAME, email: EMAIL, phone: PHONE, ownerUserId: a.userId }).set('Idempotency-Key', 'erasure-create-zelda').expect(201)
    ).body.id;
    ids.hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example', roles: ['employer_contact'] }).expect(201)).body.id;
    ids.lead = (await x.post('/v1/leads', { candidateId: ids.zelda, company: 'Globex', position: 'Analyst', source: 'job_board', employerContactId: ids.hank }).expect(201)).body.id;
    await x.post(`/v1/leads/${ids.lead}/status`, { status: 'applied' }).expect(200);
    await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: PHONE, To: '+14155550100', Body: BODY, AccountSid: ACCOUNT }), TOKEN).expect(200);
    await x.post('/v1/messages', { candidateId: ids.zelda, text: ONE_OFF }).expect(202);
    await dispatcher.drain();
    expect(twilio.messages.map((m) => m.To)).toEqual([PHONE]);
    await x.post('/v1/activities', { candidateId: ids.zelda, kind: 'call', direction: 'in', summary: SUMMARY }).expect(201);
    await x.post('/v1/messages', { candidateId: ids.zelda, channel: 'email', subject: 'Later', text: 'a later note' }).expect(202);
    clock.set('2026-12-02T03:00:00Z'); // after the SMS window: this one waits
    await x.post('/v1/messages', { candidateId: ids.zelda, channel: 'sms', text: 'a pending text' }).expect(202);
    const dump = await dumpDatabase(testDatabaseUrl());
    for (const secret of [NAME, EMAIL, PHONE, BODY, SUMMARY, ONE_OFF]) expect({ secret, found: dump.includes(secret) }).toEqual({ secret, found: true });
    const pending = await countRows('follow_ups', `tenant_id = $1 AND (recipient_candidate_id = $2 OR candidate_id = $2) AND status IN ('planned', 'awaiting_approval')`, [a.tenantId, ids.zelda]);
    expect(pending).toBeGreaterThanOrEqual(3); // the resume follow-up about her, her check-in, the waiting texts
  });

  it('only an admin of the firm can erase; another firm gets 404 (REST and GraphQL); nothing changes', async () => {
    const key = await createApiKey(t, a, ['candidates:read', 'candidates:write', 'contacts:write']);
    await api(t, key.secret).post(`/v1/candidates/${ids.zelda}/erase`).expect(403);
    const b = await signup(t);
    await api(t, b).post(`/v1/candidates/${ids.zelda}/erase`).expect(404);
    await api(t, b).post(`/v1/contacts/${ids.hank}/erase`).expect(404);
    const g = await gql(t, b.token, `mutation($id: ID!) { eraseCandidate(id: $id) { id } }`, { id: ids.zelda });
    expect(g.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await api(t, a).post(`/v1/candidates/${UNKNOWN_ID}/erase`).expect(404);
    await api(t, a).post(`/v1/candidates/nope/erase`).expect(404);
    await api(t, a).post(`/v1/contacts/${ids.zelda}/erase`).expect(404); // a candidate's id is no contact
    expect((await api(t, a).get(`/v1/candidates/${ids.zelda}`).expect(200)).body.name).toBe(NAME);
    expect(await countRows('suppressions')).toBe(0);
  });

  it('erases: the dump holds neither name, email, phone, message bodies nor summaries; pending follow-ups are cancelled', async () => {
    const res = await api(t, a).post(`/v1/candidates/${ids.zelda}/erase`).expect(200);
    expect(res.body).toMatchObject({ id: ids.zelda, suppressed: ['email', 'phone'], cancelledFollowUps: expect.any(Number) });
    expect(res.body.cancelledFollowUps).toBeGreaterThanOrEqual(3);
    const dump = await dumpDatabase(testDatabaseUrl());
    for (const secret of [NAME, EMAIL, PHONE, BODY, SUMMARY, ONE_OFF, 'zelda.quixotewright', 'Quixotewright']) {
      expect({ secret, found: dump.includes(secret) }).toEqual({ secret, found: false });
    }
    const pending = await countRows('follow_ups', `tenant_id = $1 AND (recipient_candidate_id = $2 OR candidate_id = $2) AND status IN ('planned', 'awaiting_approval')`, [a.tenantId, ids.zelda]);
    expect(pending).toBe(0);
    const cancelled = await countRows('follow_ups', `tenant_id = $1 AND (recipient_candidate_id = $2 OR candidate_id = $2) AND status = 'cancelled' AND reason = 'the person was erased'`, [a.tenantId, ids.zelda]);
    expect(cancelled).toBe(res.body.cancelledFollowUps);
    // Nothing goes out afterwards.
    const before = twilio.messages.length;
    clock.set('2026-12-02T14:00:00Z');
    await dispatcher.drain();
    expect(twilio.messages).toHaveLength(before);
  });

  it('keeps the shape: the person, the timeline, the message records and the consent facts stay, without content', async () => {
    const c = (await api(t, a).get(`/v1/candidates/${ids.zelda}`).expect(200)).body;
    expect(c).toMatchObject({ name: 'Erased person', email: null, phone: null, status: 'inactive' });
    const timeline = (await api(t, a).get(`/v1/candidates/${ids.zelda}/timeline`).expect(200)).body.items as { kind: string; summary: string }[];
    expect(timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['lead.status_changed', 'activity.logged', 'message.received', 'message.sent']));
    expect(timeline.find((e) => e.kind === 'activity.logged')?.summary).toBe('Inbound call');
    const messages = (await api(t, a).get(`/v1/messages?candidateId=${ids.zelda}`).expect(200)).body.items as Record<string, unknown>[];
    expect(messages.length).toBeGreaterThanOrEqual(2);
    for (const m of messages) expect(m).toMatchObject({ body: null, subject: null, from: null, to: null });
    const erasedAgain = await api(t, a).post(`/v1/candidates/${ids.zelda}/erase`).expect(200);
    expect(erasedAgain.body.cancelledFollowUps).toBe(0);
  });

  describe('the same person cannot come back: 409 naming the field, nothing written', () => {
    const cases: [string, () => [string, string, Record<string, unknown>], string][] = [
      ['create with the same email (other case)', () => ['post', '/v1/candidates', { name: 'Z Q', email: EMAIL.toUpperCase() }], 'email'],
      ['create with the same phone (other format)', () => ['post', '/v1/candidates', { name: 'Z Q', phone: '+1 (415) 555-0177' }], 'phone'],
      ['upsert (import) with the same email', () => ['put', '/v1/candidates/by-external-id/ATS-1?source=bullhorn', { name: 'Z Q', email: EMAIL }], 'email'],
      ['a contact with the same email', () => ['post', '/v1/contacts', { name: 'Z Q', email: EMAIL }], 'email'],
      ['a contact upsert with the same phone', () => ['put', '/v1/contacts/by-external-id/ATS-2', { name: 'Z Q', phone: PHONE }], 'phone'],
      ['an update to the same email', () => ['patch', `/v1/contacts/${ids.hank}`, { email: EMAIL }], 'email'],
    ];
    it.each(cases)('%s', async (_name, req, field) => {
      const [method, url, body] = req();
      const before = [await countRows('candidates', 'tenant_id = $1', [a.tenantId]), await countRows('contacts', 'tenant_id = $1', [a.tenantId])];
      const x = api(t, a) as unknown as Record<string, (u: string, b: object) => Promise<{ status: number; body: { errors?: { field: string }[] } }>>;
      const res = await x[method]!(url, body);
      expect(res.status).toBe(409);
      expect(res.body.errors?.map((e) => e.field)).toEqual([field]);
      expect([await countRows('candidates', 'tenant_id = $1', [a.tenantId]), await countRows('contacts', 'tenant_id = $1', [a.tenantId])]).toEqual(before);
    });

    it('a bulk import (upsertCandidates) answers that item CONFLICT on email and writes the others', async () => {
      const before = await countRows('candidates', 'tenant_id = $1', [a.tenantId]);
      const res = await gql<{ upsertCandidates: { written: number; failed: number; results: { error: { code: string; field: string | null } | null }[] } }>(
        t,
        a.token,
        `mutation($input: [UpsertCandidatesItemInput!]!) { upsertCandidates(input: $input) { written failed results { error { code field } } } }`,
        { input: [{ externalId: 'IMP-1', name: 'Back Again', email: EMAIL }, { externalId: 'IMP-2', name: 'Someone Else', email: 'someone.else@mail.example' }] },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.upsertCandidates.results.map((r) => r.error)).toEqual([{ code: 'CONFLICT', field: 'email' }, null]);
      expect(await countRows('candidates', 'tenant_id = $1', [a.tenantId])).toBe(before + 1);
    });

    it('GraphQL createCandidate is refused too; another firm may still add that address', async () => {
      const g = await gql(t, a.token, `mutation($e: String) { createCandidate(input: { name: "Z Q", email: $e }) { id } }`, { e: EMAIL });
      expect(g.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      const b = await signup(t);
      await api(t, b).post('/v1/candidates', { name: 'Someone', email: EMAIL }).expect(201);
    });
  });

  it('erases a contact the same way', async () => {
    const res = await api(t, a).post(`/v1/contacts/${ids.hank}/erase`).expect(200);
    expect(res.body.suppressed).toEqual(['email']);
    const hank = (await api(t, a).get(`/v1/contacts/${ids.hank}`).expect(200)).body;
    expect(hank).toMatchObject({ name: 'Erased person', email: null, company: null });
    const g = await gql<{ eraseContact: { id: string } }>(t, a.token, `mutation($id: ID!) { eraseContact(id: $id) { id cancelledFollowUps } }`, { id: ids.hank });
    expect(g.data?.eraseContact.id).toBe(ids.hank);
    await api(t, a).post('/v1/contacts', { name: 'Hank again', email: 'HANK@globex.example' }).expect(409);
  });
});
