import { Injectable } from '@nestjs/common';
import { AppException } from '../common/app.exception';
import { Clock } from '../common/clock';
import { TenantDb } from '../database/tenant-db.service';
import type { TenantTx } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import { readFollowUpSettings } from '../follow-ups/tenant-settings';
import { TenancyService } from '../tenancy/tenancy.service';
import type { AnalyticsFilterDto } from './dto/analytics-filter.dto';
import {
  DeliverabilityAnalyticsView,
  GoneQuietAnalyticsView,
  GoneQuietRowView,
  OutcomeAnalyticsView,
  OutcomeStatsView,
  PeriodView,
  ProportionView,
  ReasonCountView,
  ReplyAnalyticsView,
  ReplyStatsView,
} from './dto/analytics.views';

export const MAX_PERIOD_DAYS = 400;
export const DEFAULT_PERIOD_DAYS = 30;
export const DEFAULT_WINDOW_DAYS = 7;
/** Days after a follow-up (or its cancellation) within which its outcome counts. */
export const OUTCOME_DAYS = 21;
const TOP_REASONS = 5;
const DAY_MS = 86_400_000;
/** A follow-up cancelled because its person was erased is no decision about them: not a baseline. */
const ERASED_REASON = 'the person was erased';

/** What each measured rule's outcome is, in SQL over the subject `s.subject` from `s.ref`. */
export const OUTCOMES: Record<string, { outcome: string; subject: 'lead' | 'candidate' }> = {
  resume_follow_up: { outcome: 'the lead reached interviewing', subject: 'lead' },
  interview_thank_you: { outcome: 'the lead reached offer', subject: 'lead' },
  candidate_check_in: { outcome: 'the candidate stayed active', subject: 'candidate' },
};

/**
 * An analytics read in the tenant's transaction, planned for what it is: a few aggregate queries
 * over many rows, answered in well under a second. JIT off: its compile time (0.3-0.5 s, measured
 * in B8) only pays for queries that run for seconds. A sort or hash of one month's follow-ups
 * (~70,000 rows) fits in work_mem instead of spilling to disk. Both settings are transaction-local.
 */
export async function analyticsTx<T>(db: TenantDb, tenantId: TenantId, work: (tx: TenantTx) => Promise<T>): Promise<T> {
  return db.tx(tenantId, async (tx) => {
    await tx.query(`SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`);
    return work(tx);
  });
}

/** A validated period and filters. */
export interface AnalyticsQuery {
  since: Date;
  until: Date;
  rule?: string;
  channel?: 'email' | 'sms';
  recruiter?: string;
  variant?: string;
  audience?: 'candidate' | 'contact';
  windowDays: number;
}

/** The checks the DTO cannot make alone; the same 400 over REST and GraphQL. */
export function resolvePeriod(filter: AnalyticsFilterDto, now: Date): AnalyticsQuery {
  const until = filter.until ?? now;
  const since = filter.since ?? new Date(until.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
  if (until.getTime() <= since.getTime()) {
    throw AppException.validation([{ field: 'until', message: 'must be after since' }]);
  }
  if (until.getTime() - since.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    throw AppException.validation([{ field: 'until', message: `the period from since to until may be at most ${MAX_PERIOD_DAYS} days` }]);
  }
  return {
    since,
    until,
    rule: filter.rule,
    channel: filter.channel,
    recruiter: filter.recruiter,
    variant: filter.variant,
    audience: filter.audience,
    windowDays: filter.windowDays ?? DEFAULT_WINDOW_DAYS,
  };
}

/**
 * SQL conditions on `follow_ups f` for a query's filters; appends their values to `params`.
 * `sendOnly` filters (channel, variant) describe a send: with `baseline`, rows that were not sent
 * (cancelled or skipped, the baseline) are kept whatever their channel.
 */
export function followUpFilters(q: AnalyticsQuery, params: unknown[], baseline = false): string {
  const where: string[] = [];
  const add = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.rule) where.push(`f.rule = ${add(q.rule)}`);
  if (q.recruiter) where.push(`f.owner_user_id = ${add(q.recruiter)}`);
  if (q.audience) where.push(`f.recipient_type = ${add(q.audience)}`);
  const sendOnly = (cond: string): string => (baseline ? `(f.status <> 'sent' OR ${cond})` : cond);
  if (q.channel) where.push(sendOnly(`f.channel = ${add(q.channel)}`));
  if (q.variant) where.push(sendOnly(`f.variant = ${add(q.variant)}`));
  return where.map((w) => ` AND ${w}`).join('');
}

