import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { CandidatesService } from '../candidates/candidates.service';
import type { Actor } from '../candidates/candidates.service';
import { AppException, ErrorCode, FieldError } from '../common/app.exception';
import { changedFields } from '../common/changes';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { CursorPage, keysetPage, likePattern } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { ContactsService } from '../contacts/contacts.service';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import type { ChangeLeadStatusDto, CreateLeadDto, LeadFilter, UpdateLeadDto, UpsertLeadDto } from './dto/lead.dto';
import { LeadEntity, LeadStatusHistoryEntity } from './lead.entity';
import { allowedTransitions, canTransition, LeadStatus } from './lead-status';

const EDITABLE = ['company', 'position', 'source', 'referrerContactId', 'employerContactId', 'resumeSentAt', 'offerAt'] as const;

@Injectable()
export class LeadsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
  ) {}

  async create(tenantId: TenantId, input: CreateLeadDto, actor: Actor): Promise<LeadEntity> {
    await this.assertReferences(tenantId, input);
    this.assertNotFuture(input);
    try {
      return await this.db.tx(tenantId, (tx) => this.insert(tx, input, input.externalId ?? null, input.externalSource ?? 'api', actor));
    } catch (err) {
      if (isUniqueViolation(err, 'leads_external_key')) {
        throw new AppException(ErrorCode.Conflict, 'A lead with this externalId already exists; use PUT /v1/leads/by-external-id/{externalId}', {
          errors: [{ field: 'externalId', message: 'is already in use' }],
        });
      }
      throw err;
    }
  }

  get(tenantId: TenantId, id: string): Promise<LeadEntity> {
    return this.db.tx(tenantId, (tx) => this.load(tx, id));
  }

  /**
   *   SELECT l.* FROM leads l
   *   WHERE l.tenant_id = $1 [AND l.deleted_at IS NULL unless includeDeleted | AND l.deleted_at >= $deletedSince (tombstones)] [AND l.status = $2] [AND l.candidate_id = $3]
   *     [AND lower(l.company) = lower($4)] [AND l.updated_at >= $5] [AND (l.company ILIKE $6 OR l.position ILIKE $6)]
   *     [AND (l.created_at, l.id) < ($k, $id)]
   *   ORDER BY l.created_at DESC, l.id DESC LIMIT $limit + 1          -- leads_list_idx
   */
  list(tenantId: TenantId, filter: LeadFilter, page: { limit?: number; cursor?: string }): Promise<CursorPage<LeadEntity>> {
    return this.db.tx(tenantId, (tx) => {
      const qb = tx.manager
        .createQueryBuilder(LeadEntity, 'l')
        .where('l.tenant_id = :tenantId', { tenantId: tx.tenantId });
      if (filter.deletedSince) qb.andWhere('l.deleted_at >= :deletedSince', { deletedSince: filter.deletedSince });
      else if (!filter.includeDeleted) qb.andWhere('l.deleted_at IS NULL');
      if (filter.status) qb.andWhere('l.status = :status', { status: filter.status });
      if (filter.candidateId) qb.andWhere('l.candidate_id = :candidateId', { candidateId: filter.candidateId });
      if (filter.company) qb.andWhere('lower(l.company) = lower(:company)', { company: filter.company });
      if (filter.updatedSince) qb.andWhere('l.updated_at >= :since', { since: filter.updatedSince });
      if (filter.q) qb.andWhere('(l.company ILIKE :q OR l.position ILIKE :q)', { q: likePattern(filter.q) });
      const sync = filter.updatedSince !== undefined || filter.deletedSince !== undefined;
      return keysetPage(qb, 'l', {
        sort: sync ? 'updated_at' : 'created_at',
        direction: sync ? 'ASC' : 'DESC',
        limit: pageLimit(page.limit),
        cursor: page.cursor,
      });
    });
  }

  async update(tenantId: TenantId, id: string, patch: UpdateLeadDto, actor: Actor): Promise<LeadEntity> {
    await this.assertReferences(tenantId, patch);
    this.assertNotFuture(patch);
    return this.db.tx(tenantId, async (tx) => this.applyChanges(tx, await this.load(tx, id), pick(patch), actor));
  }

  async remove(tenantId: TenantId, id: string, actor: Actor): Promise<void> {
    await this.db.tx(tenantId, async (tx) => {
      const lead = await this.load(tx, id);
      const now = this.clock.now();
      await tx.repo(LeadEntity).update({ id, deletedAt: IsNull() }, { deletedAt: now, updatedAt: now });
      tx.emit('lead.deleted', { leadId: id, candidateId: lead.candidateId }, actor);
    });
  }

  /**
   * Moves a lead through the status machine. An illegal move is a 409 naming the allowed
   * ones. `applied` stamps resumeSentAt and `offer` stamps offerAt (now, or the back-dated
   * value given). Every move is kept in lead_status_history and emits lead.status_changed.
   * The UPDATE is guarded by the status read, so two concurrent moves cannot both win.
   */
  async changeStatus(tenantId: TenantId, id: string, input: ChangeLeadStatusDto, actor: Actor): Promise<LeadEntity> {
    this.assertNotFuture(input);
    const misplaced: FieldError[] = [];
    if (input.resumeSentAt && input.status !== 'applied') misplaced.push({ field: 'resumeSentAt', message: 'can only be given when moving to applied' });
    if (input.offerAt && input.status !== 'offer') misplaced.push({ field: 'offerAt', message: 'can only be given when moving to offer' });
    if (misplaced.length > 0) throw AppException.validation(misplaced);
    return this.db.tx(tenantId, async (tx) => this.transition(tx, await this.load(tx, id), input, actor));
  }

  /** The lead an ATS knows as (source, externalId), live or soft-deleted (an upsert restores it). */
  async findIdByExternalId(tenantId: TenantId, externalSource: string, externalId: string): Promise<string | undefined> {
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<{ id: string }>(`SELECT id FROM leads WHERE tenant_id = $1 AND external_source = $2 AND external_id = $3`, [tx.tenantId, externalSource, externalId]),
    );
    return rows[0]?.id;
  }

  /**
   * Creates or updates the lead an ATS knows as (source, externalId). A status in the body is
   * applied through the status machine, so an upsert cannot make an illegal move either.
   */
  async upsertByExternalId(tenantId: TenantId, externalSource: string, externalId: string, input: UpsertLeadDto, actor: Actor): Promise<LeadEntity> {
    await this.assertReferences(tenantId, input);
    this.assertNotFuture(input);
    return this.db.tx(tenantId, async (tx) => {
      // Serialise upserts of the same external id (two racing inserts would otherwise collide).
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`lead:${tx.tenantId}:${externalSource}:${externalId}`]);
      const existing = await tx.repo(LeadEntity).findOne({ externalSource, externalId });
      if (!existing) return this.insert(tx, input, externalId, externalSource, actor);
      if (existing.candidateId !== input.candidateId) {
        throw AppException.validation([{ field: 'candidateId', message: 'cannot change: this lead belongs to another candidate' }]);
      }
      let lead = existing;
      if (lead.deletedAt) {
        const now = this.clock.now();
        await tx.repo(LeadEntity).update({ id: lead.id }, { deletedAt: null, updatedAt: now });
        lead = Object.assign(new LeadEntity(), lead, { deletedAt: null, updatedAt: now });
      }
      const restored = lead;
      const { resumeSentAt, offerAt, ...rest } = pick(input);
      lead = await this.applyChanges(tx, lead, rest, actor);
      if (input.status && input.status !== lead.status) {
        lead = await this.transition(tx, lead, { status: input.status, resumeSentAt: input.resumeSentAt, offerAt: input.offerAt }, actor);
      } else if (resumeSentAt !== undefined || offerAt !== undefined) {
        lead = await this.applyChanges(tx, lead, { resumeSentAt, offerAt }, actor);
      }
      if (existing.deletedAt && lead === restored) {
        tx.emit('lead.updated', { leadId: lead.id, candidateId: lead.candidateId, fields: ['deletedAt'] }, actor);
      }
      return lead;
    });
  }

  /** Batch reads for GraphQL loaders and the timeline. */
  findByCandidateIds(tenantId: TenantId, candidateIds: readonly string[]): Promise<LeadEntity[]> {
    const ids = candidateIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(LeadEntity, 'l')
        .where('l.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('l.candidate_id = ANY(:ids)', { ids })
        .andWhere('l.deleted_at IS NULL')
        .orderBy('l.created_at', 'ASC')
        .addOrderBy('l.id', 'ASC')
        .getMany(),
    );
  }

  findByIds(tenantId: TenantId, leadIds: readonly string[]): Promise<LeadEntity[]> {
    const ids = leadIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(LeadEntity, 'l')
        .where('l.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('l.id = ANY(:ids)', { ids })
        .andWhere('l.deleted_at IS NULL')
        .getMany(),
    );
  }

  /** Status history of a candidate's leads, oldest first (for the timeline). */
  historyForCandidate(tenantId: TenantId, candidateId: string): Promise<(LeadStatusHistoryEntity & { company: string; position: string })[]> {
    return this.db.tx(tenantId, async (tx) => {
      const rows = await tx.query<{ id: string; lead_id: string; from_status: LeadStatus | null; to_status: LeadStatus; changed_at: Date; note: string | null; company: string; position: string }>(
        `SELECT h.id, h.lead_id, h.from_status, h.to_status, h.changed_at, h.note, l.company, l.position
         FROM lead_status_history h
         JOIN leads l ON l.tenant_id = h.tenant_id AND l.id = h.lead_id
         WHERE h.tenant_id = $1 AND l.candidate_id = $2 AND l.deleted_at IS NULL
         ORDER BY h.changed_at, h.recorded_at, h.id`,
        [tx.tenantId, candidateId],
      );
      return rows.map((r) =>
        Object.assign(new LeadStatusHistoryEntity(), {
          id: r.id,
          leadId: r.lead_id,
          fromStatus: r.from_status,
          toStatus: r.to_status,
          changedAt: r.changed_at,
          note: r.note,
          company: r.company,
          position: r.position,
        }),
      );
    });
  }

  /** Status history of many leads at once (GraphQL Lead.history), oldest first per lead. */
  historyByLeadIds(tenantId: TenantId, leadIds: readonly string[]): Promise<LeadStatusHistoryEntity[]> {
    const ids = leadIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(LeadStatusHistoryEntity, 'h')
        .where('h.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('h.lead_id = ANY(:ids)', { ids })
        .orderBy('h.changed_at', 'ASC')
        .addOrderBy('h.recorded_at', 'ASC')
        .addOrderBy('h.id', 'ASC')
        .getMany(),
    );
  }

  history(tenantId: TenantId, leadId: string): Promise<LeadStatusHistoryEntity[]> {
    return this.db.tx(tenantId, async (tx) => {
      await this.load(tx, leadId);
      return tx.repo(LeadStatusHistoryEntity).find({ leadId }, { changedAt: 'ASC', recordedAt: 'ASC', id: 'ASC' }, 500);
    });
  }

  private async insert(tx: TenantTx, input: UpsertLeadDto, externalId: string | null, externalSource: string, actor: Actor): Promise<LeadEntity> {
    const now = this.clock.now();
    const status: LeadStatus = input.status ?? 'identified';
    const resumeSentAt = input.resumeSentAt ?? (status === 'applied' ? now : null);
    const offerAt = input.offerAt ?? (status === 'offer' ? now : null);
    const changedAt = status === 'applied' ? resumeSentAt! : status === 'offer' ? offerAt! : now;
    const lead = await tx.repo(LeadEntity).insert({
      candidateId: input.candidateId,
      company: input.company,
      position: input.position,
      source: input.source ?? 'other',
      referrerContactId: input.referrerContactId ?? null,
      employerContactId: input.employerContactId ?? null,
      status,
      resumeSentAt,
      offerAt,
      statusChangedAt: changedAt,
      externalId,
      externalSource,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    await this.recordHistory(tx, lead.id, null, status, changedAt, actor, null);
    tx.emit('lead.created', { leadId: lead.id, candidateId: lead.candidateId, status, externalId }, actor);
    if (status !== 'identified') {
      tx.emit(
        'lead.status_changed',
        { leadId: lead.id, candidateId: lead.candidateId, from: null, to: status, at: changedAt.toISOString(), referrerContactId: lead.referrerContactId, employerContactId: lead.employerContactId },
        actor,
      );
    }
    return lead;
  }

  private async transition(
    tx: TenantTx,
    lead: LeadEntity,
    input: { status: LeadStatus; resumeSentAt?: Date; offerAt?: Date; note?: string },
    actor: Actor,
  ): Promise<LeadEntity> {
    const from = lead.status;
    const to = input.status;
    if (!canTransition(from, to)) {
      const allowed = allowedTransitions(from);
      throw new AppException(
        ErrorCode.IllegalTransition,
        allowed.length > 0
          ? `A lead cannot move from ${from} to ${to}. Allowed from ${from}: ${allowed.join(', ')}.`
          : `A lead cannot move from ${from} to ${to}: ${from} is final.`,
        { extra: { from, to, allowed } },
      );
    }
    const now = this.clock.now();
    const changes: Partial<LeadEntity> = { status: to, updatedAt: now, statusChangedAt: now };
    if (to === 'applied') changes.resumeSentAt = changes.statusChangedAt = input.resumeSentAt ?? now;
    if (to === 'offer') changes.offerAt = changes.statusChangedAt = input.offerAt ?? now;
    const updated = await tx.repo(LeadEntity).update({ id: lead.id, status: from, deletedAt: IsNull() }, changes);
    if (updated === 0) throw new AppException(ErrorCode.Conflict, 'The lead changed while you were moving it; reload and retry');
    await this.recordHistory(tx, lead.id, from, to, changes.statusChangedAt!, actor, input.note ?? null);
    tx.emit(
      'lead.status_changed',
      { leadId: lead.id, candidateId: lead.candidateId, from, to, at: changes.statusChangedAt!.toISOString(), referrerContactId: lead.referrerContactId, employerContactId: lead.employerContactId },
      actor,
    );
    return Object.assign(new LeadEntity(), lead, changes);
  }

  private async recordHistory(tx: TenantTx, leadId: string, from: LeadStatus | null, to: LeadStatus, changedAt: Date, actor: Actor, note: string | null): Promise<void> {
    await tx.repo(LeadStatusHistoryEntity).insert({
      leadId,
      fromStatus: from,
      toStatus: to,
      changedAt,
      recordedAt: this.clock.now(),
      actorKind: actor?.kind ?? null,
      actorId: actor?.id ?? null,
      note,
    });
  }

  private async applyChanges(tx: TenantTx, current: LeadEntity, fields: Partial<LeadEntity>, actor: Actor): Promise<LeadEntity> {
    const changes = changedFields(current, fields);
    const names = Object.keys(changes);
    if (names.length === 0) return current;
    const updatedAt = this.clock.now();
    await tx.repo(LeadEntity).update({ id: current.id, deletedAt: IsNull() }, { ...changes, updatedAt });
    tx.emit('lead.updated', { leadId: current.id, candidateId: current.candidateId, fields: names }, actor);
    return Object.assign(new LeadEntity(), current, changes, { updatedAt });
  }

  private async load(tx: TenantTx, id: string): Promise<LeadEntity> {
    if (!isUuid(id)) throw AppException.notFound('Lead');
    const lead = await tx.repo(LeadEntity).findOne({ id, deletedAt: IsNull() });
    if (!lead) throw AppException.notFound('Lead');
    return lead;
  }

  /** Referenced people must exist in this tenant: a 400 naming the field otherwise. */
  private async assertReferences(
    tenantId: TenantId,
    input: { candidateId?: string; referrerContactId?: string | null; employerContactId?: string | null },
  ): Promise<void> {
    const errors: FieldError[] = [];
    if (input.candidateId) {
      const found = await this.candidates.findByIds(tenantId, [input.candidateId]);
      if (found.length === 0) errors.push({ field: 'candidateId', message: 'is not a candidate of this firm' });
    }
    const contactIds = [input.referrerContactId, input.employerContactId].filter((v): v is string => typeof v === 'string');
    if (contactIds.length > 0) {
      const found = new Set((await this.contacts.findByIds(tenantId, contactIds)).map((c) => c.id));
      if (input.referrerContactId && !found.has(input.referrerContactId)) errors.push({ field: 'referrerContactId', message: 'is not a contact of this firm' });
      if (input.employerContactId && !found.has(input.employerContactId)) errors.push({ field: 'employerContactId', message: 'is not a contact of this firm' });
    }
    if (errors.length > 0) throw AppException.validation(errors);
  }

  private assertNotFuture(input: { resumeSentAt?: Date; offerAt?: Date }): void {
    const now = this.clock.now().getTime();
    const errors: FieldError[] = [];
    if (input.resumeSentAt && input.resumeSentAt.getTime() > now) errors.push({ field: 'resumeSentAt', message: 'cannot be in the future' });
    if (input.offerAt && input.offerAt.getTime() > now) errors.push({ field: 'offerAt', message: 'cannot be in the future' });
    if (errors.length > 0) throw AppException.validation(errors);
  }
}

function pick(input: Partial<Record<(typeof EDITABLE)[number], unknown>>): Partial<LeadEntity> {
  const out: Record<string, unknown> = {};
  for (const key of EDITABLE) if (input[key] !== undefined) out[key] = input[key];
  return out as Partial<LeadEntity>;
}
