import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { keysetPage } from '../common/keyset';
import type { CursorPage } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid } from '../database/tenant-id';
import type { TenantId } from '../database/tenant-id';
import type { PrincipalActor as Actor } from '../auth/principal';
import { FollowUpPreviewService } from './compose/follow-up-preview.service';
import type { FollowUpPreviewView } from './dto/follow-up-preview.dto';
import { FollowUpEntity, ONE_OFF, PENDING_STATUSES } from './follow-up.entity';
import type { FollowUpFilter } from './dto/follow-up.dto';
import { FollowUpPlanner } from './planning/follow-up.planner';

/** A follow-up with what it would be if it went out now (null once it is no longer pending). */
export interface FollowUpWithPreview {
  followUp: FollowUpEntity;
  preview: FollowUpPreviewView | null;
}

/** A recruiter's (or an ATS's) hands on the follow-ups: list with previews, approve, cancel, snooze, send now, edit. */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly planner: FollowUpPlanner,
    private readonly previews: FollowUpPreviewService,
  ) {}

  /** A page of follow-ups, each with its preview (one composition for the whole page). */
  async listWithPreviews(tenantId: TenantId, f: FollowUpFilter): Promise<{ items: FollowUpWithPreview[]; nextCursor: string | null }> {
    const page = await this.list(tenantId, f);
    return { items: await this.withPreviews(tenantId, page.items), nextCursor: page.nextCursor };
  }

  async getWithPreview(tenantId: TenantId, id: string): Promise<FollowUpWithPreview> {
    return (await this.withPreviews(tenantId, [await this.get(tenantId, id)]))[0]!;
  }

  async withPreviews(tenantId: TenantId, rows: readonly FollowUpEntity[]): Promise<FollowUpWithPreview[]> {
    const previews = await this.previews.previews(tenantId, rows);
    return rows.map((followUp) => ({ followUp, preview: previews.get(followUp.id) ?? null }));
  }

  /** Previews by follow-up id (GraphQL's FollowUp.preview, batched per request). */
  async previewsByIds(tenantId: TenantId, ids: readonly string[]): Promise<Map<string, FollowUpPreviewView | null>> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return new Map();
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.manager.getRepository(FollowUpEntity).createQueryBuilder('f').where('f.tenant_id = :tenantId', { tenantId }).andWhere('f.id = ANY(:ids)', { ids: valid }).getMany(),
    );
    return this.previews.previews(tenantId, rows);
  }

  /** Follow-ups about these leads, interviews, candidates or contacts (GraphQL's nested lists), by due time. */
  async about(tenantId: TenantId, by: 'lead' | 'interview' | 'candidate' | 'contact', ids: readonly string[]): Promise<FollowUpEntity[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    const where = {
      lead: 'f.lead_id = ANY(:ids)',
      interview: 'f.interview_id = ANY(:ids)',
      candidate: '(f.candidate_id = ANY(:ids) OR f.recipient_candidate_id = ANY(:ids))',
      contact: 'f.recipient_contact_id = ANY(:ids)',
    }[by];
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .getRepository(FollowUpEntity)
        .createQueryBuilder('f')
        .where('f.tenant_id = :tenantId', { tenantId })
        .andWhere(where, { ids: valid })
        .orderBy('f.due_at', 'ASC')
        .addOrderBy('f.id', 'ASC')
        .limit(100 * valid.length)
        .getMany(),
    );
  }

  list(tenantId: TenantId, f: FollowUpFilter): Promise<CursorPage<FollowUpEntity>> {
    return this.db.tx(tenantId, (tx) => {
      const qb = tx.manager.getRepository(FollowUpEntity).createQueryBuilder('f').where('f.tenant_id = :tenantId', { tenantId });
      if (f.status) qb.andWhere('f.status = :status', { status: f.status });
      if (f.rule) qb.andWhere('f.rule = :rule', { rule: f.rule });
      if (f.candidateId) qb.andWhere('(f.candidate_id = :cid OR f.recipient_candidate_id = :cid)', { cid: f.candidateId });
      if (f.leadId) qb.andWhere('f.lead_id = :leadId', { leadId: f.leadId });
      if (f.interviewId) qb.andWhere('f.interview_id = :interviewId', { interviewId: f.interviewId });
      if (f.contactId) qb.andWhere('f.recipient_contact_id = :contactId', { contactId: f.contactId });
      if (f.updatedSince) {
        qb.andWhere('f.updated_at >= :since', { since: f.updatedSince });
        return keysetPage(qb, 'f', { sort: 'updated_at', direction: 'ASC', limit: pageLimit(f.limit), cursor: f.cursor });
      }
      return keysetPage(qb, 'f', { sort: 'created_at', direction: 'DESC', limit: pageLimit(f.limit), cursor: f.cursor });
    });
  }

  get(tenantId: TenantId, id: string): Promise<FollowUpEntity> {
    return this.db.tx(tenantId, (tx) => this.load(tx, id));
  }

  approve(tenantId: TenantId, id: string, actor: Actor): Promise<FollowUpWithPreview> {
    return this.changed(tenantId, id, ['awaiting_approval'], 'approve', (f, now) => ({
      status: 'planned',
      approvedAt: now,
      approvedByUserId: actor.kind === 'user' ? actor.id : null,
      reason: null,
      dueAt: f.dueAt,
    }));
  }

  cancel(tenantId: TenantId, id: string, reason: string | undefined, actor: Actor): Promise<FollowUpWithPreview> {
    return this.changed(tenantId, id, PENDING_STATUSES, 'cancel', () => ({
      status: 'cancelled',
      reason: reason ?? `cancelled by ${actor.kind === 'user' ? 'a recruiter' : 'an integration'}`,
    }));
  }

  snooze(tenantId: TenantId, id: string, until: Date): Promise<FollowUpWithPreview> {
    const now = this.clock.now();
    if (until.getTime() <= now.getTime()) throw AppException.validation([{ field: 'until', message: 'must be in the future' }]);
    if (until.getTime() > DateTime.fromJSDate(now).plus({ years: 1 }).toMillis()) {
      throw AppException.validation([{ field: 'until', message: 'must be within a year' }]);
    }
    return this.changed(tenantId, id, PENDING_STATUSES, 'snooze', () => ({ dueAt: until, reason: 'snoozed' }));
  }

  /** Sends as soon as the dispatcher can (sending windows and consent still apply). */
  sendNow(tenantId: TenantId, id: string, actor: Actor): Promise<FollowUpWithPreview> {
    return this.changed(tenantId, id, PENDING_STATUSES, 'send now', (f, now) => ({
      status: 'planned',
      dueAt: now,
      reason: 'send now requested',
      approvedAt: f.status === 'awaiting_approval' ? now : f.approvedAt,
      approvedByUserId: f.status === 'awaiting_approval' && actor.kind === 'user' ? actor.id : f.approvedByUserId,
    }));
  }

  /**
   * Edits the text of one pending follow-up: it then goes as written (a preview shows it, and
   * the dispatcher sends it, on whichever channel applies then; an SMS takes the body). `body:
   * null` goes back to the rule's template.
   */
  edit(tenantId: TenantId, id: string, input: { subject?: string | null; body?: string | null }): Promise<FollowUpWithPreview> {
    // (Checked once the follow-up is found: an unknown id is a 404 whatever the body.)
    return this.changed(tenantId, id, PENDING_STATUSES, 'edit', (f) => {
      if (input.subject === undefined && input.body === undefined) {
        throw AppException.validation([{ field: 'body', message: 'give the new body (and subject, for email), or body: null for the template' }]);
      }
      if (f.kind !== 'message') throw new AppException(ErrorCode.Conflict, 'A task has no text to edit');
      if (input.body === null) {
        if (f.rule === ONE_OFF) throw AppException.validation([{ field: 'body', message: 'a one-off message needs its text' }]);
        return { subject: null, body: null };
      }
      const body = input.body ?? f.body;
      if (body === null) throw AppException.validation([{ field: 'body', message: 'is required to edit the text (the subject alone is not enough)' }]);
      return { body, subject: input.subject !== undefined ? input.subject : f.subject };
    });
  }

  /** A change, answered with the follow-up as it now stands and its preview. */
  private async changed(
    tenantId: TenantId,
    id: string,
    from: readonly FollowUpEntity['status'][],
    action: string,
    patch: (f: FollowUpEntity, now: Date) => Partial<FollowUpEntity>,
  ): Promise<FollowUpWithPreview> {
    return (await this.withPreviews(tenantId, [await this.change(tenantId, id, from, action, patch)]))[0]!;
  }

  private async change(
    tenantId: TenantId,
    id: string,
    from: readonly FollowUpEntity['status'][],
    action: string,
    patch: (f: FollowUpEntity, now: Date) => Partial<FollowUpEntity>,
  ): Promise<FollowUpEntity> {
    const now = this.clock.now();
    const updated = await this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      if (current.kind === 'task' && action !== 'cancel' && action !== 'edit') {
        throw new AppException(ErrorCode.Conflict, `A task cannot be ${action === 'approve' ? 'approved' : 'sent'}; complete it or cancel it`);
      }
      if (!from.includes(current.status)) {
        throw new AppException(ErrorCode.IllegalTransition, `Cannot ${action} a follow-up that is ${current.status}`, {
          extra: { currentStatus: current.status, allowedFrom: from },
        });
      }
      const changes = { ...patch(current, now), updatedAt: now };
      // The status in the WHERE makes a race with the dispatcher lose cleanly instead of double-acting.
      const n = await tx.repo(FollowUpEntity).update({ id, status: current.status }, changes);
      if (n === 0) throw new AppException(ErrorCode.Conflict, 'The follow-up changed meanwhile; reload and try again');
      if (changes.status === 'cancelled') tx.emit('follow_up.cancelled', { followUpId: id, rule: current.rule, reason: changes.reason ?? null });
      const after = await this.load(tx, id);
      if (after.status === 'planned' && after.dueAt.getTime() <= now.getTime()) tx.afterCommit(() => this.planner.notifyDue(after.dueAt));
      return after;
    });
    return updated;
  }

  private async load(tx: TenantTx, id: string): Promise<FollowUpEntity> {
    if (!isUuid(id)) throw AppException.notFound('Follow-up');
    const f = await tx.repo(FollowUpEntity).findOne({ id });
    if (!f) throw AppException.notFound('Follow-up');
    return f;
  }
}
