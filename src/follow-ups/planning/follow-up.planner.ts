import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { TenantId } from '../../database/tenant-id';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import { dedupeKey, occurrence } from '../domain/dedupe';
import type { RecipientType, SubjectType } from '../domain/dedupe';
import { expectsReply, type RuleKey } from '../domain/rules';
import { computeDueTime, shouldNudge, type DueEvent, type DueTime } from '../domain/timing';
import { resolveZone } from '../domain/windows';
import { FollowUpEntity, PENDING_STATUSES } from '../follow-up.entity';
import { readFollowUpSettings } from '../tenant-settings';
import type { FollowUpSettings } from '../tenant-settings';

export interface PlanRequest {
  rule: RuleKey;
  kind?: 'message' | 'task';
  subject: { type: SubjectType; id: string };
  recipient: { type: RecipientType; id: string; timeZone: string | null };
  occurrence: string;
  event: DueEvent;
  candidateId?: string | null;
  leadId?: string | null;
  interviewId?: string | null;
  ownerUserId?: string | null;
  parentFollowUpId?: string | null;
  nudgeNumber?: number | null;
  /** For tasks: what the recruiter should do. */
  note?: string;
}

export interface PlanResult {
  created: boolean;
  id?: string;
  dueAt?: Date;
}

/**
 * Turns "something happened" into follow-up rows, by the tenant's policy. Idempotent: the
 * dedupe key (tenant, rule, subject, recipient, occurrence) is unique, and an insert that meets
 * an existing key does nothing, so a double event or a retry never makes two rows.
 * Callers (the event handlers) learn about changes from domain events, never from other modules'
 * tables.
 */
@Injectable()
export class FollowUpPlanner {
  private readonly wakeListeners: ((dueAt: Date) => void)[] = [];

  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  /** The dispatcher subscribes, to send promptly what is due now. */
  onPlanned(listener: (dueAt: Date) => void): void {
    this.wakeListeners.push(listener);
  }

  /** Tells the dispatcher something is due (after a recruiter's send-now, approve or snooze). */
  notifyDue(dueAt: Date): void {
    for (const listener of this.wakeListeners) listener(dueAt);
  }

  settingsOf(tenantSettings: Record<string, unknown> | null | undefined): FollowUpSettings {
    return readFollowUpSettings(tenantSettings);
  }

