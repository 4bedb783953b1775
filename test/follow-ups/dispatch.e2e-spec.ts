import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';
import { useIsolatedDatabase } from '../support/test-app';
import { api } from './support';

const NOW = '2026-12-01T15:00:00Z'; // a Tuesday, 15:00 UTC: inside every default window

/**
 * Seeds `n` active candidates and one due check-in follow-up each, straight into the database
 * (the tenant itself comes from the public API). Returns the candidates' addresses.
 */
async function seedDueCheckIns(tenantId: string, n: number, opts: { sms?: boolean; due?: string } = {}): Promise<string[]> {
  const tag = randomUUID().slice(0, 8);
  return withAdminDb(async (c) => {
    const rows = await c.query(
      `WITH cands AS (
         INSERT INTO candidates (tenant_id, name, email, phone, preferred_channel, status, created_at, updated_at)
         SELECT $1, 'Candidate ' || g, 'cand-' || $2 || '-' || g || '@example.com',
                CASE WHEN $4 THEN '+1415555' || lpad(g::text, 4, '0') END,
                CASE WHEN $4 THEN 'sms' ELSE 'email' END, 'active', $3, $3
         FROM generate_series(1, $5) g
         RETURNING id, email, phone),
       planned AS (
         INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                                 occurrence, due_at, created_at, updated_at)
         SELECT $1, 'candidate_check_in', 'message', 'seed:' || id, 'planned', id, 'candidate', id, 'seed', $3, $3, $3 FROM cands
         RETURNING 1)
       SELECT coalesce(phone, email) AS address FROM cands`,
      [tenantId, tag, opts.due ?? NOW, opts.sms === true, n],
    );
    return rows.rows.map((r) => r.address as string);
  });
}

async function statuses(tenantId: string): Promise<Record<string, number>> {
  return withAdminDb(async (c) => {
    const r = await c.query(`SELECT status, count(*)::int AS n FROM follow_ups WHERE tenant_id = $1 AND rule = 'candidate_check_in' AND dedupe_key LIKE 'seed:%' GROUP BY status`, [tenantId]);
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  });
}

// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

