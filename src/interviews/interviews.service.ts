import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { Actor } from '../candidates/candidates.service';
import { AppException, ErrorCode, FieldError } from '../common/app.exception';
import { changedFields } from '../common/changes';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { doubleCheck, WarningView } from '../people/double-check';
import { CursorPage, keysetPage } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { ContactsService } from '../contacts/contacts.service';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import { isOpen } from '../leads/lead-status';
import { LeadsService } from '../leads/leads.service';
import type { InterviewFilter, RescheduleInterviewDto, ScheduleInterviewDto, UpdateInterviewDto } from './dto/interview.dto';
import {
  ACTIVE_INTERVIEW_STATUSES,
  InterviewEntity,
  InterviewInterviewerEntity,
  InterviewRescheduleEntity,
  InterviewStatus,
} from './interview.entity';

export interface InterviewRecord {
  interview: InterviewEntity;
  interviewerIds: string[];
  warnings: WarningView[];
}

const EDITABLE = ['format', 'location', 'meetingUrl', 'timeZone', 'scheduledBy', 'scheduledByContactId'] as const;

/** The explicit end states and the event each emits. */
const CLOSE_OUT = {
  cancelled: 'interview.cancelled',
  completed: 'interview.completed',
  no_show: 'interview.no_show',
} as const;

