import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { AppException } from '../common/app.exception';
import { Clock } from '../common/clock';
import { TenantDb } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import type { MessageEntity } from '../messaging/entities/message.entity';
import { MessagesService } from '../messaging/messages.service';
import { TenancyService } from '../tenancy/tenancy.service';
import { FollowUpPreviewService } from './compose/follow-up-preview.service';
import type { FollowUpPreviewView } from './dto/follow-up-preview.dto';
import { FollowUpEntity } from './follow-up.entity';

export interface Agenda {
  date: string;
  timeZone: string;
  goingOut: FollowUpEntity[];
  awaitingApproval: FollowUpEntity[];
  needsAttention: FollowUpEntity[];
  tasks: FollowUpEntity[];
  goneQuiet: FollowUpEntity[];
  /** Inbound messages nobody has answered or marked handled yet, oldest first (any day). */
  repliesToAnswer: MessageEntity[];
  /** The preview of each pending follow-up above, by id (composed together, in one go). */
  previews: ReadonlyMap<string, FollowUpPreviewView | null>;
}

const AGENDA_LIMIT = 500;

/**
 * The recruiter's morning view, for one day in the firm's time zone.
 *
 *   SELECT … FROM follow_ups f
 *   WHERE f.tenant_id = $1 AND <section condition>
 *     AND ($owner IS NULL OR f.owner_user_id = $owner)
 *   ORDER BY f.due_at, f.id LIMIT 500                      -- follow_ups_agenda_idx (tenant_id, due_at, id)
 */
@Injectable()
export class AgendaService {
  constructor(
    private readonly db: TenantDb,
    private readonly tenancy: TenancyService,
    private readonly clock: Clock,
    private readonly messages: MessagesService,
    private readonly previews: FollowUpPreviewService,
  ) {}

  async forDay(tenantId: TenantId, date: string | undefined, ownerUserId: string | undefined): Promise<Agenda> {
    const tenant = await this.tenancy.get(tenantId);
    const zone = tenant.timeZone;
    const day = date ? DateTime.fromISO(date, { zone }) : DateTime.fromJSDate(this.clock.now()).setZone(zone).startOf('day');
    if (!day.isValid) throw AppException.validation([{ field: 'date', message: 'must be a calendar date such as 2026-11-27' }]);
    const start = day.startOf('day').toJSDate();
    const end = day.plus({ days: 1 }).startOf('day').toJSDate();
    const weekAgo = day.minus({ days: 7 }).startOf('day').toJSDate();
    const repliesToAnswer = await this.messages.openReplies(tenantId, ownerUserId);
    const sections = await this.db.tx(tenantId, async (tx) => {
      const section = async (where: string, params: unknown[]): Promise<FollowUpEntity[]> => {
        const qb = tx.manager
          .getRepository(FollowUpEntity)
          .createQueryBuilder('f')
          .where('f.tenant_id = :tenantId', { tenantId })
          .andWhere(where, Object.fromEntries(params.map((p, i) => [`p${i}`, p])));
        if (ownerUserId) qb.andWhere('f.owner_user_id = :owner', { owner: ownerUserId });
        return qb.orderBy('f.due_at', 'ASC').addOrderBy('f.id', 'ASC').limit(AGENDA_LIMIT).getMany();
      };
      // One after the other: they share the transaction's one connection (pg queues concurrent
      // queries on a client, deprecated and gone in pg 9).
      const goingOut = await section(`f.kind = 'message' AND f.status IN ('planned', 'sending', 'sent') AND f.due_at >= :p0 AND f.due_at < :p1 AND f.rule <> 'candidate_check_in'`, [start, end]);
      const awaitingApproval = await section(`f.status = 'awaiting_approval'`, []);
      const needsAttention = await section(`f.status IN ('failed', 'unknown', 'skipped') AND f.updated_at >= :p0 AND f.updated_at < :p1`, [weekAgo, end]);
      const tasks = await section(`f.kind = 'task' AND f.status = 'planned' AND f.due_at < :p0`, [end]);
      const goneQuiet = await section(`f.rule = 'candidate_check_in' AND f.status IN ('planned', 'sending', 'sent') AND f.due_at >= :p0 AND f.due_at < :p1`, [start, end]);
      return { goingOut, awaitingApproval, needsAttention, tasks, goneQuiet };
    });
    const all = [...sections.goingOut, ...sections.awaitingApproval, ...sections.goneQuiet];
    const previews = await this.previews.previews(tenantId, [...new Map(all.map((f) => [f.id, f])).values()]);
    return { date: day.toISODate() ?? date ?? '', timeZone: zone, ...sections, repliesToAnswer, previews };
  }
}
