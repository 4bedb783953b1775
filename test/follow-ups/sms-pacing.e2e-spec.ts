import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import type { RecordedTwilioRequest } from '../support/fake-twilio.server';
import { bootTestApp, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { useIsolatedDatabase } from '../support/test-app';
import { api } from './support';

const NOW = '2026-12-01T15:00:00Z'; // a Tuesday, 15:00 UTC: inside every default window
const T0 = new Date(NOW).getTime();

/** `n` active candidates reached by SMS, each with one check-in follow-up due at NOW. Returns the follow-up ids. */
async function seedDueSms(tenantId: string, n: number, phoneBase: number): Promise<string[]> {
  const tag = randomUUID().slice(0, 8);
  return withAdminDb(async (c) => {
    const r = await c.query(
      `WITH cands AS (
         INSERT INTO candidates (tenant_id, name, email, phone, preferred_channel, status, created_at, updated_at)
         SELECT $1, 'Candidate ' || g, 'cand-' || $2 || '-' || g || '@example.com', '+1' || ($4::bigint + g)::text, 'sms', 'active', $3, $3
         FROM generate_series(1, $5) g
         RETURNING id)
       INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                               occurrence, due_at, created_at, updated_at)
       SELECT $1, 'candidate_check_in', 'message', 'seed:' || id, 'planned', id, 'candidate', id, 'seed', $3, $3, $3 FROM cands
       RETURNING id`,
      [tenantId, tag, NOW, phoneBase, n],
    );
    return r.rows.map((x) => x.id as string);
  });
}

async function rows(tenantId: string): Promise<Record<string, unknown>[]> {
  return withAdminDb(async (c) => (await c.query(`SELECT * FROM follow_ups WHERE tenant_id = $1 AND dedupe_key LIKE 'seed:%' ORDER BY created_at, id`, [tenantId])).rows);
}

/** A firm with its own Twilio account and number. */
async function smsFirm(t: TestApp, twilio: FakeTwilioServer, i: number, name: string): Promise<{ who: SignedUp; sid: string }> {
  const who = await signup(t, { firmName: name });
  const sid = `AC${String(i).repeat(32)}`;
  const token = `auth-token-of-firm-${i}-0123456789`;
  twilio.addAccount(sid, token);
  await api(t, who)
    .put('/v1/settings/senders', { twilioAccountSid: sid, twilioAuthToken: token, twilioFrom: `+1415555030${i}` })
    .expect((res) => expect([res.status, res.body.detail]).toEqual([200, undefined]));
  return { who, sid };
}

/** The most of `times` in any half-open window of `windowMs`. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while (sorted[i]! - sorted[j]! >= windowMs) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

describe('SMS pacing to the sender rate', () => {
  const twilio = new FakeTwilioServer();
  let twilioUrl: string;

  beforeAll(async () => {
    twilioUrl = (await twilio.start()).url;
  });
  afterAll(async () => {
    await twilio.stop();
  });
  beforeEach(() => twilio.reset());

  it('a backlog goes out paced: sends at the provider are spaced by the interval in clock time, never above the rate in any 1 s', async () => {
    const RATE = 10;
    const clock = new ManualClock(NOW);
    const t = await bootTestApp({
      clock,
      env: { TWILIO_API_URL: twilioUrl, SMS_PER_SECOND_PER_SENDER: String(RATE), DISPATCH_BATCH_SIZE: '10', DISPATCH_PER_TENANT_BATCH: '5' },
    });
    try {
      const big = await smsFirm(t, twilio, 1, 'Backlog Co');
      const small = await smsFirm(t, twilio, 2, 'Small Co');
      await seedDueSms(big.who.tenantId, 40, 4155500000);
      await seedDueSms(small.who.tenantId, 2, 4155600000);
      const dispatcher = t.app.get(DispatcherService);
      // Each Twilio request arrives during a drain, while the manual clock stands still: it
      // arrived at the clock time of that drain.
      const at = new Map<RecordedTwilioRequest, number>();
      const outcomes: Record<string, number> = {};
      for (let step = 0; step < 700 && twilio.messages.length < 42; step += 1) {
        const s = await dispatcher.drain();
        for (const [k, v] of Object.entries(s.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + (v ?? 0);
        for (const r of twilio.messages) if (!at.has(r)) at.set(r, clock.now().getTime());
        clock.advance(10);
      }
      expect(await rows(big.who.tenantId).then((r) => r.map((x) => x.status))).toEqual(Array(40).fill('sent'));
      expect(await rows(small.who.tenantId).then((r) => r.map((x) => x.status))).toEqual(['sent', 'sent']);
      // The backlog was paced in process, not sent in bursts at each pass.
      expect(outcomes.paced).toBeGreaterThan(30);
      for (const sid of [big.sid, small.sid]) {
        const times = twilio.messages.filter((m) => m.accountSid === sid).map((m) => at.get(m)!);
        for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000 / RATE);
        expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(RATE);
      }
      // Every follow-up went out exactly once.
      expect(new Set(twilio.messages.map((m) => `${m.accountSid}/${m.To}`)).size).toBe(42);
      // The small firm was not made to wait behind the backlog: its second text went at its own next slot.
      const smallTimes = twilio.messages.filter((m) => m.accountSid === small.sid).map((m) => at.get(m)! - T0);
      expect(smallTimes[1]).toBeLessThanOrEqual(1000 / RATE + 100);
      // The backlog took as long as its rate asks, not less.
      const bigTimes = twilio.messages.filter((m) => m.accountSid === big.sid).map((m) => at.get(m)! - T0);
      expect(bigTimes[39]).toBeGreaterThanOrEqual((39 * 1000) / RATE);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('a paced row whose dispatcher stops before its slot goes back to planned holding its slot, and another dispatcher sends it once', async () => {
    const clock1 = new ManualClock(NOW);
    const t1 = await bootTestApp({ clock: clock1, env: { TWILIO_API_URL: twilioUrl } });
    let t2: TestApp | undefined;
    let t1Open = true;
    try {
      const firm = await smsFirm(t1, twilio, 3, 'Stopping Co');
      const ids = await seedDueSms(firm.who.tenantId, 2, 4155700000);
      const d1 = t1.app.get(DispatcherService);
      const first = await d1.drain();
      expect(first.outcomes).toMatchObject({ sent: 1, paced: 1 });
      expect(twilio.messages).toHaveLength(1);
      const paced = (await rows(firm.who.tenantId)).find((r) => r.status !== 'sent')!;
      expect(ids).toContain(paced.id);
      expect(paced).toMatchObject({ status: 'sending', claimed_by: d1.workerId, send_started_at: null });
      const slot = (paced.rate_slot_at as Date).getTime();
      expect(slot).toBeGreaterThan(T0);
      // Stop before the slot: the continuation is cancelled, the row is given back holding its slot.
      await t1.close();
      t1Open = false;
      clock1.advance(10_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(twilio.messages).toHaveLength(1);
      const released = (await rows(firm.who.tenantId)).find((r) => r.id === paced.id)!;
      expect(released).toMatchObject({ status: 'planned', claimed_by: null, lease_until: null, send_started_at: null });
      expect((released.rate_slot_at as Date).getTime()).toBe(slot);

      // Another dispatcher claims it before its slot: it waits for the slot, then sends it once.
      const clock2 = new ManualClock(new Date(slot - 300));
      t2 = await bootTestApp({ clock: clock2, env: { TWILIO_API_URL: twilioUrl } });
      const d2 = t2.app.get(DispatcherService);
      expect((await d2.drain()).outcomes).toEqual({ paced: 1 });
      expect(twilio.messages).toHaveLength(1);
      clock2.advance(300);
      expect((await d2.drain()).outcomes).toEqual({ sent: 1 });
      expect(twilio.messages).toHaveLength(2);
      clock2.advance(60_000);
      await d2.drain();
      expect(twilio.messages).toHaveLength(2);
      expect(new Set(twilio.messages.map((m) => m.To)).size).toBe(2);
      const done = (await rows(firm.who.tenantId)).find((r) => r.id === paced.id)!;
      expect(done).toMatchObject({ status: 'sent', rate_slot_at: null });
      expect((done.sent_at as Date).getTime()).toBe(slot);
      const perFollowUp = await withAdminDb(async (c) =>
        (await c.query(`SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1 AND follow_up_id = $2`, [firm.who.tenantId, paced.id])).rows[0],
      );
      expect(perFollowUp).toEqual({ n: 1 });
    } finally {
      if (t1Open) await t1.close();
      await t2?.close();
    }
  }, 60_000);

  it('a paced row counts once against the daily SMS cap', async () => {
    const clock = new ManualClock(NOW);
    const t = await bootTestApp({ clock, env: { TWILIO_API_URL: twilioUrl } });
    try {
      const firm = await smsFirm(t, twilio, 4, 'Capped Co');
      await api(t, firm.who).put('/v1/settings/sending', { smsDailyCap: 2 }).expect(200);
      await seedDueSms(firm.who.tenantId, 3, 4155800000);
      const dispatcher = t.app.get(DispatcherService);
      const outcomes: Record<string, number> = {};
      for (let step = 0; step < 40; step += 1) {
        const s = await dispatcher.drain();
        for (const [k, v] of Object.entries(s.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + (v ?? 0);
        clock.advance(250);
      }
      // One sent at once, one paced to its slot and sent then, the third hit the cap at its slot.
      expect(outcomes.sent).toBe(2);
      expect(outcomes.paced).toBeGreaterThanOrEqual(2);
      expect(twilio.messages).toHaveLength(2);
      const all = await rows(firm.who.tenantId);
      expect(all.map((r) => r.status).sort()).toEqual(['planned', 'sent', 'sent']);
      const capped = all.find((r) => r.status === 'planned')!;
      expect(capped.reason).toMatch(/daily SMS cap \(2\)/);
      expect((capped.due_at as Date).getTime()).toBeGreaterThan(T0 + 12 * 3600_000);
      const usage = await withAdminDb(async (c) => (await c.query(`SELECT sent FROM sms_daily_usage WHERE tenant_id = $1`, [firm.who.tenantId])).rows);
      expect(usage).toEqual([{ sent: 2 }]);
    } finally {
      await t.close();
    }
  }, 60_000);
});