describe('dispatcher guarantees', () => {
  const smtp = new SmtpTestServer();
  let smtpUrl: string;

  beforeAll(async () => {
    smtpUrl = (await smtp.start()).url;
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(() => smtp.reset());

  it('three dispatchers over 1,000 due follow-ups: every one is sent exactly once', async () => {
    const clocks = [new ManualClock(NOW), new ManualClock(NOW), new ManualClock(NOW)];
    const apps: TestApp[] = [];
    for (const clock of clocks) {
      apps.push(await bootTestApp({ clock, env: { SCHEDULER: 'off', SMTP_URL: smtpUrl, DISPATCH_BATCH_SIZE: '25', DISPATCH_PER_TENANT_BATCH: '25' } }));
    }
    try {
      const a = await signup(apps[0]!);
      const addresses = await seedDueCheckIns(a.tenantId, 1000);
      await Promise.all(apps.map((t) => t.app.get(DispatcherService).drain()));
      expect(await statuses(a.tenantId)).toEqual({ sent: 1000 });
      const received = smtp.messages.filter((m) => addresses.includes(m.envelope.to[0] ?? ''));
      expect(received).toHaveLength(1000);
      expect(new Set(received.map((m) => m.envelope.to[0])).size).toBe(1000);
      const perFollowUp = await withAdminDb(async (c) =>
        (await c.query(`SELECT count(*)::int AS n, count(DISTINCT follow_up_id)::int AS d FROM messages WHERE tenant_id = $1`, [a.tenantId])).rows[0],
      );
      expect(perFollowUp).toEqual({ n: 1000, d: 1000 });
    } finally {
      for (const t of apps) await t.close();
    }
  }, 180_000);

  it('a dispatcher that dies after claiming loses nothing; one that died after the send started is never resent blindly', async () => {
    const clock = new ManualClock(NOW);
    const t = await bootTestApp({ clock, env: { SCHEDULER: 'off', SMTP_URL: smtpUrl, DISPATCH_LEASE_SECONDS: '60' } });
    try {
      const a = await signup(t);
      const addresses = await seedDueCheckIns(a.tenantId, 20);
      // A dispatcher claims everything, then dies. For half the rows it had already started the send.
      const claimed = await withAdminDb(async (c) => {
        const r = await c.query(`SELECT * FROM claim_due_follow_ups($1, 100, 100, '60 seconds', 'dead-worker')`, [NOW]);
        const ids = r.rows.map((x) => x.id as string);
        await c.query(`UPDATE follow_ups SET send_started_at = $2 WHERE id = ANY($1::uuid[])`, [ids.slice(0, 10), NOW]);
        return ids;
      });
      expect(claimed).toHaveLength(20);
      const dispatcher = t.app.get(DispatcherService);
      // Before the lease expires nobody touches them.
      clock.advance(30_000);
      await dispatcher.drain();
      expect(await statuses(a.tenantId)).toEqual({ sending: 20 });
      expect(smtp.messages).toHaveLength(0);
      // After it expires: the unstarted half goes out once; the started half becomes unknown.
      clock.advance(31_000);
      await dispatcher.drain();
      expect(await statuses(a.tenantId)).toEqual({ sent: 10, unknown: 10 });
      const received = smtp.messages.filter((m) => addresses.includes(m.envelope.to[0] ?? ''));
      expect(received).toHaveLength(10);
      // Time passes; unknown stays unknown (a status callback or a recruiter reconciles it).
      clock.advance(3600_000);
      await dispatcher.drain();
      expect(smtp.messages.filter((m) => addresses.includes(m.envelope.to[0] ?? ''))).toHaveLength(10);
      const unknown = await withAdminDb(async (c) => (await c.query(`SELECT reason FROM follow_ups WHERE tenant_id = $1 AND status = 'unknown'`, [a.tenantId])).rows);
      expect(unknown[0]?.reason).toMatch(/awaiting its status/);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('SMS: the per-sender rate is never exceeded, and a small tenant is not starved by a big backlog', async () => {
    const twilio = new FakeTwilioServer();
    const { url } = await twilio.start();
    const clock = new ManualClock(NOW);
    const t = await bootTestApp({ clock, env: { SCHEDULER: 'off', TWILIO_API_URL: url, DISPATCH_BATCH_SIZE: '10', DISPATCH_PER_TENANT_BATCH: '5' } });
    try {
      const tenants: { who: SignedUp; sid: string }[] = [];
      for (const [i, firm] of ['Big Co', 'Small Co'].entries()) {
        const who = await signup(t, { firmName: firm });
        const sid = `AC${String(i + 1).repeat(32)}`;
        twilio.addAccount(sid, `auth-token-number-${i}-0123456789`);
        await api(t, who)
          .put('/v1/settings/senders', { twilioAccountSid: sid, twilioAuthToken: `auth-token-number-${i}-0123456789`, twilioFrom: `+1415555010${i}` })
          .expect((res) => expect([res.status, res.body.detail]).toEqual([200, undefined]));
        tenants.push({ who, sid });
      }
      const [big, small] = tenants;
      await seedDueCheckIns(big!.who.tenantId, 20, { sms: true });
      await seedDueCheckIns(small!.who.tenantId, 2, { sms: true });
      const dispatcher = t.app.get(DispatcherService);
      for (let step = 0; step < 120; step += 1) {
        await dispatcher.drain();
        clock.advance(250);
      }
      const sentAt = async (tenantId: string): Promise<number[]> =>
        withAdminDb(async (c) =>
          (await c.query(`SELECT sent_at FROM follow_ups WHERE tenant_id = $1 AND status = 'sent' ORDER BY sent_at`, [tenantId])).rows.map((r) =>
            (r.sent_at as Date).getTime(),
          ),
        );
      const bigTimes = await sentAt(big!.who.tenantId);
      const smallTimes = await sentAt(small!.who.tenantId);
      expect(bigTimes).toHaveLength(20);
      expect(smallTimes).toHaveLength(2);
      // Never two sends from one sender within a second.
      for (const times of [bigTimes, smallTimes]) {
        for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
      }
      // The small tenant's messages went out within its own rate, not after the big backlog.
      const due = new Date(NOW).getTime();
      expect(smallTimes[1]! - due).toBeLessThanOrEqual(2000);
      expect(bigTimes[19]! - due).toBeGreaterThanOrEqual(19_000);
      // And Twilio received exactly those, from the right accounts.
      expect(twilio.messages.filter((m) => m.accountSid === big!.sid)).toHaveLength(20);
      expect(twilio.messages.filter((m) => m.accountSid === small!.sid)).toHaveLength(2);
    } finally {
      await t.close();
      await twilio.stop();
    }
  }, 120_000);
});