@Injectable()
export class InterviewsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly leads: LeadsService,
    private readonly contacts: ContactsService,
  ) {}

  /** Schedules an interview for an open lead, with interviewers who are contacts of this firm. */
  async schedule(tenantId: TenantId, input: ScheduleInterviewDto, actor: Actor): Promise<InterviewRecord> {
    this.assertFuture(input.startsAt);
    const [lead] = await this.leads.findByIds(tenantId, [input.leadId]);
    if (!lead) throw AppException.validation([{ field: 'leadId', message: 'is not a lead of this firm' }]);
    if (!isOpen(lead.status)) {
      throw new AppException(ErrorCode.Conflict, `The lead is ${lead.status}; interviews can be scheduled only for open leads`, {
        errors: [{ field: 'leadId', message: `lead is ${lead.status}` }],
      });
    }
    const interviewerIds = dedupe(input.interviewerIds ?? []);
    const warnings = await this.checkPeople(tenantId, interviewerIds, input.scheduledByContactId);
    const now = this.clock.now();
    try {
      return await this.db.tx(tenantId, async (tx) => {
        const interview = await tx.repo(InterviewEntity).insert({
          leadId: lead.id,
          candidateId: lead.candidateId,
          startsAt: input.startsAt,
          durationMinutes: input.durationMinutes,
          format: input.format,
          location: input.location ?? null,
          meetingUrl: input.meetingUrl ?? null,
          timeZone: input.timeZone ?? null,
          scheduledBy: input.scheduledBy ?? 'employer',
          scheduledByContactId: input.scheduledByContactId ?? null,
          status: 'scheduled',
          statusChangedAt: now,
          cancelReason: null,
          externalId: input.externalId ?? null,
          externalSource: input.externalSource ?? 'api',
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        });
        await this.setInterviewers(tx, interview.id, interviewerIds);
        tx.emit('interview.scheduled', { ...eventIds(interview), startsAt: interview.startsAt.toISOString(), durationMinutes: interview.durationMinutes, interviewerIds }, actor);
        return { interview, interviewerIds, warnings };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'interviews_external_key')) {
        throw new AppException(ErrorCode.Conflict, 'An interview with this externalId already exists', { errors: [{ field: 'externalId', message: 'is already in use' }] });
      }
      throw err;
    }
  }

  get(tenantId: TenantId, id: string): Promise<InterviewRecord> {
    return this.db.tx(tenantId, async (tx) => {
      const interview = await this.load(tx, id);
      return { interview, interviewerIds: await this.interviewerIdsOf(tx, interview.id), warnings: [] };
    });
  }

  /**
   *   SELECT i.* FROM interviews i
   *   WHERE i.tenant_id = $1 [AND i.deleted_at IS NULL unless includeDeleted] [AND i.lead_id = $2] [AND i.candidate_id = $3] [AND i.status = $4]
   *     [AND i.updated_at >= $5] [AND (i.created_at, i.id) < ($k, $id)]
   *   ORDER BY i.created_at DESC, i.id DESC LIMIT $limit + 1       -- interviews_list_idx
   * then one query for the interviewers of the whole page.
   */
  list(tenantId: TenantId, filter: InterviewFilter, page: { limit?: number; cursor?: string }): Promise<CursorPage<InterviewRecord>> {
    return this.db.tx(tenantId, async (tx) => {
      const qb = tx.manager
        .createQueryBuilder(InterviewEntity, 'i')
        .where('i.tenant_id = :tenantId', { tenantId: tx.tenantId });
      if (!filter.includeDeleted) qb.andWhere('i.deleted_at IS NULL');
      if (filter.leadId) qb.andWhere('i.lead_id = :leadId', { leadId: filter.leadId });
      if (filter.candidateId) qb.andWhere('i.candidate_id = :candidateId', { candidateId: filter.candidateId });
      if (filter.status) qb.andWhere('i.status = :status', { status: filter.status });
      if (filter.updatedSince) qb.andWhere('i.updated_at >= :since', { since: filter.updatedSince });
      const sync = filter.updatedSince !== undefined;
      const result = await keysetPage(qb, 'i', {
        sort: sync ? 'updated_at' : 'created_at',
        direction: sync ? 'ASC' : 'DESC',
        limit: pageLimit(page.limit),
        cursor: page.cursor,
      });
      const links = await this.links(tx, result.items.map((i) => i.id));
      return { ...result, items: result.items.map((interview) => ({ interview, interviewerIds: links.get(interview.id) ?? [], warnings: [] })) };
    });
  }

  async update(tenantId: TenantId, id: string, patch: UpdateInterviewDto, actor: Actor): Promise<InterviewRecord> {
    const interviewerIds = patch.interviewerIds ? dedupe(patch.interviewerIds) : undefined;
    const warnings = await this.checkPeople(tenantId, interviewerIds ?? [], patch.scheduledByContactId);
    return this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      const fields: Record<string, unknown> = {};
      for (const key of EDITABLE) if (patch[key] !== undefined) fields[key] = patch[key];
      const changes = changedFields(current, fields as Partial<InterviewEntity>);
      const names: string[] = Object.keys(changes);
      const currentIds = await this.interviewerIdsOf(tx, id);
      if (interviewerIds && !sameSet(currentIds, interviewerIds)) {
        await tx.query(`DELETE FROM interview_interviewers WHERE tenant_id = $1 AND interview_id = $2`, [tx.tenantId, id]);
        await this.setInterviewers(tx, id, interviewerIds);
        names.push('interviewerIds');
      }
      if (names.length === 0) return { interview: current, interviewerIds: currentIds, warnings };
      const updatedAt = this.clock.now();
      await tx.repo(InterviewEntity).update({ id, deletedAt: IsNull() }, { ...changes, updatedAt });
      tx.emit('interview.updated', { ...eventIds(current), fields: names }, actor);
      return { interview: Object.assign(new InterviewEntity(), current, changes, { updatedAt }), interviewerIds: interviewerIds ?? currentIds, warnings };
    });
  }

  /**
   * Moves an upcoming interview. The old time is kept in interview_reschedules, the status goes
   * back to scheduled (a confirmation was for the old time), and interview.rescheduled carries
   * the old and the new times.
   */
  async reschedule(tenantId: TenantId, id: string, input: RescheduleInterviewDto, actor: Actor): Promise<InterviewRecord> {
    this.assertFuture(input.startsAt);
    return this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      this.assertActive(current, 'reschedule');
      const durationMinutes = input.durationMinutes ?? current.durationMinutes;
      if (current.startsAt.getTime() === input.startsAt.getTime() && durationMinutes === current.durationMinutes) {
        throw AppException.validation([{ field: 'startsAt', message: 'is the time the interview already has' }]);
      }
      const now = this.clock.now();
      const changes: Partial<InterviewEntity> = { startsAt: input.startsAt, durationMinutes, status: 'scheduled', updatedAt: now };
      if (current.status !== 'scheduled') changes.statusChangedAt = now;
      await this.guardedUpdate(tx, current, changes);
      await tx.repo(InterviewRescheduleEntity).insert({
        interviewId: id,
        previousStartsAt: current.startsAt,
        previousDurationMinutes: current.durationMinutes,
        newStartsAt: input.startsAt,
        newDurationMinutes: durationMinutes,
        reason: input.reason ?? null,
        rescheduledAt: now,
        actorKind: actor?.kind ?? null,
        actorId: actor?.id ?? null,
      });
      tx.emit(
        'interview.rescheduled',
        {
          ...eventIds(current),
          oldStartsAt: current.startsAt.toISOString(),
          newStartsAt: input.startsAt.toISOString(),
          oldDurationMinutes: current.durationMinutes,
          newDurationMinutes: durationMinutes,
          reason: input.reason ?? null,
        },
        actor,
      );
      return { interview: Object.assign(new InterviewEntity(), current, changes), interviewerIds: await this.interviewerIdsOf(tx, id), warnings: [] };
    });
  }

  /** cancel, complete and no-show: explicit moves out of scheduled or confirmed. */
  closeOut(tenantId: TenantId, id: string, to: 'cancelled' | 'completed' | 'no_show', reason: string | undefined, actor: Actor): Promise<InterviewRecord> {
    return this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      this.assertActive(current, to === 'cancelled' ? 'cancel' : to === 'completed' ? 'complete' : 'mark as no-show');
      const now = this.clock.now();
      const changes: Partial<InterviewEntity> = { status: to, statusChangedAt: now, updatedAt: now };
      if (to === 'cancelled') changes.cancelReason = reason ?? null;
      await this.guardedUpdate(tx, current, changes);
      tx.emit(CLOSE_OUT[to], { ...eventIds(current), from: current.status, startsAt: current.startsAt.toISOString(), reason: reason ?? null }, actor);
      return { interview: Object.assign(new InterviewEntity(), current, changes), interviewerIds: await this.interviewerIdsOf(tx, id), warnings: [] };
    });
  }

  /** The candidate (or contact) confirmed: scheduled → confirmed. */
  confirm(tenantId: TenantId, id: string, actor: Actor): Promise<InterviewRecord> {
    return this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      if (current.status !== 'scheduled') {
        throw new AppException(ErrorCode.IllegalTransition, `An interview that is ${current.status} cannot be confirmed`, {
          extra: { from: current.status, to: 'confirmed', allowed: allowedFrom(current.status) },
        });
      }
      const now = this.clock.now();
      const changes: Partial<InterviewEntity> = { status: 'confirmed', statusChangedAt: now, updatedAt: now };
      await this.guardedUpdate(tx, current, changes);
      tx.emit('interview.confirmed', { ...eventIds(current), startsAt: current.startsAt.toISOString() }, actor);
      return { interview: Object.assign(new InterviewEntity(), current, changes), interviewerIds: await this.interviewerIdsOf(tx, id), warnings: [] };
    });
  }

  async remove(tenantId: TenantId, id: string, actor: Actor): Promise<void> {
    await this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      const now = this.clock.now();
      await tx.repo(InterviewEntity).update({ id, deletedAt: IsNull() }, { deletedAt: now, updatedAt: now });
      tx.emit('interview.deleted', eventIds(current), actor);
    });
  }

  reschedules(tenantId: TenantId, id: string): Promise<InterviewRescheduleEntity[]> {
    return this.db.tx(tenantId, async (tx) => {
      await this.load(tx, id);
      return tx.repo(InterviewRescheduleEntity).find({ interviewId: id }, { rescheduledAt: 'ASC', id: 'ASC' }, 500);
    });
  }

  /** Reschedule history of many interviews at once (GraphQL Interview.reschedules). */
  reschedulesByInterviewIds(tenantId: TenantId, interviewIds: readonly string[]): Promise<InterviewRescheduleEntity[]> {
    const ids = interviewIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(InterviewRescheduleEntity, 'r')
        .where('r.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('r.interview_id = ANY(:ids)', { ids })
        .orderBy('r.rescheduled_at', 'ASC')
        .addOrderBy('r.id', 'ASC')
        .getMany(),
    );
  }

  /**
   * Batch read for Lead.interviews (a GraphQL loader): the live interviews of these leads, each
   * with its interviewer ids, in ONE transaction: the interviews, then their interviewer links
   *   SELECT i.* FROM interviews i WHERE i.tenant_id = $1 AND i.lead_id = ANY($2) AND i.deleted_at IS NULL
   *   ORDER BY i.starts_at, i.id                                             -- interviews_lead_idx
   *   SELECT interview_id, contact_id FROM interview_interviewers WHERE tenant_id = $1 AND interview_id = ANY($2)
   *   ORDER BY interview_id, position, contact_id                            -- interview_interviewers_pkey
   */
  findByLeadIds(tenantId: TenantId, leadIds: readonly string[]): Promise<{ interview: InterviewEntity; interviewerIds: string[] }[]> {
    const ids = leadIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) => this.withInterviewers(tx, 'i.lead_id = ANY(:ids)', ids, true));
  }

  /**
   * Batch read by id (composing follow-ups): the live interviews, each with its interviewer ids.
   *   SELECT i.* FROM interviews i WHERE i.tenant_id = $1 AND i.id = ANY($2) AND i.deleted_at IS NULL
   *   + the interviewer links, as findByLeadIds
   */
  findByIds(tenantId: TenantId, interviewIds: readonly string[]): Promise<{ interview: InterviewEntity; interviewerIds: string[] }[]> {
    const ids = interviewIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) => this.withInterviewers(tx, 'i.id = ANY(:ids)', ids, false));
  }

  /**
   * Live interviews matching `where`, each with its interviewer ids, in ONE statement:
   *   SELECT i.*, (SELECT coalesce(array_agg(x.contact_id ORDER BY x.position, x.contact_id), '{}')
   *                FROM interview_interviewers x WHERE x.tenant_id = i.tenant_id AND x.interview_id = i.id)
   *   FROM interviews i WHERE i.tenant_id = $1 AND <where> AND i.deleted_at IS NULL
   *   [ORDER BY i.starts_at, i.id]                      -- interviews_lead_idx, interview_interviewers_pkey
   */
  private async withInterviewers(tx: TenantTx, where: string, ids: string[], ordered: boolean): Promise<{ interview: InterviewEntity; interviewerIds: string[] }[]> {
    const qb = tx.manager
      .createQueryBuilder(InterviewEntity, 'i')
      .addSelect(
        `(SELECT coalesce(array_agg(x.contact_id ORDER BY x.position, x.contact_id), '{}') FROM interview_interviewers x WHERE x.tenant_id = i.tenant_id AND x.interview_id = i.id)`,
        'interviewer_ids',
      )
      .where('i.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .andWhere(where, { ids })
      .andWhere('i.deleted_at IS NULL');
    if (ordered) qb.orderBy('i.starts_at', 'ASC').addOrderBy('i.id', 'ASC');
    const { entities, raw } = await qb.getRawAndEntities<{ interviewer_ids: string[] }>();
    return entities.map((interview, n) => ({ interview, interviewerIds: raw[n]?.interviewer_ids ?? [] }));
  }

  /** Everything that happened to a candidate's interviews, for the timeline. */
  timelineFor(tenantId: TenantId, candidateId: string): Promise<{ interviews: InterviewEntity[]; reschedules: InterviewRescheduleEntity[] }> {
    return this.db.tx(tenantId, async (tx) => {
      const interviews = await tx.repo(InterviewEntity).find({ candidateId, deletedAt: IsNull() }, { startsAt: 'ASC', id: 'ASC' }, 1000);
      const reschedules =
        interviews.length === 0
          ? []
          : await tx.manager
              .createQueryBuilder(InterviewRescheduleEntity, 'r')
              .where('r.tenant_id = :tenantId', { tenantId: tx.tenantId })
              .andWhere('r.interview_id = ANY(:ids)', { ids: interviews.map((i) => i.id) })
              .orderBy('r.rescheduled_at', 'ASC')
              .getMany();
      return { interviews, reschedules };
    });
  }

  private async links(tx: TenantTx, interviewIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (interviewIds.length === 0) return map;
    const rows = await tx.query<{ interview_id: string; contact_id: string }>(
      `SELECT interview_id, contact_id FROM interview_interviewers
       WHERE tenant_id = $1 AND interview_id = ANY($2::uuid[])
       ORDER BY interview_id, position, contact_id`,
      [tx.tenantId, interviewIds],
    );
    for (const r of rows) {
      const list = map.get(r.interview_id);
      if (list) list.push(r.contact_id);
      else map.set(r.interview_id, [r.contact_id]);
    }
    return map;
  }

  private async interviewerIdsOf(tx: TenantTx, id: string): Promise<string[]> {
    return (await this.links(tx, [id])).get(id) ?? [];
  }

  private async setInterviewers(tx: TenantTx, interviewId: string, contactIds: string[]): Promise<void> {
    const repo = tx.repo(InterviewInterviewerEntity);
    for (const [position, contactId] of contactIds.entries()) await repo.insert({ interviewId, contactId, position });
  }

  /** The UPDATE carries the status it read, so a concurrent move makes this one a 409. */
  private async guardedUpdate(tx: TenantTx, current: InterviewEntity, changes: Partial<InterviewEntity>): Promise<void> {
    const n = await tx.repo(InterviewEntity).update({ id: current.id, status: current.status, deletedAt: IsNull() }, changes);
    if (n === 0) throw new AppException(ErrorCode.Conflict, 'The interview changed while you were updating it; reload and retry');
  }

  private assertActive(interview: InterviewEntity, verb: string): void {
    if (!ACTIVE_INTERVIEW_STATUSES.includes(interview.status)) {
      throw new AppException(ErrorCode.IllegalTransition, `An interview that is ${interview.status} cannot ${verb}; only scheduled or confirmed interviews can`, {
        extra: { from: interview.status, allowed: allowedFrom(interview.status) },
      });
    }
  }

  private assertFuture(startsAt: Date): void {
    if (startsAt.getTime() <= this.clock.now().getTime()) {
      throw AppException.validation([{ field: 'startsAt', message: 'must be in the future' }]);
    }
  }

  /**
   * Interviewers and the scheduling contact must be contacts of this firm (400 naming the
   * field otherwise). Each interviewer's name and email get the double-check.
   */
  private async checkPeople(tenantId: TenantId, interviewerIds: string[], scheduledByContactId: string | null | undefined): Promise<WarningView[]> {
    const wanted = dedupe([...interviewerIds, ...(scheduledByContactId ? [scheduledByContactId] : [])]);
    if (wanted.length === 0) return [];
    const found = new Map((await this.contacts.findByIds(tenantId, wanted)).map((c) => [c.id, c] as const));
    const errors: FieldError[] = [];
    interviewerIds.forEach((id, i) => {
      if (!found.has(id)) errors.push({ field: `interviewerIds[${i}]`, message: `${id} is not a contact of this firm` });
    });
    if (scheduledByContactId && !found.has(scheduledByContactId)) errors.push({ field: 'scheduledByContactId', message: 'is not a contact of this firm' });
    if (errors.length > 0) throw AppException.validation(errors);
    const warnings: WarningView[] = [];
    interviewerIds.forEach((id, i) => {
      const contact = found.get(id)!;
      for (const w of doubleCheck(contact)) {
        warnings.push(WarningView.of(`interviewerIds[${i}].${w.field}`, w.code, `Interviewer ${contact.name}: ${w.message}`));
      }
    });
    return warnings;
  }

  private async load(tx: TenantTx, id: string): Promise<InterviewEntity> {
    if (!isUuid(id)) throw AppException.notFound('Interview');
    const interview = await tx.repo(InterviewEntity).findOne({ id, deletedAt: IsNull() });
    if (!interview) throw AppException.notFound('Interview');
    return interview;
  }
}

function allowedFrom(status: InterviewStatus): string[] {
  if (status === 'scheduled') return ['confirmed', 'rescheduled', 'cancelled', 'completed', 'no_show'];
  if (status === 'confirmed') return ['rescheduled', 'cancelled', 'completed', 'no_show'];
  return [];
}

function eventIds(i: InterviewEntity): { interviewId: string; leadId: string; candidateId: string } {
  return { interviewId: i.id, leadId: i.leadId, candidateId: i.candidateId };
}

function dedupe(values: string[]): string[] {
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
