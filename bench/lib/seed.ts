import type { Client } from 'pg';

export interface BenchTenant {
  tenantId: string;
  token: string;
  userId: string;
}

/**
 * Tenants made through the public API (signup), as a real firm would be. `timeZone` is the firms'
 * default zone (signup's default is UTC); see daytimeZone() in dispatch-seed.ts.
 */
export async function signupTenants(baseUrl: string, n: number, prefix: string, timeZone?: string): Promise<BenchTenant[]> {
  const out: BenchTenant[] = [];
  for (let i = 0; i < n; i += 1) {
    const res = await fetch(`${baseUrl}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ firmName: `Bench Firm ${prefix} ${i}`, name: `Admin ${i}`, email: `admin.${prefix}.${i}@bench.example.com`, password: 'correct horse battery staple', ...(timeZone ? { timeZone } : {}) }),
    });
    if (res.status !== 201) throw new Error(`signup answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { tenant: { id: string }; user: { id: string }; accessToken: string };
    out.push({ tenantId: body.tenant.id, userId: body.user.id, token: body.accessToken });
  }
  return out;
}

/**
 * `perTenant` active candidates per tenant, each with one check-in follow-up, straight into the
 * database (audit triggers off while seeding: it is setup, not the measured work). Due times are
 * `dueFrom` plus an even spread over `spreadMs`. `sms` gives the candidates a phone and SMS as
 * their preferred channel. Dedupe keys start with `bench:` so resets can find them.
 */
export async function seedCheckIns(
  c: Client,
  tenantIds: readonly string[],
  perTenant: number,
  opts: { dueFrom: Date; spreadMs?: number; sms?: boolean; tag?: string },
): Promise<void> {
  await c.query(`SET session_replication_role = replica`);
  try {
    for (const [ti, tenantId] of tenantIds.entries()) {
      await c.query(
        `WITH cands AS (
           INSERT INTO candidates (tenant_id, name, email, phone, preferred_channel, status, created_at, updated_at)
           SELECT $1, 'Candidate ' || g, 'cand-' || $6 || '-' || $7::int || '-' || g || '@example.com',
                  CASE WHEN $4 THEN '+1415' || (2000000 + $7::int * 100000 + g)::text END,
                  CASE WHEN $4 THEN 'sms' ELSE 'email' END, 'active', now(), now()
           FROM generate_series(1, $5::int) g
           RETURNING id, substr(name, 11)::int AS n)
         INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                                 occurrence, due_at, created_at, updated_at)
         SELECT $1, 'candidate_check_in', 'message', 'bench:' || $6 || ':' || id, 'planned', id, 'candidate', id, 'bench',
                $2::timestamptz + (($3::float8 * (n - 1)) / greatest($5::int, 1)) * interval '1 millisecond', now(), now()
         FROM cands`,
        [tenantId, opts.dueFrom, opts.spreadMs ?? 0, opts.sms === true, perTenant, opts.tag ?? 'a', ti],
      );
    }
  } finally {
    await c.query(`SET session_replication_role = DEFAULT`);
  }
  await c.query('VACUUM ANALYZE candidates');
  await c.query('VACUUM ANALYZE follow_ups');
}

/** Puts every bench follow-up back to planned and removes what sending them produced. */
export async function resetFollowUps(c: Client, dueAt: Date): Promise<void> {
  await c.query(`SET session_replication_role = replica`);
  try {
    await c.query(
      `UPDATE follow_ups SET status = 'planned', message_id = NULL, sent_at = NULL, send_started_at = NULL, channel = NULL,
              attempts = 0, lease_until = NULL, claimed_by = NULL, reason = NULL, error_code = NULL, rate_slot_at = NULL, due_at = $1
        WHERE dedupe_key LIKE 'bench:%' AND status <> 'planned'`,
      [dueAt],
    );
    await c.query(`DELETE FROM follow_ups WHERE dedupe_key NOT LIKE 'bench:%'`);
    await c.query('TRUNCATE follow_up_attempts, audit_log, audit_redactions, email_undeliverable, email_delivery_events, sms_daily_usage, sender_slots, person_engagement, webhook_delivery_attempts, webhook_deliveries, outbox_events');
    await c.query('DELETE FROM messages');
    await c.query(`UPDATE follow_ups SET due_at = $1 WHERE status = 'planned' AND dedupe_key LIKE 'bench:%'`, [dueAt]);
  } finally {
    await c.query(`SET session_replication_role = DEFAULT`);
  }
  for (const t of ['follow_ups', 'messages', 'follow_up_attempts', 'candidates', 'audit_log']) await c.query(`VACUUM ANALYZE ${t}`);
}
