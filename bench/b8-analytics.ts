import type { Client } from 'pg';
import { appEnv } from './lib/app-env';
import { startChild } from './lib/children';
import type { Child } from './lib/children';
import type { Bench, BenchContext } from './lib/context';
import { adminClient } from './lib/database';
import { judge } from './lib/results';
import type { Figure } from './lib/results';
import { signupTenants } from './lib/seed';
import { percentile, round } from './lib/stats';

const DAY_MS = 86_400_000;
const TARGET_MS = 300;

/** Full size (the issue's): one firm with 1,000,000 follow-ups and 2,000,000 messages over 400 days. */
const FULL = { followUps: 1_000_000, messages: 2_000_000, candidates: 50_000, contacts: 10_000, leads: 100_000, activities: 100_000, optOuts: 10_000 };
/** BENCH_QUICK=1: the same shape, small, to prove the bench works (not for reporting). */
const QUICK = { followUps: 20_000, messages: 40_000, candidates: 2_000, contacts: 500, leads: 2_000, activities: 2_000, optOuts: 200 };

/**
 * B8: the analytics queries (issue 15) for one month of a firm with 1M follow-ups and 2M messages.
 * The production API (bench/servers/api-server.ts) in its own process; the data seeded with SQL
 * generate_series straight into the tables (triggers off: setup, not the measured work; so the
 * seed sets settled_at and first_answer_at itself, as the triggers would), then
 * VACUUM ANALYZE as autovacuum would. Each endpoint is called sequentially (warm-up first) for the
 * last full month of the data; p50 and p99 of the HTTP round trip, target < 300 ms each.
 */
export const b8: Bench = {
  id: 'B8',
  title: 'Analytics queries, 1M follow-ups and 2M messages in one firm',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const size = ctx.quick ? QUICK : FULL;
    const url = await ctx.server.newDatabase();
    const api: Child = startChild(ctx.root, 'api-server', appEnv(url, { JWT_ACCESS_TTL_SECONDS: '7200' }), 'api');
    try {
      const { port } = (await api.ready) as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const [firm, other] = await signupTenants(base, 2, 'b8');
      const admin = await adminClient(url);
      const now = Date.now();
      const t0 = performance.now();
      try {
        await seed(admin, firm!.tenantId, firm!.userId, size, now);
        // A second firm with a little of everything, for RLS to filter out.
        await seed(admin, other!.tenantId, other!.userId, QUICK, now);
        await admin.query('VACUUM ANALYZE');
      } finally {
        await admin.end();
      }
      const seedS = (performance.now() - t0) / 1000;
      ctx.log(`B8 seeded ${size.followUps} follow-ups, ${size.messages} messages, ${size.candidates} candidates, ${size.leads} leads in ${round(seedS, 1)} s (+ VACUUM ANALYZE)`);

      // The last full month whose 7-day reply windows have closed.
      const until = new Date(now - 8 * DAY_MS);
      const since = new Date(until.getTime() - 30 * DAY_MS);
      const query = `since=${since.toISOString()}&until=${until.toISOString()}`;
      const endpoints: [string, string][] = [
        ['replies', `/v1/analytics/replies?${query}`],
        ['replies (rule + channel)', `/v1/analytics/replies?${query}&rule=candidate_check_in&channel=sms`],
        ['outcomes', `/v1/analytics/outcomes?${query}`],
        ['deliverability', `/v1/analytics/deliverability?${query}`],
        ['gone quiet', `/v1/analytics/gone-quiet`],
        ['variants', `/v1/analytics/variants?${query}`],
      ];
      const warmup = ctx.quick ? 2 : 3;
      const runs = ctx.quick ? 10 : 30;
      const figures: Figure[] = [];
      for (const [name, path] of endpoints) {
        const times: number[] = [];
        for (let i = 0; i < warmup + runs; i += 1) {
          const started = performance.now();
          const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${firm!.token}` } });
          const body = await res.text();
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${body}`);
          if (i >= warmup) times.push(performance.now() - started);
          if (i === 0) ctx.log(`B8   ${name}: ${body.slice(0, 240)}`);
        }
        const note = `${runs} sequential calls after ${warmup} warm-up; one month of ${size.followUps} follow-ups / ${size.messages} messages over 400 days`;
        figures.push(
          judge({ bench: 'B8', name: `${name} p50`, value: percentile(times, 50), unit: 'ms', target: { kind: 'value<', limit: TARGET_MS, text: `< ${TARGET_MS} ms` }, note }),
          judge({ bench: 'B8', name: `${name} p99`, value: percentile(times, 99), unit: 'ms', target: { kind: 'value<', limit: TARGET_MS, text: `< ${TARGET_MS} ms` }, note }),
        );
      }
      return figures;
    } finally {
      await api.stop();
    }
  },
};

