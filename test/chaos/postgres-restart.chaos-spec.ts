import { randomBytes } from 'node:crypto';
import { SmtpTestServer } from '../support/smtp-test.server';
import { STRONG_PASSWORD, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/test-app';
import { call, onDb, startApi } from './support/api-process';
import { stopAllChildren, waitFor, zoneWhereItIsAfternoon } from './support/process-harness';
import { DedicatedPostgres, startDedicatedPostgres } from './support/process-postgres';

/*
 * PostgreSQL restart. The API runs as it does in production (`node dist/src/main.js`, the
 * scheduler on, the real clock) against a PostgreSQL of its own, which this spec stops and starts
 * again in the middle of a run of due follow-ups. The suite's shared server is never touched.
 *
 * While the database is down:
 *   - /health/live answers 200 and /health/ready 503: a load balancer takes the process out of
 *     rotation without restarting it;
 *   - a write answers 503 problem+json with Retry-After, at once: not a hang, not a 500; GraphQL
 *     says SERVICE_UNAVAILABLE.
 * When it is back, with nobody touching the API process:
 *   - /health/ready answers 200 again, and writes succeed;
 *   - every follow-up is sent, and each person receives their message exactly once. The one
 *     exception the dispatch guarantees allow is a send under way when the database went away:
 *     its result could not be recorded, so it ends `unknown` and is never resent blindly. The
 *     spec makes sure there is one (two emails are slow to be accepted right then), and checks
 *     that what the SMTP server accepted during the outage is exactly such a row.
 */

const FOLLOW_UPS = 240;
/** Due at once when seeded; the rest fall due one by one over the next ~20 s, across the outage. */
const DUE_AT_ONCE = 60;
const SPREAD_MS = 20_000;
/** PostgreSQL is stopped once this many messages have been received. */
const STOP_AFTER = 100;
const CONCURRENCY = 4;

describe('PostgreSQL restart under a running API and dispatcher', () => {
  const smtp = new SmtpTestServer();
  let pg: DedicatedPostgres | undefined;

  afterAll(async () => {
    // The API process first (it holds connections), then its database, then the mail server.
    await stopAllChildren();
    await pg?.destroy();
    await smtp.stop();
  });

  it('answers 503 while PostgreSQL is down, recovers by itself, and loses no follow-up', async () => {
    const started = Date.now();
    pg = await startDedicatedPostgres();
    const databaseUrl = await pg.createDatabase('touchpoint');
    const smtpUrl = (await smtp.start()).url;
    const { api, base } = await startApi({
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(CONCURRENCY + 2),
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'warn',
      SCHEDULER: 'on',
      DISPATCH_TICK_MS: '200',
      DISPATCH_CONCURRENCY: String(CONCURRENCY),
      DISPATCH_LEASE_SECONDS: '5',
    });
    const ready = async (): Promise<number> => (await call(base, 'GET', '/health/ready').catch(() => ({ status: 0 }))).status;

    // A firm signs up; one candidate exists before the outage.
    const signup = await call(base, 'POST', '/v1/auth/signup', {
      body: { firmName: 'Restart Staffing', name: 'Pat Admin', email: `admin.${randomBytes(4).toString('hex')}@example.com`, password: STRONG_PASSWORD, timeZone: zoneWhereItIsAfternoon() },
    });
    expect(signup.status).toBe(201);
    const token = signup.body.accessToken as string;
    const tenantId = (signup.body.tenant as { id: string }).id;
    const before = await call(base, 'POST', '/v1/candidates', { token, body: { name: 'Before Outage', email: 'before.outage@example.com', status: 'inactive' } });
    expect(before.status).toBe(201);

    // Follow-ups, straight into the database: some due now, the rest falling due through the run.
    const tag = randomBytes(4).toString('hex');
    const seeded = await onDb(databaseUrl, async (c) =>
      (
        await c.query(
          `WITH cands AS (
             INSERT INTO candidates (tenant_id, name, email, preferred_channel, status, created_at, updated_at)
             SELECT $1, 'Restart Candidate ' || g, 'restart-' || $2 || '-' || g || '@example.com', 'email', 'active', now(), now()
             FROM generate_series(1, $3) g
             RETURNING id, email),
           numbered AS (SELECT id, email, row_number() OVER (ORDER BY email) AS n FROM cands),
           planned AS (
             INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                                     occurrence, due_at, created_at, updated_at)
             SELECT $1, 'candidate_check_in', 'message', 'chaos:' || id, 'planned', id, 'candidate', id, 'chaos',
                    CASE WHEN n <= $4 THEN now() - interval '1 minute'
                         ELSE now() + (n - $4) * ($5::numeric / ($3 - $4)) * interval '1 millisecond' END,
                    now(), now()
             FROM numbered
             RETURNING id, recipient_candidate_id)
           SELECT p.id, c.email FROM planned p JOIN cands c ON c.id = p.recipient_candidate_id`,
          [tenantId, tag, FOLLOW_UPS, DUE_AT_ONCE, SPREAD_MS],
        )
      ).rows as { id: string; email: string }[],
    );
    expect(seeded).toHaveLength(FOLLOW_UPS);

    // Mid-run: the next two emails are slow to be accepted (5 s), so sends are under way when
    // PostgreSQL goes: their crash marker is committed, their result cannot be recorded.
    await waitFor(`${STOP_AFTER} messages received`, () => (smtp.attempts.length >= STOP_AFTER ? true : undefined), {
      timeoutMs: 90_000,
      intervalMs: 20,
      children: [api],
    });
    smtp.enqueue({ delayMs: 5_000 }, { delayMs: 5_000 });
    const underWay = await waitFor(
      'a send under way',
      async () => {
        const emails = await onDb(databaseUrl, async (c) =>
          (
            await c.query(
              // The messages row is written just before the driver is called, and updated with
              // its answer: while it says 'sending', the email is on its way to the SMTP server.
              `SELECT m.to_address AS email FROM messages m JOIN follow_ups f ON f.tenant_id = m.tenant_id AND f.id = m.follow_up_id
               WHERE f.dedupe_key LIKE 'chaos:%' AND m.direction = 'out' AND m.status = 'sending'`,
            )
          ).rows.map((r: { email: string }) => r.email),
        );
        return emails.length > 0 ? emails : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 20, children: [api] },
    );
    const receivedAtStop = smtp.attempts.length;
    const stoppedAt = new Date();
    await pg.stop();
    const downAt = new Date();
    const downFrom = smtp.attempts.length;

    // While it is down: alive, not ready, writes refused at once with a clear 503.
    const live = await call(base, 'GET', '/health/live');
    expect(live.status).toBe(200);
    const notReady = await call(base, 'GET', '/health/ready');
    expect([notReady.status, notReady.headers.get('content-type'), notReady.body.code]).toEqual([503, 'application/problem+json; charset=utf-8', 'SERVICE_UNAVAILABLE']);
    expect(Number(notReady.headers.get('retry-after'))).toBeGreaterThan(0);
    const refused = await call(base, 'POST', '/v1/candidates', { token, body: { name: 'During Outage', email: 'during.outage@example.com' } });
    expect([refused.status, refused.headers.get('content-type'), refused.body.code]).toEqual([503, 'application/problem+json; charset=utf-8', 'SERVICE_UNAVAILABLE']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.stringify(refused.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|password|stack/i);
    const read = await call(base, 'GET', '/v1/candidates', { token });
    expect(read.status).toBe(503);
    const gql = await call(base, 'POST', '/graphql', {
      token,
      body: { query: 'mutation { createCandidate(input: { name: "During Outage", email: "during.gql@example.com" }) { id } }' },
    });
    const gqlErrors = gql.body.errors as { extensions?: { code?: string } }[] | undefined;
    expect(gqlErrors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    // It stays down until the sends that were under way have reached the mail server; the API
    // stays up and not ready all along (no crash, no restart loop).
    const readinessWhileDown: number[] = [];
    await waitFor(
      'the sends under way to reach the SMTP server',
      async () => {
        readinessWhileDown.push(await ready());
        return underWay.every((email) => smtp.attempts.some((m) => m.envelope.to.includes(email))) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, children: [api] },
    );
    expect(new Set(readinessWhileDown)).toEqual(new Set([503]));
    // Usually the slowed sends are accepted while PostgreSQL is down; on a slow machine one may
    // already be in before the stop. Either way they are checked below: each belongs to an
    // `unknown` row and is never resent.
    const acceptedWhileDown = smtp.attempts.slice(downFrom).flatMap((m) => m.envelope.to);

    // PostgreSQL comes back on the same port with the same data; nobody touches the API.
    await pg.start();
    const restartedAt = Date.now();
    await waitFor('/health/ready to answer 200 again', async () => ((await ready()) === 200 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      children: [api],
    });
    const readyAgainAt = Date.now();
    const after = await call(base, 'POST', '/v1/candidates', { token, body: { name: 'After Outage', email: 'after.outage@example.com', status: 'inactive' } });
    expect(after.status).toBe(201);
    // What was written before the outage is there; what was refused during it is not.
    expect((await call(base, 'GET', `/v1/candidates/${before.body.id as string}`, { token })).status).toBe(200);
    expect((await call(base, 'GET', `/v1/candidates/${after.body.id as string}`, { token })).status).toBe(200);
    const duringOutage = await onDb(databaseUrl, async (c) => (await c.query(`SELECT count(*)::int AS n FROM candidates WHERE name = 'During Outage'`)).rows[0].n as number);
    expect(duringOutage).toBe(0);

    // Every follow-up reaches a final state: the due ones are sent, claims cut by the outage are
    // recovered when their lease expires.
    const statuses = async (): Promise<Record<string, number>> =>
      onDb(databaseUrl, async (c) =>
        Object.fromEntries(
          (await c.query(`SELECT status, count(*)::int AS n FROM follow_ups WHERE dedupe_key LIKE 'chaos:%' GROUP BY status`)).rows.map((r: { status: string; n: number }) => [
            r.status,
            r.n,
          ]),
        ),
      );
    const final = await waitFor(
      'every follow-up to be sent or unknown',
      async () => {
        const s = await statuses();
        return (s.planned ?? 0) + (s.sending ?? 0) === 0 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, children: [api], describe: async () => `received ${smtp.attempts.length}, rows ${JSON.stringify(await statuses())}` },
    );
    api.assertRunning();

    const rows = await onDb(databaseUrl, async (c) =>
      (
        await c.query(
          `SELECT f.id, f.status, f.due_at, f.send_started_at, f.attempts, c.email
           FROM follow_ups f JOIN candidates c ON c.tenant_id = f.tenant_id AND c.id = f.recipient_candidate_id
           WHERE f.dedupe_key LIKE 'chaos:%'`,
        )
      ).rows as { id: string; status: string; due_at: Date; send_started_at: Date | null; attempts: number; email: string }[],
    );
    expect(rows).toHaveLength(FOLLOW_UPS);
    const receivedBy = new Map<string, number>();
    for (const m of smtp.attempts) for (const to of m.envelope.to) receivedBy.set(to, (receivedBy.get(to) ?? 0) + 1);
    // Nobody receives a message twice, and nothing arrives that was not due.
    expect([...receivedBy].filter(([, n]) => n > 1)).toEqual([]);
    expect([...receivedBy.keys()].filter((to) => !seeded.some((s) => s.email === to))).toEqual([]);
    expect(smtp.attempts.every((m) => m.outcome === 'accepted')).toBe(true);
    // Every sent follow-up was received, once.
    expect(rows.filter((r) => r.status === 'sent' && receivedBy.get(r.email) !== 1).map((r) => r.email)).toEqual([]);
    // The only other outcome: a send under way when the database went away. Its result could
    // not be recorded, so it is `unknown`, and it is never resent: a message the SMTP server
    // accepted while PostgreSQL was down is exactly that.
    const unknown = rows.filter((r) => r.status !== 'sent');
    expect(unknown.every((r) => r.status === 'unknown' && r.send_started_at !== null && r.send_started_at <= downAt)).toBe(true);
    expect(unknown.length).toBeLessThanOrEqual(CONCURRENCY);
    const statusByEmail = new Map(rows.map((r) => [r.email, r.status]));
    expect(acceptedWhileDown.map((email) => [email, statusByEmail.get(email)])).toEqual(acceptedWhileDown.map((email) => [email, 'unknown']));
    // Everything that fell due during and after the outage went out.
    const dueLater = rows.filter((r) => r.due_at > downAt);
    expect(dueLater.length).toBeGreaterThan(0);
    expect(dueLater.filter((r) => r.status !== 'sent').map((r) => r.email)).toEqual([]);

    const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    process.stdout.write(
      `[chaos] postgres restart: ${FOLLOW_UPS} follow-ups; PostgreSQL stopped at ${receivedAtStop} received; ` +
        `down ${seconds(restartedAt - stoppedAt.getTime())}, /health/ready 503 until ${seconds(readyAgainAt - restartedAt)} after the restart; ` +
        `final ${JSON.stringify(final)}; received ${smtp.attempts.length} (${unknown.filter((r) => receivedBy.has(r.email)).length} of the unknown, ${acceptedWhileDown.length} while PostgreSQL was down); ` +
        `${dueLater.length} fell due after the stop; ${rows.filter((r) => r.attempts > 1).length} claimed more than once; ${seconds(Date.now() - started)}\n`,
    );
  }, 240_000);
});