/**
 * A sent follow-up's answer within `window` ($n::interval): its first answer (an inbound message on
 * any channel or a logged inbound activity from the recipient, kept on the row as first_answer_at
 * by triggers: migration follow-ups-first-answer) when it came at most `window` after the send.
 */
export function answerWithinSql(window: string): string {
  return `CASE WHEN s.first_answer_at <= s.sent_at + ${window} THEN s.first_answer_at END`;
}

/** The sent follow-ups of the period (by settled_at: follow_ups_settled_idx), as `sent` (id, rule, variant, channel, sent_at, first_answer_at, cand, cont, recipient_type). */
export function sentCte(q: AnalyticsQuery, params: unknown[]): string {
  return `sent AS (
    SELECT f.id, f.rule, f.variant, f.channel, f.recipient_type, f.sent_at, f.first_answer_at, f.recipient_candidate_id AS cand, f.recipient_contact_id AS cont
      FROM follow_ups f
     WHERE f.tenant_id = $1 AND f.kind = 'message' AND f.status = 'sent'
       AND f.settled_at >= $2 AND f.settled_at < $3${followUpFilters(q, params)})`;
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Reply and outcome analytics (issue 15), computed from the tables that hold the facts
 * (follow_ups, messages, activities, lead_status_history, consent_events, candidates):
 * no rollups. Every query runs in the tenant's transaction under RLS. See docs/analytics.md.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly tenancy: TenancyService,
  ) {}

  query(filter: AnalyticsFilterDto): AnalyticsQuery {
    return resolvePeriod(filter, this.clock.now());
  }

  /** Reply rate and time to reply, all rules together and per rule. */
  async replies(tenantId: TenantId, filter: AnalyticsFilterDto): Promise<ReplyAnalyticsView> {
    const q = this.query(filter);
    const params: unknown[] = [tenantId, q.since, q.until];
    const sent = sentCte(q, params);
    params.push(`${q.windowDays} days`);
    const window = `$${params.length}::interval`;
    const rows = await analyticsTx(this.db, tenantId, (tx) =>
      tx.query<{ rule: string | null; g: number; sent: number; replied: number; median: string | null; p90: string | null }>(
        `WITH ${sent},
         answered AS (SELECT s.rule, s.sent_at, ${answerWithinSql(window)} AS replied_at FROM sent s)
         SELECT rule, GROUPING(rule)::int AS g, count(*)::int AS sent, count(replied_at)::int AS replied,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM replied_at - sent_at)) AS median,
                percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM replied_at - sent_at)) AS p90
           FROM answered GROUP BY GROUPING SETS ((), (rule)) ORDER BY g DESC, rule`,
        params,
      ),
    );
    const stats = (r: (typeof rows)[number] | undefined, rule: string | null): ReplyStatsView =>
      Object.assign(new ReplyStatsView(), {
        rule,
        sent: num(r?.sent),
        replied: num(r?.replied),
        replyRate: r && r.sent > 0 ? r.replied / r.sent : null,
        medianSecondsToReply: numOrNull(r?.median),
        p90SecondsToReply: numOrNull(r?.p90),
      });
    return Object.assign(new ReplyAnalyticsView(), {
      period: period(q),
      windowDays: q.windowDays,
      total: stats(rows.find((r) => r.g === 1), null),
      byRule: rows.filter((r) => r.g === 0).map((r) => stats(r, r.rule)),
    });
  }

  /**
   * Outcome rate per measured rule, against its baseline. A subject (lead or candidate) is
   * "followed up" when a follow-up of the rule was sent to it in the period (measured from the
   * first send), else "baseline" when one was cancelled or skipped (from the first of those).
   */
  async outcomes(tenantId: TenantId, filter: AnalyticsFilterDto): Promise<OutcomeAnalyticsView> {
    const q = this.query(filter);
    const measured = Object.keys(OUTCOMES).filter((rule) => !q.rule || rule === q.rule);
    const params: unknown[] = [tenantId, q.since, q.until];
    const filters = followUpFilters(q, params, true);
    params.push(measured, `${OUTCOME_DAYS} days`, ERASED_REASON);
    const [rules, days, erased] = [`$${params.length - 2}`, `$${params.length - 1}::interval`, `$${params.length}`];
    const inbound = (table: 'messages' | 'activities', at: string): string =>
      `EXISTS (SELECT 1 FROM ${table} x WHERE x.tenant_id = $1 AND x.direction = 'in' AND x.candidate_id = s.subject
                  AND x.${at} >= s.ref AND x.${at} <= s.ref + ${days})`;
    // Set-based where the facts are few: the period's lead moves (lead_status_history_changed_idx)
    // are joined to the subjects once, not probed per subject. A followed-up candidate's first
    // inbound message or logged call after the send is already on the follow-up (first_answer_at,
    // the earliest of its sent rows: the answer to the first); only the baseline's candidates, who
    // got no send, are probed for one (an index step each), and only when no move already counted.
    const rows = measured.length === 0 ? [] : await analyticsTx(this.db, tenantId, (tx) =>
      tx.query<{ rule: string; followed: boolean; n: number; hits: number }>(
        `WITH fu AS (
           SELECT f.rule, f.status, f.settled_at AS at, f.first_answer_at,
                  CASE WHEN f.rule = 'candidate_check_in' THEN COALESCE(f.candidate_id, f.recipient_candidate_id) ELSE f.lead_id END AS subject
             FROM follow_ups f
            WHERE f.tenant_id = $1 AND f.kind = 'message' AND f.status IN ('sent', 'skipped', 'cancelled')
              AND f.settled_at >= $2 AND f.settled_at < $3
              AND f.rule = ANY(${rules}::text[]) AND (f.status = 'sent' OR f.reason IS DISTINCT FROM ${erased})${filters}),
         subjects AS MATERIALIZED (
           SELECT rule, subject, bool_or(status = 'sent') AS followed,
                  COALESCE(min(at) FILTER (WHERE status = 'sent'), min(at)) AS ref,
                  min(first_answer_at) FILTER (WHERE status = 'sent') AS answered_at
             FROM fu WHERE subject IS NOT NULL GROUP BY rule, subject),
         moves AS MATERIALIZED (
           SELECT h.lead_id, h.to_status, h.changed_at,
                  (SELECT l.candidate_id FROM leads l WHERE l.tenant_id = $1 AND l.id = h.lead_id AND l.deleted_at IS NULL) AS candidate_id
             FROM lead_status_history h
            WHERE h.tenant_id = $1 AND h.changed_at >= $2 AND h.changed_at <= $3::timestamptz + ${days}
              AND h.to_status IN ('applied', 'interviewing', 'offer', 'accepted')),
         moved AS (
           SELECT DISTINCT s.rule, s.subject FROM subjects s
             JOIN moves m ON m.lead_id = s.subject AND m.changed_at >= s.ref AND m.changed_at <= s.ref + ${days}
                         AND m.to_status IN ('interviewing', 'offer', 'accepted') AND (s.rule = 'resume_follow_up' OR m.to_status <> 'interviewing')
            WHERE s.rule IN ('resume_follow_up', 'interview_thank_you')
           UNION
           SELECT DISTINCT s.rule, s.subject FROM subjects s
             JOIN moves m ON m.candidate_id = s.subject AND m.changed_at >= s.ref AND m.changed_at <= s.ref + ${days}
            WHERE s.rule = 'candidate_check_in')
         SELECT s.rule, s.followed, count(*)::int AS n,
                count(*) FILTER (WHERE m.subject IS NOT NULL OR (s.rule = 'candidate_check_in' AND (s.answered_at <= s.ref + ${days}
                  OR (NOT s.followed AND (${inbound('messages', 'created_at')} OR ${inbound('activities', 'occurred_at')})))))::int AS hits
           FROM subjects s LEFT JOIN moved m ON m.rule = s.rule AND m.subject = s.subject
          GROUP BY s.rule, s.followed`,
        params,
      ),
    );
    const pick = (rule: string, followed: boolean): ProportionView => {
      const r = rows.find((x) => x.rule === rule && x.followed === followed);
      return ProportionView.of(num(r?.n), num(r?.hits));
    };
    return Object.assign(new OutcomeAnalyticsView(), {
      period: period(q),
      outcomeDays: OUTCOME_DAYS,
      rules: measured.map((rule) =>
        Object.assign(new OutcomeStatsView(), { rule, outcome: OUTCOMES[rule]!.outcome, followedUp: pick(rule, true), baseline: pick(rule, false) }),
      ),
    });
  }

  /** Failure, skip and opt-out rates with their top reasons. */
  async deliverability(tenantId: TenantId, filter: AnalyticsFilterDto): Promise<DeliverabilityAnalyticsView> {
    const q = this.query(filter);
    return analyticsTx(this.db, tenantId, async (tx) => {
      const params: unknown[] = [tenantId, q.since, q.until];
      const settled = `FROM follow_ups f
        WHERE f.tenant_id = $1 AND f.kind = 'message' AND f.status IN ('sent', 'failed', 'unknown', 'skipped', 'cancelled')
          AND f.settled_at >= $2 AND f.settled_at < $3${followUpFilters(q, params)}`;
      const [counts] = await tx.query<Record<'settled' | 'sent' | 'failed' | 'skipped' | 'cancelled', number>>(
        `SELECT count(*)::int AS settled, count(*) FILTER (WHERE f.status = 'sent')::int AS sent,
                count(*) FILTER (WHERE f.status IN ('failed', 'unknown'))::int AS failed,
                count(*) FILTER (WHERE f.status = 'skipped')::int AS skipped,
                count(*) FILTER (WHERE f.status = 'cancelled')::int AS cancelled ${settled}`,
        params,
      );
      const reasons = await tx.query<{ grp: string; reason: string; count: number }>(
        `SELECT grp, reason, count FROM (
           SELECT grp, reason, count, row_number() OVER (PARTITION BY grp ORDER BY count DESC, reason) AS rank FROM (
             SELECT CASE WHEN f.status = 'unknown' THEN 'failed' ELSE f.status END AS grp,
                    COALESCE(CASE WHEN f.status IN ('failed', 'unknown') THEN f.error_code END, f.reason, 'no reason recorded') AS reason, count(*)::int AS count
               ${settled} AND f.status <> 'sent' GROUP BY 1, 2) g) r
         WHERE rank <= ${TOP_REASONS} ORDER BY grp, count DESC, reason`,
        params,
      );
      const optParams: unknown[] = [tenantId, q.since, q.until];
      const sent = sentCte(q, optParams);
      optParams.push(`${q.windowDays} days`);
      const w = `$${optParams.length}::interval`;
      // From the period's few opt-outs (consent_events_opt_out_idx) to the sends they followed, not a probe per send:
      // each send counts once, with its first opt-out within the window.
      const optOuts = await tx.query<{ reason: string; count: number }>(
        `WITH ${sent},
         ev AS (SELECT c.candidate_id, c.contact_id, c.source, c.created_at FROM consent_events c
                 WHERE c.tenant_id = $1 AND c.status = 'opted_out' AND c.created_at > $2 AND c.created_at <= $3::timestamptz + ${w}),
         matched AS (
           SELECT s.id, ev.source, ev.created_at FROM sent s JOIN ev ON ev.candidate_id = s.cand
            WHERE ev.created_at > s.sent_at AND ev.created_at <= s.sent_at + ${w}
           UNION ALL
           SELECT s.id, ev.source, ev.created_at FROM sent s JOIN ev ON ev.contact_id = s.cont
            WHERE ev.created_at > s.sent_at AND ev.created_at <= s.sent_at + ${w}),
         firsts AS (SELECT DISTINCT ON (id) id, source FROM matched ORDER BY id, created_at)
         SELECT source AS reason, count(*)::int AS count FROM firsts GROUP BY source ORDER BY count DESC, reason`,
        optParams,
      );
      const c = counts ?? { settled: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 };
      const top = (grp: string): ReasonCountView[] =>
        reasons.filter((r) => r.grp === grp).map((r) => Object.assign(new ReasonCountView(), { reason: r.reason, count: r.count }));
      const optedOut = optOuts.reduce((sum, r) => sum + r.count, 0);
      return Object.assign(new DeliverabilityAnalyticsView(), {
        period: period(q),
        settled: c.settled,
        sent: c.sent,
        cancelled: c.cancelled,
        failures: ProportionView.of(c.sent + c.failed, c.failed),
        skips: ProportionView.of(c.sent + c.failed + c.skipped, c.skipped),
        optOuts: ProportionView.of(c.sent, optedOut),
        topFailureReasons: top('failed'),
        topSkipReasons: top('skipped'),
        topCancelReasons: top('cancelled'),
        topOptOutReasons: optOuts.slice(0, TOP_REASONS).map((r) => Object.assign(new ReasonCountView(), r)),
      });
    });
  }

  /**
   * Per recruiter, as of now: active candidates (not deleted, not erased), and how many of them
   * had no message in or out and no logged activity within the firm's check-in quiet period. The
   * candidates touched within it are read once, from the period's messages and activities
   * (messages_list_idx, activities_candidate_occurred_idx), and joined to the active candidates: no probe
   * per candidate. A candidate never contacted counts from when they were added.
   */
  async goneQuiet(tenantId: TenantId, filter: Pick<AnalyticsFilterDto, 'recruiter'>): Promise<GoneQuietAnalyticsView> {
    const now = this.clock.now();
    const cadence = readFollowUpSettings((await this.tenancy.get(tenantId)).settings).policy.candidate_check_in.timing.quietPeriod;
    const params: unknown[] = [tenantId, now, cadence];
    const owner = filter.recruiter ? ` AND c.owner_user_id = $${params.push(filter.recruiter)}` : '';
    const rows = await analyticsTx(this.db, tenantId, (tx) =>
      tx.query<{ recruiter_id: string | null; recruiter_name: string | null; active: number; quiet: number }>(
        `WITH touched AS (
           SELECT m.candidate_id FROM messages m
            WHERE m.tenant_id = $1 AND m.created_at >= $2::timestamptz - $3::interval AND m.created_at <= $2 AND m.candidate_id IS NOT NULL
           UNION
           SELECT a.candidate_id FROM activities a
            WHERE a.tenant_id = $1 AND a.occurred_at >= $2::timestamptz - $3::interval AND a.occurred_at <= $2 AND a.candidate_id IS NOT NULL)
         SELECT c.owner_user_id AS recruiter_id, u.name AS recruiter_name, count(*)::int AS active,
                count(*) FILTER (WHERE c.created_at < $2::timestamptz - $3::interval AND t.candidate_id IS NULL)::int AS quiet
           FROM candidates c
           LEFT JOIN touched t ON t.candidate_id = c.id
           LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.owner_user_id
          WHERE c.tenant_id = $1 AND c.status = 'active' AND c.deleted_at IS NULL AND c.erased_at IS NULL${owner}
          GROUP BY c.owner_user_id, u.name ORDER BY quiet DESC, u.name NULLS LAST, c.owner_user_id`,
        params,
      ),
    );
    return Object.assign(new GoneQuietAnalyticsView(), {
      asOf: now,
      cadence,
      recruiters: rows.map((r) =>
        Object.assign(new GoneQuietRowView(), { recruiterId: r.recruiter_id, recruiterName: r.recruiter_name, active: r.active, quiet: r.quiet }),
      ),
    });
  }

}

function period(q: AnalyticsQuery): PeriodView {
  return Object.assign(new PeriodView(), { since: q.since, until: q.until });
}
