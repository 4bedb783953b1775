import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import {
  bootTestApp,
  signup,
  TEST_ENCRYPTION_KEY,
  TEST_JWT_SECRET,
  testDatabaseUrl,
  useIsolatedDatabase,
  withAdminDb,
} from '../support/test-app';
import { NodeChild, stopAllChildren, waitFor, zoneWhereItIsAfternoon } from './support/process-harness';

/*
 * Dispatcher crash. Three real dispatcher processes (`node dist/src/worker.js`) work 5,000 due
 * follow-ups, email and SMS, against a real SMTP server and a Twilio-speaking server in this
 * process. One of them is killed with SIGKILL in the middle of a batch, then started again.
 *
 * What the people on the other end see, and what the rows say:
 *   - nobody receives a message twice;
 *   - every follow-up ends `sent` (its message was received exactly once) or `unknown`;
 *   - `unknown` is exactly the set of rows whose send the killed process had started and not
 *     recorded (the crash marker): those may or may not have reached the server, and are never
 *     resent. There are at most DISPATCH_CONCURRENCY of them;
 *   - the rows the killed process had claimed but not started are sent by the others: nothing
 *     is lost;
 *   - the messages table agrees: one outbound message per follow-up, carrying the provider id
 *     the server received.
 */

// The dispatcher is cross-tenant: this file gets a database of its own.
useIsolatedDatabase();

const TENANTS = 2;
const PER_TENANT = 2_500;
const TOTAL = TENANTS * PER_TENANT;
/** Every fifth follow-up goes to a candidate who has only a phone number: 1,000 SMS. */
const SMS_EVERY = 5;
const CONCURRENCY = 8;
const BATCH = 40;
const LEASE_SECONDS = 10;
/** The victim is killed once this share of all messages has been received. */
const KILL_AT = 0.3;

interface SeededFollowUp {
  id: string;
  channel: 'email' | 'sms';
  address: string;
}

/**
 * `n` active candidates of one tenant and one due check-in each, straight into the database (the
 * tenant itself came from the public API). SMS and email candidates alternate in due order.
 */
async function seedDueCheckIns(tenantId: string, tenantIndex: number, n: number): Promise<SeededFollowUp[]> {
  const tag = randomBytes(4).toString('hex');
  return withAdminDb(async (c) => {
    const r = await c.query(
      `WITH cands AS (
         INSERT INTO candidates (tenant_id, name, email, phone, preferred_channel, status, created_at, updated_at)
         SELECT $1, 'Chaos Candidate ' || g,
                CASE WHEN g % $4 <> 0 THEN 'crash-' || $2 || '-' || g || '@example.com' END,
                -- Valid US numbers (415-2xx, 415-3xx): SMS_COUNTRIES refuses what is not a real US number.
                CASE WHEN g % $4 = 0 THEN '+1415' || (2 + $5::int)::text || lpad(g::text, 6, '0') END,
                CASE WHEN g % $4 = 0 THEN 'sms' ELSE 'email' END,
                'active', now(), now()
         FROM generate_series(1, $3) g
         RETURNING id, email, phone),
       planned AS (
         INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                                 occurrence, due_at, created_at, updated_at)
         SELECT $1, 'candidate_check_in', 'message', 'chaos:' || c.id, 'planned', c.id, 'candidate', c.id, 'chaos',
                now() - interval '10 minutes' + (row_number() OVER ()) * interval '1 millisecond', now(), now()
         FROM cands c
         RETURNING id, recipient_candidate_id)
       SELECT p.id, c.email, c.phone FROM planned p JOIN cands c ON c.id = p.recipient_candidate_id`,
      [tenantId, tag, n, SMS_EVERY, tenantIndex],
    );
    return r.rows.map((row: { id: string; email: string | null; phone: string | null }) =>
      row.phone ? { id: row.id, channel: 'sms' as const, address: row.phone } : { id: row.id, channel: 'email' as const, address: row.email ?? '' },
    );
  });
}

async function statusCounts(): Promise<Record<string, number>> {
  return withAdminDb(async (c) => {
    const r = await c.query(`SELECT status, count(*)::int AS n FROM follow_ups WHERE dedupe_key LIKE 'chaos:%' GROUP BY status ORDER BY status`);
    return Object.fromEntries(r.rows.map((x: { status: string; n: number }) => [x.status, x.n]));
  });
}

/**
 * The test servers record a message once it has been received in full. When the client dies in
 * the middle of sending one (the SIGKILLed dispatcher may), their private request handler
 * rejects (SMTP: "Connection closed before the message was received in full", ECONNECTION; HTTP:
 * "aborted", ECONNRESET) and nothing handles that rejection, which would fail the suite. Such a
 * message was never accepted (no answer was sent): it was not received. Count it aside, and let
 * any other failure through.
 */
function countAbortedMessages(server: SmtpTestServer | FakeTwilioServer, handler: 'onData' | 'handle'): { aborted: number } {
  const target = server as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  const original = target[handler]!.bind(server);
  const counter = { aborted: 0 };
  target[handler] = async (...args: unknown[]): Promise<void> => {
    try {
      await original(...args);
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      if (e.code !== 'ECONNECTION' && e.code !== 'ECONNRESET' && e.message !== 'aborted') throw err;
      counter.aborted += 1;
    }
  };
  return counter;
}

