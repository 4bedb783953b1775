import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { TenantTx } from '../../database/tenant-db.service';
import { dedupeKey } from '../domain/dedupe';
import type { DueTime } from '../domain/timing';
import { resolveZone } from '../domain/windows';
import { FollowUpEntity, PENDING_STATUSES } from '../follow-up.entity';
import { policyOf } from '../rules/policy';
import { isRuleKey } from '../rules';
import type { RuleKey } from '../rules';
import type { AnyRule, FollowUpWhere, PlanRequest, PlanResult, TaskRequest } from '../rules/rule';
import type { FollowUpSettings } from '../tenant-settings';

/** Which follow-ups, for the planner's cancel and lookups: a rule (or several) and the rule-level conditions. */
export type PlannerWhere = FollowUpWhere & { rule?: string | readonly string[]; kind?: 'message' | 'task' };

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
    const policy = policyOf(settings.policy, keyOf(rule));
    if (!policy.enabled) return { created: false };
    const now = this.clock.now();
    const zone = resolveZone(req.recipient.timeZone, tenantZone);
    const due: DueTime = rule.due(req.due, policy, { zone, windows: settings.windows }, now);
    const status = due.kind === 'skip' ? 'skipped' : policy.requiresApproval ? 'awaiting_approval' : 'planned';
    const dueAt = due.kind === 'due' ? due.at : now;
    const result = await this.insert(tx, {
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
      dueAt,
      requiresApproval: policy.requiresApproval,
      reason: due.kind === 'skip' ? due.reason : null,
      now,
      replan: req.replan === true && due.kind === 'due',
    });
    if (result.id && status === 'planned' && dueAt.getTime() <= now.getTime()) tx.afterCommit(() => this.notifyDue(dueAt));
    return { ...result, dueAt };
  }

  /** A task on the recruiter's agenda (due now), instead of a message nobody can receive. */
  async planTask(tx: TenantTx, settings: FollowUpSettings, rule: AnyRule, req: TaskRequest): Promise<PlanResult> {
    if (!policyOf(settings.policy, keyOf(rule)).enabled) return { created: false };
    const now = this.clock.now();
    const recipient = { type: 'user' as const, id: req.ownerUserId ?? 'unassigned' };
    return this.insert(tx, {
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
    });
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

  private async insert(tx: TenantTx, r: InsertRow): Promise<PlanResult> {
    // A re-plan moves a pending row to the new time, unless a recruiter set its time (snooze, send now).
    const onConflict = r.replan
      ? `DO UPDATE SET due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at
         WHERE follow_ups.status IN (${PENDING_SQL}) AND follow_ups.due_at <> EXCLUDED.due_at
           AND follow_ups.reason IS DISTINCT FROM 'snoozed' AND follow_ups.reason IS DISTINCT FROM 'send now requested'`
      : 'DO NOTHING';
    const rows = await tx.query<{ id: string; created: boolean }>(
      `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, lead_id, interview_id,
                               recipient_type, recipient_candidate_id, recipient_contact_id, owner_user_id,
                               parent_follow_up_id, nudge_number, occurrence, due_at, requires_approval, reason,
                               created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
       ON CONFLICT (tenant_id, dedupe_key) ${onConflict}
       RETURNING id, (xmax = 0) AS created`,
      [
        tx.tenantId,
        r.rule,
        r.kind,
        r.key,
        r.status,
        r.candidateId,
        r.leadId,
        r.interviewId,
        r.recipientType,
        r.recipientCandidateId,
        r.recipientContactId,
        r.ownerUserId,
        r.parentFollowUpId,
        r.nudgeNumber,
        r.occurrence,
        r.dueAt,
        r.requiresApproval,
        r.reason,
        r.now,
      ],
    );
    const row = rows[0];
    return { created: row?.created === true, id: row?.id };
  }
}

interface InsertRow {
  rule: string;
  kind: 'message' | 'task';
  key: string;
  status: 'planned' | 'awaiting_approval' | 'skipped';
  candidateId: string | null;
  leadId: string | null;
  interviewId: string | null;
  recipientType: 'candidate' | 'contact' | 'user';
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
