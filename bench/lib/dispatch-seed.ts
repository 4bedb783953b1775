import type { Client } from 'pg';
import { zoneWhereItIs } from '../../test/support/zones';
import { sleep } from './stats';

/**
 * Seeding and reading helpers for the dispatch benches (B2–B4). Everything goes straight into
 * the database with the audit triggers off (setup, not the measured work); dedupe keys start with
 * `bench:<tag>:` so a run's rows can be found again.
 */

/** A zone where it is now between 12:00 and 13:00: the sending windows stay open for the run. */
export function daytimeZone(now: Date = new Date()): string {
  return zoneWhereItIs(12, now);
}

/** A PUT through the public API with a user's token; throws unless it answers 200. */
export async function apiPut(baseUrl: string, token: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`PUT ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export interface DueSeed {
  tenantId: string;
  /** Part of the dedupe keys (`bench:<tag>:<candidate id>`) and candidate emails; unique per seeding. */
  tag: string;
  /** One follow-up (and one new candidate) per due time. */
  dueAt: readonly Date[];
  /** Candidates with a phone and SMS as their preferred channel (else email only). */
  sms?: boolean;
  /** Phone numbers are `+1` followed by phoneBase + n (n from 1): keep ranges apart per tenant. */
  phoneBase?: number;
}

/**
 * Active candidates, each with one planned check-in follow-up due at the given time. Answers the
 * due time each follow-up was seeded with, by id: the dispatcher moves due_at when it defers a
 * row (for the sender's rate, a window, a retry), so lateness must be measured from these.
 */
export async function seedDueFollowUps(c: Client, seeds: readonly DueSeed[]): Promise<Map<string, Date>> {
  const due = new Map<string, Date>();
  await c.query(`SET session_replication_role = replica`);
  try {
    for (const s of seeds) {
      const r = await c.query<{ id: string; due_at: Date }>(
        `WITH input AS (SELECT d, g::int AS g FROM unnest($2::timestamptz[]) WITH ORDINALITY AS u(d, g)),
         cands AS (
           INSERT INTO candidates (tenant_id, name, email, phone, preferred_channel, status, created_at, updated_at)
           SELECT $1, 'Candidate ' || g, 'cand-' || $3 || '-' || g || '@example.com',
                  CASE WHEN $4 THEN '+1' || ($5::bigint + g)::text END,
                  CASE WHEN $4 THEN 'sms' ELSE 'email' END, 'active', now(), now()
           FROM input
           RETURNING id, substr(name, 11)::int AS n)
         INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                                 occurrence, due_at, created_at, updated_at)
         SELECT $1, 'candidate_check_in', 'message', 'bench:' || $3 || ':' || cands.id, 'planned', cands.id, 'candidate', cands.id,
                'bench', input.d, now(), now()
         FROM cands JOIN input ON input.g = cands.n
         RETURNING id, due_at`,
        [s.tenantId, s.dueAt, s.tag, s.sms === true, s.phoneBase ?? 4_152_000_000],
      );
      for (const row of r.rows) due.set(row.id, row.due_at);
    }
  } finally {
    await c.query(`SET session_replication_role = DEFAULT`);
  }
  await c.query('ANALYZE follow_ups');
  return due;
}

/** `n` due times from `from`, evenly `spreadMs` apart in all (the first at `from`). */
export function evenlyDue(from: number, n: number, spreadMs: number): Date[] {
  return Array.from({ length: n }, (_, i) => new Date(from + (n > 1 ? (spreadMs * i) / n : 0)));
}

export interface SettledRow {
  id: string;
  tenantId: string;
  status: string;
  /** When it was due as seeded (see seedDueFollowUps), else the row's due_at. */
  dueAt: Date;
  /** The row's due_at now: for a row deferred for the sender's rate, the slot it reserved. */
  rowDueAt: Date;
  /** How often the dispatcher deferred it (sender rate, window, daily cap). */
  deferrals: number;
  reason: string | null;
  sentAt: Date | null;
  /** When the messages row was written: just before the driver was called. */
  messageAt: Date | null;
}

/** The follow-ups seeded under these tags, with when they were due, sent and handed to the driver. */
export async function readSeeded(c: Client, tags: readonly string[], seededDue?: ReadonlyMap<string, Date>): Promise<SettledRow[]> {
  const r = await c.query<{
    id: string;
    tenant_id: string;
    status: string;
    due_at: Date;
    sent_at: Date | null;
    message_at: Date | null;
    deferrals: number;
    reason: string | null;
  }>(
    `SELECT f.id, f.tenant_id, f.status, f.due_at, f.sent_at, m.created_at AS message_at, f.reason,
            (SELECT count(*)::int FROM follow_up_attempts a
              WHERE a.tenant_id = f.tenant_id AND a.follow_up_id = f.id AND a.outcome = 'deferred') AS deferrals
       FROM follow_ups f
       LEFT JOIN messages m ON m.tenant_id = f.tenant_id AND m.id = f.message_id
      WHERE f.dedupe_key LIKE ANY ($1::text[])`,
    [tags.map((t) => `bench:${t}:%`)],
  );
  return r.rows.map((x) => ({
    id: x.id,
    tenantId: x.tenant_id,
    status: x.status,
    dueAt: seededDue?.get(x.id) ?? x.due_at,
    rowDueAt: x.due_at,
    deferrals: x.deferrals,
    reason: x.reason,
    sentAt: x.sent_at,
    messageAt: x.message_at,
  }));
}

const FINAL = new Set(['sent', 'failed', 'unknown', 'cancelled', 'skipped']);

/**
 * Waits until every follow-up seeded under these tags is final (sent, failed, …) or `deadline`
 * (epoch ms) passes. Answers how many were still open.
 */
export async function waitSettled(c: Client, tags: readonly string[], deadline: number): Promise<number> {
  for (;;) {
    const rows = await readSeeded(c, tags);
    const open = rows.filter((r) => !FINAL.has(r.status)).length;
    if (open === 0 || Date.now() >= deadline) return open;
    await sleep(500);
  }
}

/**
 * Lateness in ms (sent − due) of the rows. A row not sent counts as late by (at − due), a lower
 * bound, so unsent rows make the percentiles worse rather than vanish from them.
 */
export function latenessMs(rows: readonly SettledRow[], at: number, which: 'sentAt' | 'messageAt' = 'sentAt'): number[] {
  return rows.map((r) => (r[which] ?? new Date(at)).getTime() - r.dueAt.getTime());
}

/** The most timestamps (ms) that fall in any window [t, t + windowMs). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    while ((sorted[i] as number) - (sorted[j] as number) >= windowMs) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** Counts of each status, with the reason for those not sent (`failed: the reason`). */
export function statusCounts(rows: readonly SettledRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const key = r.status === 'sent' || !r.reason ? r.status : `${r.status}: ${r.reason.slice(0, 80)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/**
 * `n` tenants inserted directly, with default settings, in `timeZone` (for benches that need
 * firms but no logins: no app boot). Answers their ids.
 */
export async function insertTenants(c: Client, n: number, prefix: string, timeZone = 'UTC'): Promise<string[]> {
  const r = await c.query<{ id: string }>(
    `INSERT INTO tenants (id, name, webhook_key, time_zone)
     SELECT gen_random_uuid(), 'Bench Firm ' || $1 || ' ' || g, 'bench-' || $1 || '-' || g || '-' || md5(random()::text), $3
     FROM generate_series(1, $2::int) g
     RETURNING id`,
    [prefix, n, timeZone],
  );
  return r.rows.map((x) => x.id);
}

/**
 * Grows follow_ups by `n` planned follow-ups due at pseudo-random seconds within `spreadMs`
 * after `from` (so they reach the due-time index out of order, as planning does), spread over
 * the candidates that exist already: one INSERT … SELECT generate_series, triggers off.
 *
 * A bulk load as a DBA would do it: the plain secondary indexes (the claim index among them) are
 * dropped first and rebuilt after, by their own definitions from pg_indexes, which is about 3x
 * faster than maintaining them row by row. The primary key and the dedupe key stay and are
 * maintained row by row; the ids are given in insertion order (as UUIDv7 would be), which makes
 * the primary key's inserts appends: 2.5x faster than random uuids. The schema ends exactly as
 * the migrations made it; a rebuilt index is only more compactly packed than one grown by
 * inserts, which does not matter to a claim that reads one root-to-leaf path of it, and the
 * claim never touches the primary key when nothing is due.
 */
export async function growFutureFollowUps(c: Client, n: number, from: Date, spreadMs: number, tag: string): Promise<void> {
  const plain = await c.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = 'follow_ups'
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'follow_ups'::regclass)`,
  );
  await c.query(`SET session_replication_role = replica`);
  try {
    for (const x of plain.rows) await c.query(`DROP INDEX "${x.indexname}"`);
    await c.query(
      `WITH c AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(tenant_id ORDER BY id) AS tids, count(*)::int AS n FROM candidates)
       INSERT INTO follow_ups (tenant_id, id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                               occurrence, due_at, created_at, updated_at)
       SELECT c.tids[1 + g % c.n], lpad(to_hex(g), 32, '0')::uuid, 'candidate_check_in', 'message', 'bench:' || $4 || ':' || g, 'planned',
              c.ids[1 + g % c.n], 'candidate', c.ids[1 + g % c.n], 'bench-' || g,
              $2::timestamptz + ((g::bigint * 7919) % greatest(($3::bigint / 1000), 1)) * interval '1 second', now(), now()
       FROM generate_series(1, $1::int) g, c`,
      [n, from, spreadMs, tag],
    );
  } finally {
    await c.query(`SET maintenance_work_mem = '256MB'`);
    for (const x of plain.rows) await c.query(x.indexdef);
    await c.query(`RESET maintenance_work_mem`);
    await c.query(`SET session_replication_role = DEFAULT`);
  }
}

export interface Pass {
  /** When the pass started (epoch ms), how long it took and how many rows it claimed. */
  at: number;
  ms: number;
  claimed: number;
}

/**
 * One line about the dispatcher's passes that claimed something (from the worker children's
 * {cmd:'passes'}): how many, their size and duration, and the longest gap between one worker's
 * consecutive passes (a pass longer than the tick makes the interval skip ticks).
 */
export function describePasses(perWorker: readonly (readonly Pass[])[], tickMs: number): string {
  const all = perWorker.flat();
  if (all.length === 0) return 'no pass claimed anything';
  const ms = all.map((p) => p.ms).sort((x, y) => x - y);
  const q = (v: number[], f: number): number => v[Math.min(v.length - 1, Math.floor(f * v.length))] as number;
  const gaps = perWorker.flatMap((ps) => ps.slice(1).map((p, i) => p.at - (ps[i] as Pass).at));
  const claimed = all.map((p) => p.claimed).sort((x, y) => x - y);
  return (
    `${all.length} passes claimed ${claimed.reduce((n, c) => n + c, 0)} rows (p50 ${q(claimed, 0.5)}, max ${claimed[claimed.length - 1]} per pass); ` +
    `pass duration p50 ${Math.round(q(ms, 0.5))} ms, p99 ${Math.round(q(ms, 0.99))} ms, max ${Math.round(ms[ms.length - 1] as number)} ms, ` +
    `${all.filter((p) => p.ms > tickMs).length} longer than the ${tickMs} ms tick; ` +
    `longest gap between one worker's passes ${gaps.length ? Math.round(Math.max(...gaps)) : 0} ms`
  );
}

/**
 * For each due time (epoch ms), how long until the next of `ticks` (the instants the workers'
 * loops fired, all workers together): the lateness a dispatcher that polls at exactly these
 * instants and costs nothing would have. Due times after the last tick are left out.
 */
export function pollFloorMs(due: readonly number[], ticks: readonly number[]): number[] {
  const t = [...ticks].sort((x, y) => x - y);
  const out: number[] = [];
  for (const d of due) {
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((t[mid] as number) < d) lo = mid + 1;
      else hi = mid;
    }
    if (lo < t.length) out.push((t[lo] as number) - d);
  }
  return out;
}
