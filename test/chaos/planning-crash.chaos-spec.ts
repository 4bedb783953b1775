import { randomBytes } from 'node:crypto';
import { STRONG_PASSWORD, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/test-app';
import { call, onDb, startApi } from './support/api-process';
import type { Answer } from './support/api-process';
import { NodeChild, stopAllChildren, waitFor, zoneWhereItIsAfternoon } from './support/process-harness';
import { DedicatedPostgres, startDedicatedPostgres } from './support/process-postgres';

/*
 * Planning is as durable as the change that causes it (issue 12). The API runs as in production
 * (`node dist/src/main.js`) against a PostgreSQL of its own. A burst of concurrent writes that
 * trigger planning (leads moved to applied, interviews scheduled, interviews rescheduled) is cut
 * short: once by SIGKILL of the API, once by a PostgreSQL restart. Then, from the database itself:
 *   - every change that committed has exactly the follow-ups the rules call for: an applied lead
 *     its resume follow-up; a scheduled interview its confirmations (candidate and employer
 *     contact), its thank-you and its reminder, for the time it has now;
 *   - nothing is there twice, and a change that did not commit has none.
 * Before the second design, planning ran in memory after COMMIT: such a burst lost about a quarter
 * of the resume follow-ups for good.
 */

const LEADS = 150;
const CONCURRENCY = 16;
/** The burst is cut once this many requests have been answered. */
const CUT_AFTER = 60;

interface World {
  base: string;
  token: string;
  tenantId: string;
  /** Leads to move to applied, leads to schedule an interview for, interviews to reschedule. */
  toApply: string[];
  toSchedule: string[];
  toReschedule: string[];
}

const API_ENV = (databaseUrl: string): Record<string, string> => ({
  NODE_ENV: 'production',
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: String(CONCURRENCY + 2),
  JWT_SECRET: TEST_JWT_SECRET,
  ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  LOG_LEVEL: 'error',
  // Nothing is sent: the follow-ups planned here are days away, and the check is on the plan.
  SCHEDULER: 'off',
  RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
  RATE_LIMIT_PER_TENANT_PER_MINUTE: '100000',
});

/** A firm, and (straight into the database) its candidates, employer contacts, leads and some interviews. */
async function seed(base: string, databaseUrl: string): Promise<World> {
  const signup = await call(base, 'POST', '/v1/auth/signup', {
    body: { firmName: 'Crash Staffing', name: 'Pat Admin', email: `admin.${randomBytes(4).toString('hex')}@example.com`, password: STRONG_PASSWORD, timeZone: zoneWhereItIsAfternoon() },
  });
  expect(signup.status).toBe(201);
  const tenantId = (signup.body.tenant as { id: string }).id;
  const rows = await onDb(databaseUrl, async (c) => {
    await c.query(`SET session_replication_role = replica`);
    const r = await c.query(
      `WITH n AS (SELECT g FROM generate_series(1, $2) g),
       cands AS (
         INSERT INTO candidates (tenant_id, name, email, status, created_at, updated_at)
         SELECT $1, 'Crash Candidate ' || g, 'crash-cand-' || g || '@example.com', 'inactive', now(), now() FROM n
         RETURNING id, (regexp_match(name, '\\d+$'))[1]::int AS g),
       emps AS (
         INSERT INTO contacts (tenant_id, name, email, created_at, updated_at)
         SELECT $1, 'Crash Employer ' || g, 'crash-emp-' || g || '@example.com', now(), now() FROM n
         RETURNING id, (regexp_match(name, '\\d+$'))[1]::int AS g),
       leads AS (
         INSERT INTO leads (tenant_id, candidate_id, company, position, employer_contact_id, status, created_at, updated_at)
         SELECT $1, c.id, 'Company ' || c.g, 'Role ' || c.g, e.id, CASE WHEN c.g % 3 = 0 THEN 'identified' ELSE 'interviewing' END, now(), now()
         FROM cands c JOIN emps e ON e.g = c.g
         RETURNING id, candidate_id, (regexp_match(company, '\\d+$'))[1]::int AS g),
       ivs AS (
         INSERT INTO interviews (tenant_id, lead_id, candidate_id, starts_at, duration_minutes, format, status, external_source, external_id, created_at, updated_at)
         SELECT $1, l.id, l.candidate_id, now() + interval '3 days', 60, 'video', 'scheduled', 'seed', l.id::text, now(), now() FROM leads l WHERE l.g % 3 = 2
         RETURNING id, lead_id)
       SELECT l.id AS lead_id, l.g, i.id AS interview_id FROM leads l LEFT JOIN ivs i ON i.lead_id = l.id ORDER BY l.g`,
      [tenantId, LEADS],
    );
    await c.query(`SET session_replication_role = DEFAULT`);
    return r.rows as { lead_id: string; g: number; interview_id: string | null }[];
  });
  return {
    base,
    token: signup.body.accessToken as string,
    tenantId,
    toApply: rows.filter((r) => r.g % 3 === 0).map((r) => r.lead_id),
    toSchedule: rows.filter((r) => r.g % 3 === 1).map((r) => r.lead_id),
    toReschedule: rows.filter((r) => r.g % 3 === 2).map((r) => r.interview_id!),
  };
}

/**
 * The burst: every write at most CONCURRENCY at a time, interleaved. `cut` runs once CUT_AFTER
 * answers are in, while the rest are in flight; requests it breaks are simply lost (a client
 * would retry them; whether they committed is what the check finds out).
 */
async function burst(w: World, cut: () => Promise<void>): Promise<Answer[]> {
  const startsAt = new Date(Date.now() + 4 * 86_400_000).toISOString();
  const writes: (() => Promise<Answer>)[] = [];
  for (let i = 0; i < LEADS / 3; i += 1) {
    writes.push(() => call(w.base, 'POST', `/v1/leads/${w.toApply[i]}/status`, { token: w.token, body: { status: 'applied' } }));
    writes.push(() => call(w.base, 'POST', '/v1/interviews', { token: w.token, body: { leadId: w.toSchedule[i], startsAt, durationMinutes: 45, format: 'video' } }));
    writes.push(() => call(w.base, 'POST', `/v1/interviews/${w.toReschedule[i]}/reschedule`, { token: w.token, body: { startsAt } }));
  }
  const answers: Answer[] = [];
  let next = 0;
  let cutting: Promise<void> | undefined;
  const lane = async (): Promise<void> => {
    while (next < writes.length) {
      const write = writes[next]!;
      next += 1;
      try {
        answers.push(await write());
      } catch {
        answers.push({ status: 0, headers: new Headers(), body: {} });
      }
      if (answers.length === CUT_AFTER) cutting = cut();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  await cutting;
  return answers;
}

/** Committed changes without the follow-ups their rules call for, and anything planned twice. */
async function audit(databaseUrl: string, tenantId: string): Promise<{ committed: Record<string, number>; missing: string[]; doubled: string[] }> {
  return onDb(databaseUrl, async (c) => {
    const q = async (sql: string): Promise<string[]> => (await c.query(sql, [tenantId])).rows.map((r: { what: string }) => r.what);
    const applied = (await c.query(`SELECT count(*)::int AS n FROM leads WHERE tenant_id = $1 AND status = 'applied'`, [tenantId])).rows[0].n as number;
    const interviews = (await c.query(`SELECT count(*)::int AS n FROM interviews WHERE tenant_id = $1 AND status = 'scheduled' AND deleted_at IS NULL`, [tenantId])).rows[0].n as number;
    const rescheduled = (await c.query(`SELECT count(DISTINCT interview_id)::int AS n FROM interview_reschedules WHERE tenant_id = $1`, [tenantId])).rows[0].n as number;
    const missing = [
      // An applied lead with an employer contact: one pending resume follow-up to that contact.
      ...(await q(`
        SELECT 'resume_follow_up for lead ' || l.id AS what FROM leads l
        WHERE l.tenant_id = $1 AND l.status = 'applied'
          AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.tenant_id = l.tenant_id AND f.lead_id = l.id AND f.rule = 'resume_follow_up'
                          AND f.status = 'planned' AND f.recipient_contact_id = l.employer_contact_id)`)),
      // A scheduled interview: for its current time, confirmations to the candidate and the
      // employer contact, the thank-you is planned per interviewer (none here), and the reminder.
      ...(await q(`
        SELECT r.rule || ' to the ' || r.who || ' for interview ' || i.id AS what
        FROM interviews i JOIN leads l ON l.tenant_id = i.tenant_id AND l.id = i.lead_id
        CROSS JOIN (VALUES ('interview_confirmation', 'candidate'), ('interview_confirmation', 'contact'), ('thank_you_reminder', 'candidate')) r(rule, who)
        WHERE i.tenant_id = $1 AND i.status = 'scheduled' AND i.deleted_at IS NULL
          -- changed by the burst: scheduled through the API, or rescheduled (the seeded ones were never planned)
          AND (i.external_source <> 'seed' OR EXISTS (SELECT 1 FROM interview_reschedules r WHERE r.tenant_id = i.tenant_id AND r.interview_id = i.id))
          AND NOT EXISTS (
            SELECT 1 FROM follow_ups f WHERE f.tenant_id = i.tenant_id AND f.interview_id = i.id AND f.rule = r.rule AND f.status = 'planned'
              AND f.occurrence = to_char(i.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
              AND CASE r.who WHEN 'candidate' THEN f.recipient_candidate_id = i.candidate_id ELSE f.recipient_contact_id = l.employer_contact_id END)`)),
      // A rescheduled interview keeps nothing pending for its old time.
      ...(await q(`
        SELECT 'a pending ' || f.rule || ' for the old time of interview ' || i.id AS what
        FROM follow_ups f JOIN interviews i ON i.tenant_id = f.tenant_id AND i.id = f.interview_id
        WHERE f.tenant_id = $1 AND f.status IN ('planned', 'awaiting_approval')
          AND f.occurrence <> to_char(i.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)),
      // A lead that did not move has no resume follow-up.
      ...(await q(`
        SELECT 'a resume follow-up for lead ' || l.id || ', which is ' || l.status AS what FROM leads l
        WHERE l.tenant_id = $1 AND l.status <> 'applied'
          AND EXISTS (SELECT 1 FROM follow_ups f WHERE f.tenant_id = l.tenant_id AND f.lead_id = l.id AND f.rule = 'resume_follow_up' AND f.status = 'planned')`)),
    ];
    const doubled = await q(`
      SELECT f.rule || ' x' || count(*) || ' for ' || coalesce(f.interview_id, f.lead_id)::text AS what FROM follow_ups f
      WHERE f.tenant_id = $1 AND f.status IN ('planned', 'awaiting_approval')
      GROUP BY f.rule, f.lead_id, f.interview_id, f.recipient_candidate_id, f.recipient_contact_id HAVING count(*) > 1`);
    const failed = (await c.query(`SELECT count(*)::int AS n FROM reactions WHERE tenant_id = $1 AND status <> 'done'`, [tenantId])).rows[0].n as number;
    return { committed: { applied, interviews, rescheduled, failedReactions: failed }, missing, doubled };
  });
}

function report(what: string, answers: Answer[], result: Awaited<ReturnType<typeof audit>>): void {
  const by = (ok: (s: number) => boolean): number => answers.filter((a) => ok(a.status)).length;
  process.stdout.write(
    `[chaos] planning, ${what}: ${answers.length} writes, ${by((s) => s >= 200 && s < 300)} answered 2xx, ${by((s) => s === 0)} cut, ${by((s) => s >= 500)} 5xx; ` +
      `committed: ${result.committed.applied} applied leads, ${result.committed.interviews} scheduled interviews (${result.committed.rescheduled} rescheduled); ` +
      `missing ${result.missing.length}, doubled ${result.doubled.length}\n`,
  );
}

describe('planning survives a crash', () => {
  let pg: DedicatedPostgres | undefined;

  beforeAll(async () => {
    pg = await startDedicatedPostgres();
  });
  afterAll(async () => {
    await stopAllChildren();
    await pg?.destroy();
  });

  it('the API is SIGKILLed mid-burst: after a restart, every committed change has its follow-ups, once', async () => {
    const databaseUrl = await pg!.createDatabase('planning_kill');
    let { api, base } = await startApi(API_ENV(databaseUrl));
    const w = await seed(base, databaseUrl);
    const answers = await burst(w, async () => {
      await api.kill('SIGKILL');
    });
    expect(answers.filter((a) => a.status >= 200 && a.status < 300).length).toBeGreaterThanOrEqual(CUT_AFTER / 2);
    expect(answers.some((a) => a.status === 0)).toBe(true);

    ({ api, base } = await startApi(API_ENV(databaseUrl)));
    const result = await audit(databaseUrl, w.tenantId);
    report('API SIGKILL', answers, result);
    expect(result.missing).toEqual([]);
    expect(result.doubled).toEqual([]);
    expect(result.committed.failedReactions).toBe(0);
    // The burst did commit a good part of each kind of change before the kill.
    expect(result.committed.applied).toBeGreaterThan(0);
    expect(result.committed.rescheduled).toBeGreaterThan(0);
    // The restarted API answers, and a change now is planned at once.
    const more = w.toApply[w.toApply.length - 1]!;
    const moved = await call(base, 'POST', `/v1/leads/${more}/status`, { token: w.token, body: { status: 'applied' } });
    expect([200, 409]).toContain(moved.status);
    expect((await audit(databaseUrl, w.tenantId)).missing).toEqual([]);
    await api.stop();
  }, 300_000);

  it('PostgreSQL restarts mid-burst: every committed change has its follow-ups, once; the refused ones have none', async () => {
    const databaseUrl = await pg!.createDatabase('planning_restart');
    const { api, base } = await startApi(API_ENV(databaseUrl));
    const w = await seed(base, databaseUrl);
    const answers = await burst(w, async () => {
      await pg!.stop();
      await new Promise((r) => setTimeout(r, 1_500));
      await pg!.start();
    });
    expect(answers.some((a) => a.status === 503 || a.status === 0)).toBe(true);
    await waitFor('the API to be ready again', async () => ((await call(base, 'GET', '/health/ready').catch(() => undefined))?.status === 200 ? true : undefined), {
      timeoutMs: 60_000,
      children: [api as NodeChild],
    });
    const result = await audit(databaseUrl, w.tenantId);
    report('PostgreSQL restart', answers, result);
    expect(result.missing).toEqual([]);
    expect(result.doubled).toEqual([]);
    expect(result.committed.failedReactions).toBe(0);
    expect(result.committed.applied).toBeGreaterThan(0);
    await api.stop();
  }, 300_000);
});
