import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { TenantTx } from '../../database/tenant-db.service';
import { dedupeKey } from '../domain/dedupe';
import type { RecipientType } from '../domain/dedupe';
import type { DueTime } from '../domain/timing';
import { resolveZone } from '../domain/windows';
import { FollowUpEntity, PENDING_STATUSES } from '../follow-up.entity';
import type { FollowUpKind } from '../follow-up.entity';
import { policyOf } from '../rules/policy';
import { isRuleKey } from '../rules';
import type { RuleKey } from '../rules';
import type { AnyRule, FollowUpWhere, PlanRequest, PlanResult, TaskRequest } from '../rules/rule';
import type { FollowUpSettings } from '../tenant-settings';

/** Which follow-ups, for the planner's cancel and lookups: a rule (or several) and the rule-level conditions. */
export type PlannerWhere = FollowUpWhere & { rule?: string | readonly string[]; kind?: FollowUpKind };

const PENDING_SQL = PENDING_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * Turns a rule's plan into a follow-up row, in the caller's transaction (a reaction's). Idempotent:
 * the dedupe key (tenant, rule, subject, recipient, occurrence) is unique, and an insert that meets
 * an existing key does nothing (or, for a re-plan, moves the pending row to the new due time), so
 * a repeated event or a retry never makes two rows.
 *
 *   INSERT INTO follow_ups (…) VALUES (…)
 *   ON CONFLICT (tenant_id, dedupe_key) DO NOTHING                           -- follow_ups_dedupe_key
 *   [DO UPDATE SET due_at = EXCLUDED.due_at WHERE follow_ups.status IN ('planned', 'awaiting_approval') …]
 *   RETURNING id, (xmax = 0) AS created
 *
 * A message planned due now wakes the dispatcher once the transaction commits.
 */
@Injectable()
export class FollowUpPlanner {
  private readonly wakeListeners: ((dueAt: Date) => void)[] = [];

  constructor(private readonly clock: Clock) {}

  /** The dispatcher subscribes, to send promptly what is due now. */
  onDue(listener: (dueAt: Date) => void): void {
    this.wakeListeners.push(listener);
  }

  /** Tells the dispatcher something is due (after COMMIT: a plan, a recruiter's send-now, approve or snooze). */
  notifyDue(dueAt: Date): void {
    for (const listener of this.wakeListeners) listener(dueAt);
  }

  async plan(tx: TenantTx, settings: FollowUpSettings, tenantZone: string, rule: AnyRule, req: PlanRequest<unknown>): Promise<PlanResult> {
    const row = this.messageRow(tx, settings, tenantZone, rule, req);
    if (!row) return { created: false };
    const [result] = await this.insert(tx, [row]);
    return { ...result!, dueAt: row.dueAt };
  }

  /** A task on the recruiter's agenda (due now), instead of a message nobody can receive. */
  async planTask(tx: TenantTx, settings: FollowUpSettings, rule: AnyRule, req: TaskRequest): Promise<PlanResult> {
    const row = this.taskRow(tx, settings, rule, req);
    if (!row) return { created: false };
    return (await this.insert(tx, [row]))[0]!;
  }

  /**
   * Plans written together, for a reaction to several events (a batch of sends): plans are kept
   * and written in one statement when anything needs them in the database (a cancel, a lookup) or
   * at the end; a lookup of what this batch planned is answered from memory.
   */
  batch(tx: TenantTx, settings: FollowUpSettings, tenantZone: string): PlanBatch {
    return new PlanBatch(this, tx, settings, tenantZone);
  }

  /** The row a message plan makes, by the rule's timing and the tenant's policy; null when the rule is off. */
  messageRow(tx: TenantTx, settings: FollowUpSettings, tenantZone: string, rule: AnyRule, req: PlanRequest<unknown>): InsertRow | null {
    const policy = policyOf(settings.policy, keyOf(rule));
    if (!policy.enabled) return null;
    const now = this.clock.now();
    const zone = resolveZone(req.recipient.timeZone, tenantZone);
    const due: DueTime = rule.due(req.due, policy, { zone, windows: settings.windows }, now);
    const status = due.kind === 'skip' ? 'skipped' : policy.requiresApproval ? 'awaiting_approval' : 'planned';
    return {
      rule: keyOf(rule),
      kind: 'message',
      key: dedupeKey({ tenantId: tx.tenantId, rule: keyOf(rule), subject: req.subject, recipient: req.recipient, occurrence: req.occurrence }),
      status,
      candidateId: req.candidateId ?? null,
      leadId: req.leadId ?? null,
      interviewId: req.interviewId ?? null,
      recipientType: req.recipient.type,
      recipientCandidateId: req.recipient.type === 'candidate' ? req.recipient.id : null,
      recipientContactId: req.recipient.type === 'contact' ? req.recipient.id : null,
      ownerUserId: req.ownerUserId ?? null,
      parentFollowUpId: req.parentFollowUpId ?? null,
      nudgeNumber: req.nudgeNumber ?? null,
      occurrence: req.occurrence,
      dueAt: due.kind === 'due' ? due.at : now,
      requiresApproval: policy.requiresApproval,
      reason: due.kind === 'skip' ? due.reason : null,
      now,
      replan: req.replan === true && due.kind === 'due',
    };
  }

  taskRow(tx: TenantTx, settings: FollowUpSettings, rule: AnyRule, req: TaskRequest): InsertRow | null {
    if (!policyOf(settings.policy, keyOf(rule)).enabled) return null;
    const now = this.clock.now();
    const recipient = { type: 'user' as const, id: req.ownerUserId ?? 'unassigned' };
    return {
      rule: keyOf(rule),
      kind: 'task',
      key: dedupeKey({ tenantId: tx.tenantId, rule: keyOf(rule), subject: req.subject, recipient, occurrence: req.occurrence }),
      status: 'planned',
      candidateId: req.candidateId ?? null,
      leadId: req.leadId ?? null,
      interviewId: null,
      recipientType: 'user',
      recipientCandidateId: null,
      recipientContactId: null,
      ownerUserId: req.ownerUserId,
      parentFollowUpId: null,
      nudgeNumber: null,
      occurrence: req.occurrence,
      dueAt: now,
      requiresApproval: false,
      reason: req.note,
      now,
      replan: false,
    };
  }

  /** Cancels pending follow-ups matching `where` (always within this tenant); emits follow_up.cancelled for each. */
  async cancel(tx: TenantTx, where: PlannerWhere, reason: string): Promise<number> {
    const { conds, params } = conditions(tx, where);
    params.push(reason, this.clock.now());
    // In a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], not the rows.
    const rows = await tx.query<{ id: string; rule: string }>(
      `WITH cancelled AS (
         UPDATE follow_ups SET status = 'cancelled', reason = $${params.length - 1}, updated_at = $${params.length}
         WHERE ${conds.join(' AND ')} AND status IN (${PENDING_SQL}) RETURNING id, rule)
       SELECT id, rule FROM cancelled`,
      params,
    );
    for (const r of rows) tx.emit('follow_up.cancelled', { followUpId: r.id, rule: r.rule, reason }, { kind: 'system' });
    return rows.length;
  }

  async hasPending(tx: TenantTx, where: PlannerWhere): Promise<boolean> {
    const { conds, params } = conditions(tx, where);
    const rows = await tx.query(`SELECT 1 FROM follow_ups WHERE ${conds.join(' AND ')} AND status IN (${PENDING_SQL}) LIMIT 1`, params);
    return rows.length > 0;
  }

  /** The latest sent follow-up matching `where`, not of `exceptRule`. */
  async lastSent(tx: TenantTx, where: PlannerWhere & { exceptRule?: string }): Promise<FollowUpEntity | null> {
    const { exceptRule, ...rest } = where;
    const { conds, params } = conditions(tx, rest);
    if (exceptRule !== undefined) {
      params.push(exceptRule);
      conds.push(`rule <> $${params.length}`);
    }
    const rows = await tx.query<{ id: string }>(`SELECT id FROM follow_ups WHERE ${conds.join(' AND ')} AND status = 'sent' ORDER BY sent_at DESC LIMIT 1`, params);
    return rows[0] ? tx.repo(FollowUpEntity).findOne({ id: rows[0].id }) : null;
  }

  /**
   * Writes planned rows, one statement for those that keep an existing row and one for re-plans,
   * and wakes the dispatcher after COMMIT for a message due now. Answers a result per row, in order.
   */
  async insert(tx: TenantTx, rows: readonly InsertRow[]): Promise<PlanResult[]> {
    const results = new Map<string, PlanResult>();
    for (const replan of [false, true]) {
      // One row per key (a statement may not touch a row twice): the last plan of a key wins.
      const group = [...new Map(rows.filter((r) => r.replan === replan).map((r) => [r.key, r])).values()];
      if (group.length === 0) continue;
      // A re-plan moves a pending row to the new time, unless a recruiter set its time (snooze, send now).
      const onConflict = replan
        ? `DO UPDATE SET due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at
           WHERE follow_ups.status IN (${PENDING_SQL}) AND follow_ups.due_at <> EXCLUDED.due_at
             AND follow_ups.reason IS DISTINCT FROM 'snoozed' AND follow_ups.reason IS DISTINCT FROM 'send now requested'`
        : 'DO NOTHING';
      const col = <K extends keyof InsertRow>(k: K): InsertRow[K][] => group.map((r) => r[k]);
      const inserted = await tx.query<{ id: string; dedupe_key: string; created: boolean }>(
        `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, lead_id, interview_id,
                                 recipient_type, recipient_candidate_id, recipient_contact_id, owner_user_id,
                                 parent_follow_up_id, nudge_number, occurrence, due_at, requires_approval, reason,
                                 created_at, updated_at)
         SELECT $1, r.* , $19, $19 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[], $9::text[],
                                    $10::uuid[], $11::uuid[], $12::uuid[], $13::uuid[], $14::int[], $15::text[], $16::timestamptz[],
                                    $17::boolean[], $18::text[]) AS r
         ON CONFLICT (tenant_id, dedupe_key) ${onConflict}
         RETURNING id, dedupe_key, (xmax = 0) AS created`,
        [
          tx.tenantId,
          col('rule'),
          col('kind'),
          col('key'),
          col('status'),
          col('candidateId'),
          col('leadId'),
          col('interviewId'),
          col('recipientType'),
          col('recipientCandidateId'),
          col('recipientContactId'),
          col('ownerUserId'),
          col('parentFollowUpId'),
          col('nudgeNumber'),
          col('occurrence'),
          col('dueAt'),
          col('requiresApproval'),
          col('reason'),
          group[0]!.now,
        ],
      );
      for (const r of inserted) results.set(r.dedupe_key, { created: r.created === true, id: r.id });
    }
    const now = this.clock.now().getTime();
    const dueNow = rows.filter((r) => r.kind === 'message' && r.status === 'planned' && r.dueAt.getTime() <= now && results.get(r.key)?.id);
    if (dueNow.length > 0) tx.afterCommit(() => this.notifyDue(dueNow[0]!.dueAt));
    return rows.map((r) => results.get(r.key) ?? { created: false });
  }
}

/** A follow-up row a plan makes. */
export interface InsertRow {
  rule: string;
  kind: FollowUpKind;
  key: string;
  status: 'planned' | 'awaiting_approval' | 'skipped';
  candidateId: string | null;
  leadId: string | null;
  interviewId: string | null;
  recipientType: RecipientType;
  recipientCandidateId: string | null;
  recipientContactId: string | null;
  ownerUserId: string | null;
  parentFollowUpId: string | null;
  nudgeNumber: number | null;
  occurrence: string;
  dueAt: Date;
  requiresApproval: boolean;
  reason: string | null;
  now: Date;
  replan: boolean;
}

/** `tenant_id = $1 AND …` for a where; throws unless it names what the follow-ups are about or whom they go to. */
function conditions(tx: TenantTx, where: PlannerWhere): { conds: string[]; params: unknown[] } {
  if (where.leadId === undefined && where.interviewId === undefined && where.candidateId === undefined && where.recipient === undefined) {
    throw new Error('a follow-up condition needs a lead, an interview, a candidate or a recipient');
  }
  const conds: string[] = ['tenant_id = $1'];
  const params: unknown[] = [tx.tenantId];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    conds.push(sql.replace('?', `$${params.length}`));
  };
  if (where.rule !== undefined) add('rule = ANY(?::text[])', typeof where.rule === 'string' ? [where.rule] : where.rule);
  if (where.kind !== undefined) add('kind = ?', where.kind);
  if (where.leadId !== undefined) add('lead_id = ?', where.leadId);
  if (where.interviewId !== undefined) add('interview_id = ?', where.interviewId);
  if (where.candidateId !== undefined) add('candidate_id = ?', where.candidateId);
  if (where.recipient !== undefined) add(`${where.recipient.type === 'candidate' ? 'recipient_candidate_id' : 'recipient_contact_id'} = ?`, where.recipient.id);
  if (where.notOccurrence !== undefined) add('occurrence <> ?', where.notOccurrence);
  return { conds, params };
}

