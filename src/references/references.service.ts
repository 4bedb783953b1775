import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { CandidatesService } from '../candidates/candidates.service';
import type { Actor } from '../candidates/candidates.service';
import { AppException, ErrorCode, FieldError } from '../common/app.exception';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { CursorPage, keysetPage } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { ContactsService } from '../contacts/contacts.service';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import { LeadsService } from '../leads/leads.service';
import type { CreateReferenceDto, ProvideReferencesDto, ReferenceFilter, UpdateReferenceDto } from './dto/reference.dto';
import { ReferenceEntity, ReferenceProvisionEntity } from './reference.entity';

export interface ReferenceRecord {
  reference: ReferenceEntity;
  provisions: ReferenceProvisionEntity[];
}

@Injectable()
export class ReferencesService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
    private readonly leads: LeadsService,
  ) {}

  async create(tenantId: TenantId, input: CreateReferenceDto, actor: Actor): Promise<ReferenceRecord> {
    const errors: FieldError[] = [];
    if ((await this.candidates.findByIds(tenantId, [input.candidateId])).length === 0) errors.push({ field: 'candidateId', message: 'is not a candidate of this firm' });
    if ((await this.contacts.findByIds(tenantId, [input.contactId])).length === 0) errors.push({ field: 'contactId', message: 'is not a contact of this firm' });
    if (errors.length > 0) throw AppException.validation(errors);
    const now = this.clock.now();
    try {
      return await this.db.tx(tenantId, async (tx) => {
        const reference = await tx.repo(ReferenceEntity).insert({
          candidateId: input.candidateId,
          contactId: input.contactId,
          relationship: input.relationship,
          externalId: input.externalId ?? null,
          externalSource: input.externalSource ?? 'api',
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        });
        tx.emit('reference.created', { referenceId: reference.id, candidateId: reference.candidateId, contactId: reference.contactId }, actor);
        return { reference, provisions: [] };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'candidate_references_candidate_contact_key')) {
        throw new AppException(ErrorCode.Conflict, 'This contact is already a reference for this candidate', { errors: [{ field: 'contactId', message: 'is already a reference' }] });
      }
      if (isUniqueViolation(err, 'candidate_references_external_key')) {
        throw new AppException(ErrorCode.Conflict, 'A reference with this externalId already exists', { errors: [{ field: 'externalId', message: 'is already in use' }] });
      }
      throw err;
    }
  }

  get(tenantId: TenantId, id: string): Promise<ReferenceRecord> {
    return this.db.tx(tenantId, async (tx) => {
      const reference = await this.load(tx, id);
      return { reference, provisions: (await this.provisionsOf(tx, [id])).get(id) ?? [] };
    });
  }

  /**
   *   SELECT r.* FROM candidate_references r WHERE r.tenant_id = $1 [AND r.deleted_at IS NULL unless includeDeleted]
   *     [AND r.candidate_id = $2] [AND r.contact_id = $3] [AND r.updated_at >= $4] [AND (r.created_at, r.id) < ($k, $id)]
   *   ORDER BY r.created_at DESC, r.id DESC LIMIT $limit + 1       -- candidate_references_list_idx
   */
  list(tenantId: TenantId, filter: ReferenceFilter, page: { limit?: number; cursor?: string }): Promise<CursorPage<ReferenceRecord>> {
    return this.db.tx(tenantId, async (tx) => {
      const qb = tx.manager
        .createQueryBuilder(ReferenceEntity, 'r')
        .where('r.tenant_id = :tenantId', { tenantId: tx.tenantId });
      if (!filter.includeDeleted) qb.andWhere('r.deleted_at IS NULL');
      if (filter.candidateId) qb.andWhere('r.candidate_id = :candidateId', { candidateId: filter.candidateId });
      if (filter.contactId) qb.andWhere('r.contact_id = :contactId', { contactId: filter.contactId });
      if (filter.updatedSince) qb.andWhere('r.updated_at >= :since', { since: filter.updatedSince });
      const sync = filter.updatedSince !== undefined;
      const result = await keysetPage(qb, 'r', { sort: sync ? 'updated_at' : 'created_at', direction: sync ? 'ASC' : 'DESC', limit: pageLimit(page.limit), cursor: page.cursor });
      const provisions = await this.provisionsOf(tx, result.items.map((r) => r.id));
      return { ...result, items: result.items.map((reference) => ({ reference, provisions: provisions.get(reference.id) ?? [] })) };
    });
  }

  async update(tenantId: TenantId, id: string, patch: UpdateReferenceDto, actor: Actor): Promise<ReferenceRecord> {
    return this.db.tx(tenantId, async (tx) => {
      let reference = await this.load(tx, id);
      if (patch.relationship !== undefined && patch.relationship !== reference.relationship) {
        const updatedAt = this.clock.now();
        await tx.repo(ReferenceEntity).update({ id, deletedAt: IsNull() }, { relationship: patch.relationship, updatedAt });
        reference = Object.assign(new ReferenceEntity(), reference, { relationship: patch.relationship, updatedAt });
        tx.emit('reference.updated', { referenceId: id, candidateId: reference.candidateId, fields: ['relationship'] }, actor);
      }
      return { reference, provisions: (await this.provisionsOf(tx, [id])).get(id) ?? [] };
    });
  }

  async remove(tenantId: TenantId, id: string, actor: Actor): Promise<void> {
    await this.db.tx(tenantId, async (tx) => {
      const reference = await this.load(tx, id);
      const now = this.clock.now();
      await tx.repo(ReferenceEntity).update({ id, deletedAt: IsNull() }, { deletedAt: now, updatedAt: now });
      tx.emit('reference.deleted', { referenceId: id, candidateId: reference.candidateId }, actor);
    });
  }

  /**
   * Records that references were handed to a lead's employer. Each (reference, lead) pair is
   * provided once (reference_provisions_reference_lead_key; INSERT ... ON CONFLICT DO NOTHING),
   * so a repeat is harmless. references.provided names only the newly provided ones and is not
   * emitted when there are none, so the heads-up goes out once per (reference, lead).
   */
  async provide(
    tenantId: TenantId,
    leadId: string,
    input: ProvideReferencesDto,
    actor: Actor,
  ): Promise<{ leadId: string; provisions: ReferenceProvisionEntity[]; newlyProvided: string[] }> {
    const [lead] = await this.leads.findByIds(tenantId, [leadId]);
    if (!lead) throw AppException.notFound('Lead');
    const now = this.clock.now();
    if (input.providedAt && input.providedAt.getTime() > now.getTime()) {
      throw AppException.validation([{ field: 'providedAt', message: 'cannot be in the future' }]);
    }
    const referenceIds = [...new Set(input.referenceIds.map((r) => r.toLowerCase()))];
    return this.db.tx(tenantId, async (tx) => {
      const found = await tx.manager
        .createQueryBuilder(ReferenceEntity, 'r')
        .where('r.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('r.id = ANY(:ids)', { ids: referenceIds })
        .andWhere('r.deleted_at IS NULL')
        .getMany();
      const byId = new Map(found.map((r) => [r.id, r] as const));
      const errors: FieldError[] = [];
      input.referenceIds.forEach((raw, i) => {
        const ref = byId.get(raw.toLowerCase());
        if (!ref) errors.push({ field: `referenceIds[${i}]`, message: `${raw} is not a reference of this firm` });
        else if (ref.candidateId !== lead.candidateId) errors.push({ field: `referenceIds[${i}]`, message: "is a reference for another candidate, not this lead's" });
      });
      if (errors.length > 0) throw AppException.validation(errors);
      const providedAt = input.providedAt ?? now;
      const inserted = await tx.query<{ reference_id: string }>(
        `INSERT INTO reference_provisions (tenant_id, reference_id, lead_id, provided_at, created_at, actor_kind, actor_id)
         SELECT $1, unnest($2::uuid[]), $3, $4, $5, $6, $7
         ON CONFLICT ON CONSTRAINT reference_provisions_reference_lead_key DO NOTHING
         RETURNING reference_id`,
        [tx.tenantId, referenceIds, leadId, providedAt, now, actor?.kind ?? null, actor?.id ?? null],
      );
      const newlyProvided = referenceIds.filter((id) => inserted.some((r) => r.reference_id === id));
      if (newlyProvided.length > 0) {
        tx.emit(
          'references.provided',
          {
            leadId,
            candidateId: lead.candidateId,
            referenceIds: newlyProvided,
            contactIds: newlyProvided.map((id) => byId.get(id)!.contactId),
            providedAt: providedAt.toISOString(),
          },
          actor,
        );
      }
      const provisions = await tx.repo(ReferenceProvisionEntity).find({ leadId }, { providedAt: 'ASC', id: 'ASC' }, 500);
      return { leadId, provisions, newlyProvided };
    });
  }

  /** Batch read for Candidate.references: live references of these candidates, with their provisions. */
  findByCandidateIds(tenantId: TenantId, candidateIds: readonly string[]): Promise<ReferenceRecord[]> {
    const ids = candidateIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, async (tx) => {
      const refs = await tx.manager
        .createQueryBuilder(ReferenceEntity, 'r')
        .where('r.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('r.candidate_id = ANY(:ids)', { ids })
        .andWhere('r.deleted_at IS NULL')
        .orderBy('r.created_at', 'ASC')
        .addOrderBy('r.id', 'ASC')
        .getMany();
      const provisions = await this.provisionsOf(tx, refs.map((r) => r.id));
      return refs.map((reference) => ({ reference, provisions: provisions.get(reference.id) ?? [] }));
    });
  }

  /** Provisions of a candidate's references, for the timeline. */
  timelineFor(tenantId: TenantId, candidateId: string): Promise<{ provision: ReferenceProvisionEntity; reference: ReferenceEntity }[]> {
    return this.db.tx(tenantId, async (tx) => {
      const refs = await tx.repo(ReferenceEntity).find({ candidateId }, { createdAt: 'ASC' }, 1000);
      const provisions = await this.provisionsOf(tx, refs.map((r) => r.id));
      return refs.flatMap((reference) => (provisions.get(reference.id) ?? []).map((provision) => ({ provision, reference })));
    });
  }

  private async provisionsOf(tx: TenantTx, referenceIds: string[]): Promise<Map<string, ReferenceProvisionEntity[]>> {
    const map = new Map<string, ReferenceProvisionEntity[]>();
    if (referenceIds.length === 0) return map;
    const rows = await tx.manager
      .createQueryBuilder(ReferenceProvisionEntity, 'p')
      .where('p.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .andWhere('p.reference_id = ANY(:ids)', { ids: referenceIds })
      .orderBy('p.provided_at', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .getMany();
    for (const p of rows) {
      const list = map.get(p.referenceId);
      if (list) list.push(p);
      else map.set(p.referenceId, [p]);
    }
    return map;
  }

  private async load(tx: TenantTx, id: string): Promise<ReferenceEntity> {
    if (!isUuid(id)) throw AppException.notFound('Reference');
    const reference = await tx.repo(ReferenceEntity).findOne({ id, deletedAt: IsNull() });
    if (!reference) throw AppException.notFound('Reference');
    return reference;
  }
}