/**
 * One firm's history over the 400 days before `now`, in bulk SQL. Follow-ups: a third each of
 * resume_follow_up (to a contact, about a lead), interview_thank_you (to the candidate of a lead)
 * and candidate_check_in (to a candidate); 80% sent (email or SMS, variants a and b), 8% cancelled,
 * 6% skipped, 6% failed. Messages: one outbound per sent follow-up, the rest inbound from the
 * same people (about a third of sends get an answer within a few days). Leads move to
 * interviewing (and a quarter to offer); some inbound calls are logged; a few people opt out.
 */
async function seed(c: Client, tenantId: string, ownerId: string, size: typeof FULL, now: number): Promise<void> {
  const start = new Date(now - 400 * DAY_MS);
  const span = 400 * DAY_MS;
  await c.query(`SET session_replication_role = replica`);
  try {
    await c.query(
      `INSERT INTO candidates (tenant_id, name, email, status, owner_user_id, created_at, updated_at)
       SELECT $1, 'Candidate ' || g, 'b8-cand-' || g || '@example.com', (ARRAY['active', 'active', 'active', 'placed', 'inactive'])[1 + g % 5],
              CASE WHEN g % 2 = 0 THEN $3::uuid END, $4::timestamptz, $4::timestamptz
       FROM generate_series(1, $2::int) g`,
      [tenantId, size.candidates, ownerId, start],
    );
    await c.query(
      `INSERT INTO contacts (tenant_id, name, email, created_at, updated_at)
       SELECT $1, 'Contact ' || g, 'b8-contact-' || g || '@example.com', $3::timestamptz, $3::timestamptz FROM generate_series(1, $2::int) g`,
      [tenantId, size.contacts, start],
    );
    await c.query(`DROP TABLE IF EXISTS b8_cand, b8_cont, b8_lead`);
    await c.query(`CREATE TEMP TABLE b8_cand AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM candidates WHERE tenant_id = $1`, [tenantId]);
    await c.query(`CREATE TEMP TABLE b8_cont AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM contacts WHERE tenant_id = $1`, [tenantId]);
    await c.query(`CREATE UNIQUE INDEX ON b8_cand (n)`);
    await c.query(`CREATE UNIQUE INDEX ON b8_cont (n)`);
    await c.query(
      `INSERT INTO leads (tenant_id, candidate_id, company, position, source, status, employer_contact_id, status_changed_at, created_at, updated_at)
       SELECT $1, ca.id, 'Employer ' || (g % 100), 'Position ' || g, 'job_board', 'applied', co.id, $3::timestamptz, $3::timestamptz, $3::timestamptz
       FROM generate_series(0, $2::int - 1) g
       JOIN b8_cand ca ON ca.n = g % $4::int
       JOIN b8_cont co ON co.n = g % $5::int`,
      [tenantId, size.leads, start, size.candidates, size.contacts],
    );
    await c.query(`CREATE TEMP TABLE b8_lead AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, candidate_id, employer_contact_id FROM leads WHERE tenant_id = $1`, [tenantId]);
    await c.query(`CREATE UNIQUE INDEX ON b8_lead (n)`);
    // Half the leads reach interviewing at some point, a quarter then offer.
    await c.query(
      `INSERT INTO lead_status_history (tenant_id, lead_id, from_status, to_status, changed_at)
       SELECT $1, l.id, 'applied', 'interviewing', $2::timestamptz + (random() * $3::double precision) * interval '1 millisecond'
       FROM b8_lead l WHERE l.n % 2 = 0`,
      [tenantId, start, span],
    );
    await c.query(
      `INSERT INTO lead_status_history (tenant_id, lead_id, from_status, to_status, changed_at)
       SELECT $1, l.id, 'interviewing', 'offer', $2::timestamptz + (random() * $3::double precision) * interval '1 millisecond'
       FROM b8_lead l WHERE l.n % 4 = 0`,
      [tenantId, start, span],
    );
    // Follow-ups, evenly over the 400 days.
    await c.query(
      `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, lead_id, recipient_type, recipient_candidate_id,
                               recipient_contact_id, owner_user_id, occurrence, channel, due_at, sent_at, reason, error_code, variant, settled_at, created_at, updated_at)
       SELECT $1, r.rule, 'message', 'b8:' || g, s.status, l.candidate_id, CASE WHEN r.rule <> 'candidate_check_in' THEN l.id END,
              CASE WHEN r.rule = 'resume_follow_up' THEN 'contact' ELSE 'candidate' END,
              CASE WHEN r.rule = 'resume_follow_up' THEN NULL WHEN r.rule = 'interview_thank_you' THEN l.candidate_id ELSE ca.id END,
              CASE WHEN r.rule = 'resume_follow_up' THEN l.employer_contact_id END,
              CASE WHEN g % 2 = 0 THEN $5::uuid END, 'once',
              CASE WHEN s.status IN ('sent', 'failed') THEN (ARRAY['email', 'sms'])[1 + g % 2] END,
              t.at, CASE WHEN s.status = 'sent' THEN t.at END,
              CASE s.status WHEN 'cancelled' THEN 'the lead moved to interviewing' WHEN 'skipped' THEN 'nobody to send to: no email or phone' END,
              CASE WHEN s.status = 'failed' THEN (ARRAY['invalid_number', 'mailbox_full', 'provider_rejected'])[1 + g % 3] END,
              CASE WHEN s.status = 'sent' THEN (ARRAY['a', 'b'])[1 + (g / 3) % 2] END,
              t.at, t.at, t.at
       FROM generate_series(0, $2::int - 1) g
       CROSS JOIN LATERAL (SELECT (ARRAY['resume_follow_up', 'interview_thank_you', 'candidate_check_in'])[1 + g % 3] AS rule) r
       CROSS JOIN LATERAL (SELECT CASE WHEN g % 50 < 40 THEN 'sent' WHEN g % 50 < 44 THEN 'cancelled' WHEN g % 50 < 47 THEN 'skipped' ELSE 'failed' END AS status) s
       CROSS JOIN LATERAL (SELECT $3::timestamptz + (g::double precision / $2::int * $4::double precision) * interval '1 millisecond' AS at) t
       JOIN b8_lead l ON l.n = g % $6::int
       JOIN b8_cand ca ON ca.n = (g * 7) % $7::int`,
      [tenantId, size.followUps, start, span, ownerId, size.leads, size.candidates],
    );
    // One outbound message per sent follow-up.
    const outbound = await c.query(
      `INSERT INTO messages (tenant_id, candidate_id, contact_id, follow_up_id, direction, channel, status, provider, created_at, updated_at)
       SELECT f.tenant_id, f.recipient_candidate_id, f.recipient_contact_id, f.id, 'out', f.channel, 'delivered', 'log', f.sent_at, f.sent_at
       FROM follow_ups f WHERE f.tenant_id = $1 AND f.status = 'sent' AND f.kind = 'message'`,
      [tenantId],
    );
    // The rest inbound: from the recipients of sends (every third, within 0..5 days), and from others at random times.
    const inbound = Math.max(0, size.messages - (outbound.rowCount ?? 0));
    await c.query(
      `INSERT INTO messages (tenant_id, candidate_id, contact_id, direction, channel, status, provider, reply_state, matched, created_at, updated_at)
       SELECT $1, f.recipient_candidate_id, f.recipient_contact_id, 'in', f.channel, 'received', 'log', 'handled', true,
              f.sent_at + (random() * 5) * interval '1 day', f.sent_at + (random() * 5) * interval '1 day'
       FROM (SELECT * FROM follow_ups WHERE tenant_id = $1 AND status = 'sent' ORDER BY id LIMIT $2::int) f`,
      [tenantId, Math.floor(inbound / 2)],
    );
    await c.query(
      `INSERT INTO messages (tenant_id, candidate_id, direction, channel, status, provider, reply_state, matched, created_at, updated_at)
       SELECT $1, ca.id, 'in', 'sms', 'received', 'log', 'handled', true, t.at, t.at
       FROM generate_series(0, $2::int - 1) g
       JOIN b8_cand ca ON ca.n = (g * 13) % $5::int
       CROSS JOIN LATERAL (SELECT $3::timestamptz + (random() * $4::double precision) * interval '1 millisecond' AS at) t`,
      [tenantId, inbound - Math.floor(inbound / 2), start, span, size.candidates],
    );
    await c.query(
      `INSERT INTO activities (tenant_id, contact_id, direction, channel, kind, occurred_at, created_at, updated_at)
       SELECT $1, co.id, 'in', 'phone', 'call', t.at, t.at, t.at
       FROM generate_series(0, $2::int - 1) g
       JOIN b8_cont co ON co.n = g % $5::int
       CROSS JOIN LATERAL (SELECT $3::timestamptz + (random() * $4::double precision) * interval '1 millisecond' AS at) t`,
      [tenantId, size.activities, start, span, size.contacts],
    );
    // What the follow_ups_first_answer / *_answer_follow_ups triggers keep (they are off while seeding).
    await c.query(
      `UPDATE follow_ups SET first_answer_at = follow_up_first_answer(tenant_id, recipient_candidate_id, recipient_contact_id, sent_at)
        WHERE tenant_id = $1 AND sent_at IS NOT NULL AND kind = 'message'`,
      [tenantId],
    );
    await c.query(
      `INSERT INTO consent_events (tenant_id, candidate_id, channel, status, source, created_at)
       SELECT $1, ca.id, 'sms', 'opted_out', (ARRAY['keyword', 'link'])[1 + g % 2], $3::timestamptz + (random() * $4::double precision) * interval '1 millisecond'
       FROM generate_series(0, $2::int - 1) g JOIN b8_cand ca ON ca.n = (g * 31) % $5::int`,
      [tenantId, size.optOuts, start, span, size.candidates],
    );
  } finally {
    await c.query(`SET session_replication_role = DEFAULT`);
    await c.query(`DROP TABLE IF EXISTS b8_cand, b8_cont, b8_lead`);
  }
}
