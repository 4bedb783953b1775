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
import { FollowUpEntity, PENDING_STATUSES } from './follow-up.entity';
import type { FollowUpFilter } from './dto/follow-up.dto';
import { FollowUpPlanner } from './planning/follow-up.planner';

type Actor = { kind: 'user' | 'api_key'; id: string };

/** A recruiter's (or an ATS's) hands on the follow-ups: list, approve, cancel, snooze, send now. */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly planner: FollowUpPlanner,
  ) {}

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

  approve(tenantId: TenantId, id: string, actor: Actor): Promise<FollowUpEntity> {
    return this.change(tenantId, id, ['awaiting_approval'], 'approve', (f, now) => ({
      status: 'planned',
      approvedAt: now,
      approvedByUserId: actor.kind === 'user' ? actor.id : null,
      reason: null,
      dueAt: f.dueAt,
    }));
  }

  cancel(tenantId: TenantId, id: string, reason: string | undefined, actor: Actor): Promise<FollowUpEntity> {
    return this.change(tenantId, id, PENDING_STATUSES, 'cancel', () => ({
      status: 'cancelled',
      reason: reason ?? `cancelled by ${actor.kind === 'user' ? 'a recruiter' : 'an integration'}`,
    }));
  }

  snooze(tenantId: TenantId, id: string, until: Date): Promise<FollowUpEntity> {
    const now = this.clock.now();
    if (until.getTime() <= now.getTime()) throw AppException.validation([{ field: 'until', message: 'must be in the future' }]);
    if (until.getTime() > DateTime.fromJSDate(now).plus({ years: 1 }).toMillis()) {
      throw AppException.validation([{ field: 'until', message: 'must be within a year' }]);
    }
    return this.change(tenantId, id, PENDING_STATUSES, 'snooze', () => ({ dueAt: until, reason: 'snoozed' }));
  }

  /** Sends as soon as the dispatcher can (sending windows and consent still apply). */
  sendNow(tenantId: TenantId, id: string, actor: Actor): Promise<FollowUpEntity> {
    return this.change(tenantId, id, PENDING_STATUSES, 'send now', (f, now) => ({
      status: 'planned',
      dueAt: now,
      reason: 'send now requested',
      approvedAt: f.status === 'awaiting_approval' ? now : f.approvedAt,
      approvedByUserId: f.status === 'awaiting_approval' && actor.kind === 'user' ? actor.id : f.approvedByUserId,
    }));
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
      if (current.kind === 'task' && action !== 'cancel') {
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
      return this.load(tx, id);
    });
    if (updated.status === 'planned' && updated.dueAt.getTime() <= now.getTime()) this.planner.notifyDue(updated.dueAt);
    return updated;
  }

  private async load(tx: TenantTx, id: string): Promise<FollowUpEntity> {
    if (!isUuid(id)) throw AppException.notFound('Follow-up');
    const f = await tx.repo(FollowUpEntity).findOne({ id });
    if (!f) throw AppException.notFound('Follow-up');
    return f;
  }
}