  async plan(tx: TenantTx, settings: FollowUpSettings, tenantZone: string, req: PlanRequest): Promise<PlanResult> {
    const policy = settings.policy[req.rule];
    if (!policy.enabled) return { created: false };
    const kind = req.kind ?? 'message';
    const zone = resolveZone(req.recipient.timeZone, tenantZone);
    const due: DueTime =
      kind === 'task' ? { kind: 'due', at: this.clock.now() } : computeDueTime(req.event, settings.policy, { zone, windows: settings.windows });
    const key = dedupeKey({
      tenantId: tx.tenantId,
      rule: req.rule,
      subject: req.subject,
      recipient: { type: req.recipient.type, id: req.recipient.id },
      occurrence: req.occurrence,
    });
    const now = this.clock.now();
    const status = due.kind === 'skip' ? 'skipped' : policy.requiresApproval && kind === 'message' ? 'awaiting_approval' : 'planned';
    const dueAt = due.kind === 'due' ? due.at : now;
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, lead_id, interview_id,
                               recipient_type, recipient_candidate_id, recipient_contact_id, owner_user_id,
                               parent_follow_up_id, nudge_number, occurrence, due_at, requires_approval, reason,
                               created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
       ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
       RETURNING id`,
      [
        tx.tenantId,
        req.rule,
        kind,
        key,
        status,
        req.candidateId ?? null,
        req.leadId ?? null,
        req.interviewId ?? null,
        req.recipient.type,
        req.recipient.type === 'candidate' ? req.recipient.id : null,
        req.recipient.type === 'contact' ? req.recipient.id : null,
        req.ownerUserId ?? null,
        req.parentFollowUpId ?? null,
        req.nudgeNumber ?? null,
        req.occurrence,
        dueAt,
        policy.requiresApproval,
        due.kind === 'skip' ? due.reason : (req.note ?? null),
        now,
      ],
    );
    const id = rows[0]?.id;
    if (id && status === 'planned' && kind === 'message') this.notifyDue(dueAt);
    return { created: id !== undefined, id, dueAt };
  }

  /** Cancels pending follow-ups matching `where` (always within this tenant). */
  async cancel(
    tx: TenantTx,
    where: { rule?: RuleKey | RuleKey[]; leadId?: string; interviewId?: string; recipientCandidateId?: string; recipientContactId?: string; candidateId?: string; notOccurrence?: string },
    reason: string,
  ): Promise<number> {
    const conds: string[] = ['tenant_id = $1', `status IN (${PENDING_STATUSES.map((s) => `'${s}'`).join(', ')})`];
    const params: unknown[] = [tx.tenantId];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      conds.push(sql.replace('?', `$${params.length}`));
    };
    if (where.rule !== undefined) add('rule = ANY(?::text[])', Array.isArray(where.rule) ? where.rule : [where.rule]);
    if (where.leadId !== undefined) add('lead_id = ?', where.leadId);
    if (where.interviewId !== undefined) add('interview_id = ?', where.interviewId);
    if (where.candidateId !== undefined) add('candidate_id = ?', where.candidateId);
    if (where.recipientCandidateId !== undefined) add('recipient_candidate_id = ?', where.recipientCandidateId);
    if (where.recipientContactId !== undefined) add('recipient_contact_id = ?', where.recipientContactId);
    if (where.notOccurrence !== undefined) add('occurrence <> ?', where.notOccurrence);
    if (conds.length < 3) throw new Error('cancel needs at least one condition besides the tenant');
    params.push(reason, this.clock.now());
    // In a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], not the rows.
    const rows = await tx.query<{ id: string; rule: string }>(
      `WITH cancelled AS (
         UPDATE follow_ups SET status = 'cancelled', reason = $${params.length - 1}, updated_at = $${params.length}
         WHERE ${conds.join(' AND ')} RETURNING id, rule)
       SELECT id, rule FROM cancelled`,
      params,
    );
    for (const r of rows) tx.emit('follow_up.cancelled', { followUpId: r.id, rule: r.rule, reason }, { kind: 'system' });
    return rows.length;
  }

  /**
   * After a reply-expecting follow-up is sent, a polite nudge waits for a silent week (at most
   * maxNudges in a row; any reply from the person cancels it).
   */
  async afterSent(tx: TenantTx, sent: FollowUpEntity, ctx: { settings: FollowUpSettings; tenantZone: string; recipientZone: string | null }): Promise<boolean> {
    if (sent.rule === 'one_off' || !expectsReply(sent.rule) || sent.recipientType === 'user' || !sent.sentAt) return false;
    const nudgesSoFar = sent.rule === 'no_reply_nudge' ? (sent.nudgeNumber ?? 1) : 0;
    if (!ctx.settings.policy.no_reply_nudge.enabled || !shouldNudge(nudgesSoFar, ctx.settings.policy.no_reply_nudge.maxNudges)) return false;
    const rootId = sent.rule === 'no_reply_nudge' ? (sent.parentFollowUpId ?? sent.id) : sent.id;
    const personId = sent.recipientCandidateId ?? sent.recipientContactId ?? '';
    const planned = await this.plan(tx, ctx.settings, ctx.tenantZone, {
      rule: 'no_reply_nudge',
      subject: { type: 'follow_up', id: rootId },
      recipient: { type: sent.recipientType, id: personId, timeZone: ctx.recipientZone },
      occurrence: occurrence.nudge(nudgesSoFar + 1),
      event: { rule: 'no_reply_nudge', sentAt: sent.sentAt, nudgesSoFar, now: this.clock.now() },
      candidateId: sent.candidateId,
      leadId: sent.leadId,
      interviewId: sent.interviewId,
      ownerUserId: sent.ownerUserId,
      parentFollowUpId: rootId,
      nudgeNumber: nudgesSoFar + 1,
    });
    return planned.created;
  }

  runInTenant<T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.db.tx(tenantId, work);
  }
}