describe('dispatcher crash (SIGKILL mid-batch)', () => {
  const smtp = new SmtpTestServer();
  const twilio = new FakeTwilioServer();
  const abortedEmails = countAbortedMessages(smtp, 'onData');
  const abortedSms = countAbortedMessages(twilio, 'handle');

  afterAll(async () => {
    // Every dispatcher process, whatever happened; then the servers they talk to.
    await stopAllChildren();
    await twilio.stop();
    await smtp.stop();
  });

  /** Everything received, by recipient address: SMTP RCPT TO, or Twilio's `To`. */
  function received(): Map<string, string[]> {
    const byAddress = new Map<string, string[]>();
    for (const m of smtp.attempts) {
      for (const to of m.envelope.to) byAddress.set(to, [...(byAddress.get(to) ?? []), m.messageId ?? '?']);
    }
    for (const r of twilio.requests) {
      if (r.To) byAddress.set(r.To, [...(byAddress.get(r.To) ?? []), r.sid ?? '?']);
    }
    return byAddress;
  }
  const receivedCount = (): number => smtp.attempts.length + twilio.requests.length;

  it('three dispatchers over 5,000 due follow-ups, one SIGKILLed mid-batch and restarted: none lost, none received twice', async () => {
    const started = Date.now();
    const smtpUrl = (await smtp.start()).url;
    const twilioUrl = (await twilio.start()).url;
    const databaseUrl = testDatabaseUrl();

    // Tenants come from the public API: signup, the firm's own Twilio number, a daily SMS cap
    // above this run's volume. The time zone puts "now" inside the sending windows.
    const zone = zoneWhereItIsAfternoon();
    const seeded: SeededFollowUp[] = [];
    const api = await bootTestApp();
    try {
      for (let i = 0; i < TENANTS; i += 1) {
        const who = await signup(api, { firmName: `Crash Test Staffing ${i}`, timeZone: zone });
        const accountSid = `AC${randomBytes(16).toString('hex')}`;
        const authToken = randomBytes(16).toString('hex');
        twilio.addAccount(accountSid, authToken);
        const auth = { Authorization: `Bearer ${who.token}` };
        await request(api.http)
          .put('/v1/settings/senders')
          .set(auth)
          .send({ twilioAccountSid: accountSid, twilioAuthToken: authToken, twilioFrom: `+1415555010${i}` })
          .expect(200);
        await request(api.http).put('/v1/settings/sending').set(auth).send({ smsDailyCap: 100_000 }).expect(200);
        seeded.push(...(await seedDueCheckIns(who.tenantId, i, PER_TENANT)));
      }
    } finally {
      await api.close();
    }
    expect(seeded).toHaveLength(TOTAL);
    const byAddress = new Map(seeded.map((f) => [f.address, f]));
    expect(byAddress.size).toBe(TOTAL);

    const workerEnv = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(CONCURRENCY + 2),
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      SMTP_URL: smtpUrl,
      TWILIO_API_URL: twilioUrl,
      PUBLIC_URL: 'https://touchpoint.example.com',
      LOG_LEVEL: 'warn',
      DISPATCH_TICK_MS: '200',
      DISPATCH_BATCH_SIZE: String(BATCH),
      DISPATCH_PER_TENANT_BATCH: String(BATCH),
      DISPATCH_CONCURRENCY: String(CONCURRENCY),
      DISPATCH_LEASE_SECONDS: String(LEASE_SECONDS),
      SMS_PER_SECOND_PER_SENDER: '1000',
    };
    const workers = [1, 2, 3].map((n) => NodeChild.start(`dispatcher-${n}`, 'dist/src/worker.js', workerEnv));
    const [victim] = workers as [NodeChild, ...NodeChild[]];
    const describeRun = async (): Promise<string> => `received ${receivedCount()}/${TOTAL}, rows ${JSON.stringify(await statusCounts())}`;

    // Mid-batch: a decent share already received, and the victim holds claimed rows right now,
    // some of them with the send under way.
    const claimedByVictim = `%:${victim.pid}:%`;
    await waitFor(
      `${KILL_AT * 100}% received and ${victim.name} in the middle of a batch`,
      async () => {
        if (receivedCount() < TOTAL * KILL_AT) return undefined;
        const held = await withAdminDb(
          async (c) =>
            (
              await c.query(
                `SELECT count(*)::int AS claimed, count(*) FILTER (WHERE send_started_at IS NOT NULL)::int AS started
                 FROM follow_ups WHERE status = 'sending' AND claimed_by LIKE $1`,
                [claimedByVictim],
              )
            ).rows[0] as { claimed: number; started: number },
        );
        return held.claimed >= 3 && held.started >= 1 ? held : undefined;
      },
      { timeoutMs: 200_000, intervalMs: 20, children: workers, describe: describeRun },
    );
    const exit = await victim.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const receivedAtKill = receivedCount();

    // What the dead process left behind: claimed rows, some with the send already started.
    const orphans = await withAdminDb(async (c) =>
      (
        await c.query(`SELECT id, send_started_at IS NOT NULL AS started FROM follow_ups WHERE status = 'sending' AND claimed_by LIKE $1`, [claimedByVictim])
      ).rows as { id: string; started: boolean }[],
    );
    const orphanedInFlight = orphans.filter((o) => o.started).map((o) => o.id);
    const orphanedUnstarted = orphans.filter((o) => !o.started).map((o) => o.id);
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphanedInFlight.length).toBeLessThanOrEqual(CONCURRENCY);

    // The killed dispatcher comes back as a new process.
    const restarted = NodeChild.start('dispatcher-1 (restarted)', 'dist/src/worker.js', workerEnv);
    const alive = [...workers.slice(1), restarted];

    // Every follow-up reaches a final state: leases expire, recovery re-plans or marks unknown.
    const final = await waitFor(
      'every follow-up to be sent or unknown',
      async () => {
        const counts = await statusCounts();
        return (counts.planned ?? 0) + (counts.sending ?? 0) === 0 ? counts : undefined;
      },
      { timeoutMs: 200_000, intervalMs: 250, children: alive, describe: describeRun },
    );
    await Promise.all(alive.map((w) => w.stop()));

    // The rows: sent, or unknown for exactly the sends the killed process had started.
    const rows = await withAdminDb(async (c) =>
      (
        await c.query(
          `SELECT f.id, f.status, f.message_id, count(m.id)::int AS messages,
                  (array_agg(m.id) FILTER (WHERE m.id IS NOT NULL))[1] AS message_row_id,
                  (array_agg(m.provider_id) FILTER (WHERE m.id IS NOT NULL))[1] AS provider_id
           FROM follow_ups f
           LEFT JOIN messages m ON m.tenant_id = f.tenant_id AND m.follow_up_id = f.id AND m.direction = 'out'
           WHERE f.dedupe_key LIKE 'chaos:%'
           GROUP BY f.id, f.status, f.message_id`,
        )
      ).rows as { id: string; status: string; message_id: string | null; messages: number; message_row_id: string | null; provider_id: string | null }[],
    );
    expect(rows).toHaveLength(TOTAL);
    expect(Object.keys(final).sort()).toEqual(orphanedInFlight.length > 0 ? ['sent', 'unknown'] : ['sent']);
    const unknown = rows.filter((r) => r.status === 'unknown').map((r) => r.id);
    expect(unknown.sort()).toEqual([...orphanedInFlight].sort());
    const statusById = new Map(rows.map((r) => [r.id, r.status]));
    expect(orphanedUnstarted.filter((id) => statusById.get(id) !== 'sent')).toEqual([]);

    // What the servers received: nobody twice, every sent follow-up exactly once, with the
    // provider id its messages row carries; an unknown one at most once; nothing else.
    const got = received();
    const duplicates = [...got].filter(([, ids]) => ids.length > 1).map(([address]) => address);
    expect(duplicates).toEqual([]);
    expect([...got.keys()].filter((address) => !byAddress.has(address))).toEqual([]);
    expect(smtp.attempts.every((m) => m.outcome === 'accepted')).toBe(true);
    expect(twilio.requests.every((r) => r.sid !== undefined)).toBe(true);
    const rowById = new Map(rows.map((r) => [r.id, r]));
    const problems: string[] = [];
    let unknownReceived = 0;
    for (const f of seeded) {
      const row = rowById.get(f.id)!;
      const ids = got.get(f.address) ?? [];
      if (row.status === 'sent') {
        if (ids.length !== 1) problems.push(`${f.channel} ${f.address}: sent, received ${ids.length} times`);
        else if (row.messages !== 1 || row.message_id !== row.message_row_id || row.provider_id !== ids[0]) {
          problems.push(`${f.channel} ${f.address}: sent, but its messages row does not match what was received (${JSON.stringify(row)} vs ${ids[0]})`);
        }
      } else {
        if (ids.length > 1 || row.messages > 1) problems.push(`${f.channel} ${f.address}: unknown, received ${ids.length} times, ${row.messages} messages rows`);
        unknownReceived += ids.length;
      }
    }
    expect(problems).toEqual([]);
    const sent = final.sent ?? 0;
    expect(sent + unknown.length).toBe(TOTAL);
    expect(receivedCount()).toBe(sent + unknownReceived);

    process.stdout.write(
      `[chaos] dispatcher crash: ${TOTAL} follow-ups (${seeded.filter((f) => f.channel === 'sms').length} SMS); ` +
        `killed ${victim.name} at ${receivedAtKill} received, holding ${orphans.length} claimed rows (${orphanedInFlight.length} in flight); ` +
        `final ${JSON.stringify(final)}; received ${receivedCount()} (email ${smtp.attempts.length}, SMS ${twilio.requests.length}), ` +
        `${unknownReceived} of the unknown reached the server, ${abortedEmails.aborted + abortedSms.aborted} cut off mid-transfer; ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }, 450_000);
});
