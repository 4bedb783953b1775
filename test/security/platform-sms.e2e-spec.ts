import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { EMAIL_DRIVER } from '../../src/messaging/drivers/driver.types';
import type { LogEmailDriver } from '../../src/messaging/drivers/log-email.driver';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { api } from '../follow-ups/support';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import type { RecordedTwilioRequest } from '../support/fake-twilio.server';
import { bootTestApp, gql, markEmailVerified, signup as signupUnverified, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';

/**
 * SMS cost abuse through the platform's Twilio account (issue 18): a firm that signs up and texts
 * through the operator's account can neither raise its daily cap past the operator's, nor text
 * outside the country allowlist, nor use up the shared sender's rate for the other firms.
 */
const NOW = '2026-12-01T15:00:00Z'; // a Tuesday, 15:00 UTC: inside every default window
const T0 = new Date(NOW).getTime();
const PLATFORM = { sid: `AC${'f'.repeat(32)}`, token: 'platform-auth-token-0123456789', from: '+14155550199' };

// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

/** `n` candidates reached by SMS only (no email), each with one check-in follow-up due at NOW. */
async function seedDueSms(tenantId: string, phones: string[]): Promise<string[]> {
  const tag = randomUUID().slice(0, 8);
  return withAdminDb(async (c) => {
    const r = await c.query(
      `WITH cands AS (
         INSERT INTO candidates (tenant_id, name, email, phone, preferred_channel, status, created_at, updated_at)
         SELECT $1, 'Candidate ' || $2 || '-' || p.n, NULL, p.phone, 'sms', 'active', $3, $3
         FROM unnest($4::text[]) WITH ORDINALITY AS p(phone, n)
         RETURNING id)
       INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                               occurrence, due_at, created_at, updated_at)
       SELECT $1, 'candidate_check_in', 'message', 'seed:' || id, 'planned', id, 'candidate', id, 'seed', $3, $3, $3 FROM cands
       RETURNING id`,
      [tenantId, tag, NOW, phones],
    );
    return r.rows.map((x) => x.id as string);
  });
}

/** A firm whose signup email is verified (the platform's sender waits for it; its own test is below). */
async function signup(...args: Parameters<typeof signupUnverified>): Promise<SignedUp> {
  const who = await signupUnverified(...args);
  await markEmailVerified(who);
  return who;
}

const usPhones = (base: number, n: number) => Array.from({ length: n }, (_, i) => `+1${base + i}`);

async function seeded(tenantId: string): Promise<{ status: string; reason: string | null }[]> {
  return withAdminDb(async (c) =>
    (await c.query(`SELECT status, reason FROM follow_ups WHERE tenant_id = $1 AND dedupe_key LIKE 'seed:%' ORDER BY created_at, id`, [tenantId])).rows,
  );
}

/** Drains the dispatcher on the manual clock, `stepMs` at a time; returns when each Twilio request arrived (clock time). */
async function run(t: TestApp, clock: ManualClock, twilio: FakeTwilioServer, steps: number, stepMs = 10): Promise<Map<RecordedTwilioRequest, number>> {
  const dispatcher = t.app.get(DispatcherService);
  const at = new Map<RecordedTwilioRequest, number>();
  for (let step = 0; step < steps; step += 1) {
    await dispatcher.drain();
    for (const r of twilio.messages) if (!at.has(r)) at.set(r, clock.now().getTime());
    clock.advance(stepMs);
  }
  return at;
}

describe('security: SMS through the platform Twilio account', () => {
  const twilio = new FakeTwilioServer({ [PLATFORM.sid]: PLATFORM.token });
  let twilioUrl: string;
  const platformEnv = (extra: Record<string, string> = {}) => ({
    TWILIO_API_URL: twilioUrl,
    TWILIO_ACCOUNT_SID: PLATFORM.sid,
    TWILIO_AUTH_TOKEN: PLATFORM.token,
    TWILIO_FROM: PLATFORM.from,
    ...extra,
  });

  beforeAll(async () => {
    twilioUrl = (await twilio.start()).url;
  });
  afterAll(async () => {
    await twilio.stop();
  });
  beforeEach(() => twilio.reset());

  describe('the daily cap', () => {
    const clock = new ManualClock(NOW);
    let t: TestApp;
    beforeAll(async () => {
      t = await bootTestApp({ clock, env: platformEnv({ SMS_PLATFORM_DAILY_CAP: '5', SMS_PER_SECOND_PER_SENDER: '100' }) });
    });
    afterAll(async () => {
      await t.close();
    });

    it("a firm's admin cannot raise its cap past the operator's, over REST or GraphQL, and the answer says which cap applies", async () => {
      const who = await signup(t);
      const before = await api(t, who).get('/v1/settings/sending').expect(200);
      expect(before.body).toMatchObject({ smsDailyCap: 500, smsSender: 'platform', platformSmsDailyCap: 5, effectiveSmsDailyCap: 5, smsUnavailableReason: null });

      const raise = await api(t, who).put('/v1/settings/sending', { smsDailyCap: 100_000 });
      expect(raise.status).toBe(409);
      expect(raise.body.detail).toMatch(/platform's Twilio sender may send at most 5 SMS a day; connect your own Twilio account/);
      expect(raise.body.errors).toEqual([{ field: 'smsDailyCap', message: "must be at most 5 on the platform's sender" }]);
      const raiseG = await gql(t, who.token, 'mutation { updateSendingSettings(smsDailyCap: 100000) }');
      expect(raiseG.errors?.[0]?.message).toMatch(/may send at most 5 SMS a day/);
      expect((await api(t, who).get('/v1/settings/sending').expect(200)).body.smsDailyCap).toBe(500);

      // Lowering is the firm's choice; the answer shows the cap that applies.
      const lower = await api(t, who).put('/v1/settings/sending', { smsDailyCap: 3 }).expect(200);
      expect(lower.body).toMatchObject({ smsDailyCap: 3, platformSmsDailyCap: 5, effectiveSmsDailyCap: 3 });

      // On its own Twilio account the firm pays, and sets its own cap.
      twilio.addAccount(`AC${'1'.repeat(32)}`, 'own-token-0123456789');
      await api(t, who).put('/v1/settings/senders', { twilioAccountSid: `AC${'1'.repeat(32)}`, twilioAuthToken: 'own-token-0123456789', twilioFrom: '+14155550111' }).expect(200);
      const own = await api(t, who).put('/v1/settings/sending', { smsDailyCap: 100_000 }).expect(200);
      expect(own.body).toMatchObject({ smsDailyCap: 100_000, smsSender: 'tenant', platformSmsDailyCap: null, effectiveSmsDailyCap: 100_000 });
    });

    it("the dispatcher stops a platform firm at the operator's cap, whatever cap the firm stored", async () => {
      const who = await signup(t);
      // A cap stored before the rule (or while the firm had its own account) does not count on the platform.
      await withAdminDb((c) => c.query(`UPDATE tenants SET settings = settings || '{"smsDailyCap": 100000}' WHERE id = $1`, [who.tenantId]));
      await seedDueSms(who.tenantId, usPhones(4155510000, 8));
      await run(t, clock, twilio, 100);
      const rows = await seeded(who.tenantId);
      expect(rows.filter((r) => r.status === 'sent')).toHaveLength(5);
      const held = rows.filter((r) => r.status === 'planned');
      expect(held).toHaveLength(3);
      for (const r of held) expect(r.reason).toBe("the daily SMS cap (5, the platform sender's limit) is reached; it goes out tomorrow");
      expect(twilio.messages.filter((m) => m.accountSid === PLATFORM.sid)).toHaveLength(5);
    });
  });

  describe('the country allowlist (SMS_COUNTRIES, US and CA by default)', () => {
    const clock = new ManualClock(NOW);
    let t: TestApp;
    let who: SignedUp;
    beforeAll(async () => {
      t = await bootTestApp({ clock, env: platformEnv({ SMS_PER_SECOND_PER_SENDER: '100' }) });
      who = await signup(t);
    });
    afterAll(async () => {
      await t.close();
    });

    async function candidate(phone: string, email?: string): Promise<string> {
      const res = await api(t, who).post('/v1/candidates', { name: `Person ${phone}`, phone, ...(email ? { email } : {}) }).expect(201);
      return res.body.id as string;
    }

    it.each([
      ['a UK number', '+442079460958', 'GB'],
      ['a premium-rate +1 number outside the US and Canada (Jamaica)', '+18765550100', 'JM'],
    ])('a one-off text to %s is refused with the reason, and nothing is written', async (_label, phone, country) => {
      const id = await candidate(phone);
      const before = await withAdminDb(async (c) => (await c.query(`SELECT count(*)::int AS n FROM follow_ups WHERE tenant_id = $1`, [who.tenantId])).rows[0].n);
      const res = await api(t, who).post('/v1/messages', { candidateId: id, channel: 'sms', text: 'Hello there' });
      expect(res.status).toBe(422);
      expect(res.body.detail).toBe(`The message cannot be sent: SMS was requested, but: SMS to ${country} numbers is not allowed on this platform (allowed: US, CA)`);
      const g = await gql(t, who.token, 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { followUpId } }', { input: { candidateId: id, channel: 'sms', text: 'Hello there' } });
      expect(g.errors?.[0]?.message).toMatch(new RegExp(`SMS to ${country} numbers is not allowed`));
      const after = await withAdminDb(async (c) => (await c.query(`SELECT count(*)::int AS n FROM follow_ups WHERE tenant_id = $1`, [who.tenantId])).rows[0].n);
      expect(after).toBe(before);
      // A US and a Canadian number are fine.
      for (const ok of ['+14155550142', '+14165550142']) {
        await api(t, who).post('/v1/messages', { candidateId: await candidate(ok), channel: 'sms', text: 'Hello there' }).expect(202);
      }
    });

    it('at dispatch, a text to a number outside the allowlist is skipped with the reason, and nothing reaches Twilio', async () => {
      // A one-off accepted for a US number whose number then changed to a UK one.
      const id = await candidate('+14155550143');
      const sent = await api(t, who).post('/v1/messages', { candidateId: id, channel: 'sms', text: 'Hello there' }).expect(202);
      await api(t, who).patch(`/v1/candidates/${id}`, { phone: '+442079460958' }).expect(200);
      // An automated follow-up to someone reachable only by a UK text.
      const [auto] = await seedDueSms(who.tenantId, ['+442079460959']);
      twilio.reset();
      await run(t, clock, twilio, 30);
      const rows = await withAdminDb(async (c) =>
        (await c.query(`SELECT id, status, reason FROM follow_ups WHERE tenant_id = $1 AND id = ANY($2)`, [who.tenantId, [sent.body.followUpId, auto]])).rows,
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(sent.body.followUpId)).toMatchObject({
        status: 'skipped',
        reason: 'nobody to send to: SMS was requested, but: SMS to GB numbers is not allowed on this platform (allowed: US, CA)',
      });
      expect(byId.get(auto)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('SMS to GB numbers is not allowed on this platform') });
      expect(twilio.messages.filter((m) => (m.To ?? '').startsWith('+44'))).toEqual([]);
    });

    it('an automated follow-up falls back to email when the number is outside the allowlist', async () => {
      const id = await candidate('+442079460957', `uk.${randomUUID().slice(0, 6)}@example.com`);
      await api(t, who).post('/v1/messages', { candidateId: id, text: 'Hello there' }).expect(202).expect((res) => expect(res.body.channel).toBe('email'));
    });
  });

  describe("the platform sender waits for the firm's verified signup email", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await bootTestApp({ env: platformEnv() });
    });
    afterAll(async () => {
      await t.close();
    });

    it('a new firm cannot text through the platform until it uses the link from its signup email; its own account works at once', async () => {
      const who = await signupUnverified(t);
      const res = await api(t, who).post('/v1/candidates', { name: 'Texted Person', phone: '+14155550144' }).expect(201);
      const refused = await api(t, who).post('/v1/messages', { candidateId: res.body.id, channel: 'sms', text: 'Hello there' });
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toBe(
        "The message cannot be sent: SMS was requested, but: the firm's signup email is not verified yet (SMS through the platform's Twilio account starts once it is; or connect your own Twilio account)",
      );
      expect((await api(t, who).get('/v1/me').expect(200)).body.tenant.emailVerified).toBe(false);
      expect((await api(t, who).get('/v1/settings/sending').expect(200)).body.smsUnavailableReason).toMatch(/^the firm's signup email is not verified yet/);

      // The link from the signup email (log driver: recorded, not sent).
      const mail = (t.app.get(EMAIL_DRIVER) as LogEmailDriver).sent.filter((m) => m.email.to === who.email).at(-1);
      const link = /(\/v1\/auth\/verify-email\/\S+)/.exec(mail?.email.text ?? '')?.[1];
      expect(link).toBeDefined();
      await request(t.http).post(link!).expect(200);
      expect((await api(t, who).get('/v1/me').expect(200)).body.tenant.emailVerified).toBe(true);
      expect((await api(t, who).get('/v1/settings/sending').expect(200)).body.smsUnavailableReason).toBeNull();
      await api(t, who).post('/v1/messages', { candidateId: res.body.id, channel: 'sms', text: 'Hello there' }).expect(202);

      // A firm on its own Twilio account does not need the platform's trust.
      const own = await signupUnverified(t);
      twilio.addAccount(`AC${'2'.repeat(32)}`, 'own-token-0123456789');
      await api(t, own).put('/v1/settings/senders', { twilioAccountSid: `AC${'2'.repeat(32)}`, twilioAuthToken: 'own-token-0123456789', twilioFrom: '+14155550122' }).expect(200);
      const c = await api(t, own).post('/v1/candidates', { name: 'Other Person', phone: '+14155550145' }).expect(201);
      await api(t, own).post('/v1/messages', { candidateId: c.body.id, channel: 'sms', text: 'Hello there' }).expect(202);
    });
  });

  describe("one firm's burst does not use up the shared sender's rate", () => {
    const RATE = 10; // slots 120 ms apart on the platform sender; a firm gets 25% of them (480 ms)
    const clock = new ManualClock(NOW);
    let t: TestApp;
    beforeAll(async () => {
      t = await bootTestApp({ clock, env: platformEnv({ SMS_PER_SECOND_PER_SENDER: String(RATE), DISPATCH_BATCH_SIZE: '10', DISPATCH_PER_TENANT_BATCH: '5' }) });
    });
    afterAll(async () => {
      await t.close();
    });

    it('a quiet firm texts at once while a noisy one works through its backlog at its share, and the sender never exceeds its rate', async () => {
      const noisy = await signup(t, { firmName: 'Noisy Co' });
      const quiet = await signup(t, { firmName: 'Quiet Co' });
      await seedDueSms(noisy.tenantId, usPhones(4155520000, 12));
      const noisyPhones = new Set(usPhones(4155520000, 12));
      // The noisy firm's backlog is claimed first; the quiet firm's texts come due just after.
      const dispatcher = t.app.get(DispatcherService);
      await dispatcher.drain();
      clock.advance(10);
      await seedDueSms(quiet.tenantId, usPhones(4155530000, 2));
      const quietPhones = new Set(usPhones(4155530000, 2));
      const at = await run(t, clock, twilio, 700);
      const times = (phones: Set<string>) => twilio.messages.filter((m) => phones.has(m.To ?? '')).map((m) => at.get(m) ?? T0);
      const noisyTimes = times(noisyPhones);
      const quietTimes = times(quietPhones);
      expect(noisyTimes).toHaveLength(12);
      expect(quietTimes).toHaveLength(2);
      // The quiet firm did not wait behind the backlog (12 slots would be 1.4 s): its two texts went
      // within its own share's pace.
      expect(Math.max(...quietTimes) - T0).toBeLessThanOrEqual(2 * 480 + 200);
      // The noisy firm got at most its share: its texts 480 ms apart.
      const sortedNoisy = [...noisyTimes].sort((a, b) => a - b);
      for (let i = 1; i < sortedNoisy.length; i += 1) expect(sortedNoisy[i]! - sortedNoisy[i - 1]!).toBeGreaterThanOrEqual(480 - 10);
      // The platform sender as a whole stayed within its rate.
      const all = [...noisyTimes, ...quietTimes].sort((a, b) => a - b);
      for (let i = 1; i < all.length; i += 1) expect(all[i]! - all[i - 1]!).toBeGreaterThanOrEqual(120 - 10);
      expect((await seeded(noisy.tenantId)).map((r) => r.status)).toEqual(Array(12).fill('sent'));
    }, 120_000);
  });
});
