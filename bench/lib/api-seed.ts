import type { Client } from 'pg';

/**
 * Seeding for B5–B7, straight SQL into the tables (audit and other triggers off while seeding:
 * it is setup, not the measured work). Every row satisfies the schema's checks and composite
 * foreign keys, so the app reads it exactly as rows it wrote itself.
 */

/**
 * `n` live candidates in `tenantId`, newest first one minute apart (millisecond timestamps, as
 * the app writes them, so list cursors stay exact). A realistic mix: every one has an email,
 * half a phone, a third a time zone, a quarter an ATS external id.
 */
export async function seedCandidates(c: Client, tenantId: string, n: number, tag: string): Promise<void> {
  await withTriggersOff(c, () =>
    c.query(
      `INSERT INTO candidates (tenant_id, name, email, phone, time_zone, preferred_channel, status, external_id, external_source,
                               created_at, updated_at)
       SELECT $1, 'Candidate ' || $3 || ' ' || g, 'cand-' || $3 || '-' || g || '@example.com',
              CASE WHEN g % 2 = 0 THEN '+1415' || lpad(g::text, 7, '0') END,
              CASE WHEN g % 3 = 0 THEN 'America/Chicago' END,
              CASE WHEN g % 2 = 0 THEN 'sms' ELSE 'email' END,
              (ARRAY['active', 'active', 'active', 'placed', 'inactive'])[1 + g % 5],
              CASE WHEN g % 4 = 0 THEN 'ats-' || $3 || '-' || g END,
              CASE WHEN g % 4 = 0 THEN 'bullhorn' ELSE 'api' END,
              t, t
       FROM generate_series(1, $2::int) g,
            LATERAL (SELECT date_trunc('milliseconds', now() - g * interval '1 minute') AS t) ts`,
      [tenantId, n, tag],
    ),
  );
}

export interface PipelineShape {
  /** Leads per candidate. */
  leads: number;
  /** Interviews per lead. */
  interviews: number;
  /** Interviewers (contacts) per interview, drawn from a pool of `contacts`. */
  interviewers: number;
  contacts: number;
}

/**
 * A pipeline for every live candidate of `tenantId`: `leads` leads each, `interviews`
 * interviews per lead, `interviewers` interviewer contacts per interview (taken round-robin
 * from a pool of `contacts` interviewer contacts, so contacts are shared between interviews,
 * as in a real firm).
 */
export async function seedPipeline(c: Client, tenantId: string, shape: PipelineShape, tag: string): Promise<void> {
  await withTriggersOff(c, async () => {
    await c.query(
      `INSERT INTO contacts (tenant_id, name, email, company, title, roles, created_at, updated_at)
       SELECT $1, 'Interviewer ' || $3 || ' ' || g, 'int-' || $3 || '-' || g || '@employer.example.com',
              'Employer ' || (g % 10), 'Hiring manager', ARRAY['interviewer', 'employer_contact'], t, t
       FROM generate_series(1, $2::int) g,
            LATERAL (SELECT date_trunc('milliseconds', now() - g * interval '1 minute') AS t) ts`,
      [tenantId, shape.contacts, tag],
    );
    await c.query(
      `INSERT INTO leads (tenant_id, candidate_id, company, position, source, status, status_changed_at, created_at, updated_at)
       SELECT c.tenant_id, c.id, 'Employer ' || (g % 10), 'Position ' || g, 'job_board', 'interviewing', t, t, t
       FROM candidates c, generate_series(1, $2::int) g,
            LATERAL (SELECT date_trunc('milliseconds', c.created_at + g * interval '1 second') AS t) ts
       WHERE c.tenant_id = $1 AND c.deleted_at IS NULL`,
      [tenantId, shape.leads],
    );
    await c.query(
      `INSERT INTO interviews (tenant_id, lead_id, candidate_id, starts_at, duration_minutes, format, meeting_url, time_zone,
                               status, status_changed_at, created_at, updated_at)
       SELECT l.tenant_id, l.id, l.candidate_id, date_trunc('hour', now()) + (g + 1) * interval '1 day', 45, 'video',
              'https://meet.example.com/' || substr(l.id::text, 1, 8) || g, 'America/New_York', 'scheduled', t, t, t
       FROM leads l, generate_series(1, $2::int) g,
            LATERAL (SELECT date_trunc('milliseconds', l.created_at + g * interval '1 second') AS t) ts
       WHERE l.tenant_id = $1 AND l.deleted_at IS NULL`,
      [tenantId, shape.interviews],
    );
    await c.query(
      `WITH pool AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS size FROM contacts WHERE tenant_id = $1),
            ivs AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM interviews WHERE tenant_id = $1)
       INSERT INTO interview_interviewers (tenant_id, interview_id, contact_id, position)
       SELECT $1, ivs.id, pool.id, g
       FROM ivs, generate_series(0, $2::int - 1) g, pool
       WHERE pool.k = (ivs.n * $2::int + g) % pool.size`,
      [tenantId, shape.interviewers],
    );
  });
}

/** VACUUM ANALYZE the tables the B5–B7 requests read, so plans are those of a settled database. */
export async function analyzePipeline(c: Client): Promise<void> {
  for (const t of ['candidates', 'contacts', 'leads', 'interviews', 'interview_interviewers']) await c.query(`VACUUM ANALYZE ${t}`);
}

async function withTriggersOff(c: Client, work: () => Promise<unknown>): Promise<void> {
  await c.query(`SET session_replication_role = replica`);
  try {
    await work();
  } finally {
    await c.query(`SET session_replication_role = DEFAULT`);
  }
}