/** A registered rule's key (the registry is the only source of rules). */
function keyOf(rule: AnyRule): RuleKey {
  if (!isRuleKey(rule.key)) throw new RangeError(`${rule.key} is not a registered rule`);
  return rule.key;
}

/** See FollowUpPlanner.batch. */
export class PlanBatch {
  private pending: InsertRow[] = [];

  constructor(
    private readonly planner: FollowUpPlanner,
    private readonly tx: TenantTx,
    private readonly settings: FollowUpSettings,
    private readonly tenantZone: string,
  ) {}

  plan(rule: AnyRule, req: PlanRequest<unknown>): PlanResult {
    const row = this.planner.messageRow(this.tx, this.settings, this.tenantZone, rule, req);
    if (row) this.pending.push(row);
    return { created: row !== null, dueAt: row?.dueAt };
  }

  planTask(rule: AnyRule, req: TaskRequest): PlanResult {
    const row = this.planner.taskRow(this.tx, this.settings, rule, req);
    if (row) this.pending.push(row);
    return { created: row !== null, dueAt: row?.dueAt };
  }

  async cancel(where: PlannerWhere, reason: string): Promise<number> {
    await this.flush();
    return this.planner.cancel(this.tx, where, reason);
  }

  /** A pending row this batch planned answers at once; otherwise the database does. */
  async hasPending(where: PlannerWhere): Promise<boolean> {
    if (this.pending.some((r) => r.status !== 'skipped' && matches(r, where))) return true;
    await this.flush();
    return this.planner.hasPending(this.tx, where);
  }

  async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    if (rows.length > 0) await this.planner.insert(this.tx, rows);
  }
}

function matches(r: InsertRow, w: PlannerWhere): boolean {
  const rules = w.rule === undefined ? undefined : typeof w.rule === 'string' ? [w.rule] : w.rule;
  if (rules && !rules.includes(r.rule)) return false;
  if (w.kind !== undefined && r.kind !== w.kind) return false;
  if (w.leadId !== undefined && r.leadId !== w.leadId) return false;
  if (w.interviewId !== undefined && r.interviewId !== w.interviewId) return false;
  if (w.candidateId !== undefined && r.candidateId !== w.candidateId) return false;
  if (w.recipient !== undefined && (w.recipient.type === 'candidate' ? r.recipientCandidateId : r.recipientContactId) !== w.recipient.id) return false;
  if (w.notOccurrence !== undefined && r.occurrence === w.notOccurrence) return false;
  return true;
}
