import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { AppException, ErrorCode } from '../common/app.exception';
import { changedFields } from '../common/changes';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { doubleCheck, WarningView } from '../common/double-check';
import { CursorPage, keysetPage, likePattern } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import type { DomainEvent } from '../events/domain-event-bus';
import { UsersService } from '../users/users.service';
import { CandidateEntity } from './candidate.entity';
import type { CandidateFilter, CandidateFieldsDto, CreateCandidateDto, UpdateCandidateDto } from './dto/candidate.dto';

export type Actor = DomainEvent['actor'];

export interface CandidateWrite {
  candidate: CandidateEntity;
  warnings: WarningView[];
}

const EDITABLE = ['name', 'email', 'phone', 'timeZone', 'preferredChannel', 'ownerUserId', 'status'] as const;

@Injectable()
export class CandidatesService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly users: UsersService,
  ) {}

  async create(tenantId: TenantId, input: CreateCandidateDto, actor: Actor): Promise<CandidateWrite> {
    await this.assertOwner(tenantId, input.ownerUserId);
    const now = this.clock.now();
    try {
      return await this.db.tx(tenantId, async (tx) => {
        const candidate = await tx.repo(CandidateEntity).insert({
          ...pickFields(input),
          status: input.status ?? 'active',
          externalId: input.externalId ?? null,
          externalSource: input.externalSource ?? 'api',
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        });
        tx.emit('candidate.created', { candidateId: candidate.id, externalId: candidate.externalId }, actor);
        return { candidate, warnings: await this.warnings(tx, candidate) };
      });
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  get(tenantId: TenantId, id: string): Promise<CandidateEntity> {
    return this.db.tx(tenantId, (tx) => this.load(tx, id));
  }

  /**
   * One page of live candidates. Default order is newest first (created_at DESC, id DESC);
   * with updatedSince it is oldest change first (updated_at ASC, id ASC), for sync polling.
   *   SELECT c.* FROM candidates c
   *   WHERE c.tenant_id = $1 [AND c.deleted_at IS NULL unless includeDeleted] [AND c.status = $2] [AND c.owner_user_id = $3]
   *     [AND c.updated_at >= $4] [AND (c.name ILIKE $5 OR c.email ILIKE $5)]
   *     [AND (c.created_at, c.id) < ($k, $id)]
   *   ORDER BY c.created_at DESC, c.id DESC LIMIT $limit + 1
   * Index: candidates_list_idx (tenant_id, created_at DESC, id DESC) or candidates_updated_idx.
   */
  list(tenantId: TenantId, filter: CandidateFilter, page: { limit?: number; cursor?: string }): Promise<CursorPage<CandidateEntity>> {
    return this.db.tx(tenantId, (tx) => {
      const qb = tx.manager
        .createQueryBuilder(CandidateEntity, 'c')
        .where('c.tenant_id = :tenantId', { tenantId: tx.tenantId });
      if (!filter.includeDeleted) qb.andWhere('c.deleted_at IS NULL');
      if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
      if (filter.ownerUserId) qb.andWhere('c.owner_user_id = :owner', { owner: filter.ownerUserId });
      if (filter.updatedSince) qb.andWhere('c.updated_at >= :since', { since: filter.updatedSince });
      if (filter.q) qb.andWhere('(c.name ILIKE :q OR c.email ILIKE :q)', { q: likePattern(filter.q) });
      const sync = filter.updatedSince !== undefined;
      return keysetPage(qb, 'c', {
        sort: sync ? 'updated_at' : 'created_at',
        direction: sync ? 'ASC' : 'DESC',
        limit: pageLimit(page.limit),
        cursor: page.cursor,
      });
    });
  }

  async update(tenantId: TenantId, id: string, patch: UpdateCandidateDto, actor: Actor): Promise<CandidateWrite> {
    if (patch.ownerUserId) await this.assertOwner(tenantId, patch.ownerUserId);
    return this.db.tx(tenantId, async (tx) => {
      const current = await this.load(tx, id);
      const candidate = await this.applyChanges(tx, current, pickFields(patch), actor);
      return { candidate, warnings: await this.warnings(tx, candidate) };
    });
  }

  async remove(tenantId: TenantId, id: string, actor: Actor): Promise<void> {
    await this.db.tx(tenantId, async (tx) => {
      await this.load(tx, id);
      const changed = await tx.repo(CandidateEntity).update({ id, deletedAt: IsNull() }, { deletedAt: this.clock.now(), updatedAt: this.clock.now() });
      if (changed > 0) tx.emit('candidate.deleted', { candidateId: id }, actor);
    });
  }

  /**
   * Creates or updates the candidate an ATS knows as (source, externalId). Race-free: the
   * unique constraint candidates_external_key decides, and a conflicting insert becomes the
   * update. Sending the same data twice changes nothing and emits nothing the second time.
   * A soft-deleted candidate is restored.
   */
  async upsertByExternalId(
    tenantId: TenantId,
    externalSource: string,
    externalId: string,
    input: CandidateFieldsDto,
    actor: Actor,
  ): Promise<CandidateWrite & { created: boolean }> {
    await this.assertOwner(tenantId, input.ownerUserId);
    const now = this.clock.now();
    return this.db.tx(tenantId, async (tx) => {
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO candidates (tenant_id, external_source, external_id, name, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $5)
         ON CONFLICT ON CONSTRAINT candidates_external_key DO NOTHING
         RETURNING id`,
        [tx.tenantId, externalSource, externalId, input.name, now],
      );
      const repo = tx.repo(CandidateEntity);
      const row = await repo.findOne({ externalSource, externalId });
      if (!row) throw AppException.notFound('Candidate');
      const created = inserted.length > 0;
      const fields = pickFields(input);
      let candidate: CandidateEntity;
      if (created) {
        await repo.update({ id: row.id }, fields as Partial<CandidateEntity>);
        candidate = await this.load(tx, row.id);
        tx.emit('candidate.created', { candidateId: row.id, externalId }, actor);
      } else {
        const restored = row.deletedAt !== null;
        if (restored) {
          await repo.update({ id: row.id }, { deletedAt: null, updatedAt: now });
          row.deletedAt = null;
          row.updatedAt = now;
        }
        candidate = await this.applyChanges(tx, row, fields, actor);
        if (restored && candidate === row) tx.emit('candidate.updated', { candidateId: row.id, fields: ['deletedAt'] }, actor);
      }
      return { candidate, created, warnings: await this.warnings(tx, candidate) };
    });
  }

  /** Batch read for GraphQL loaders and other modules: live candidates among `ids`. */
  findByIds(tenantId: TenantId, ids: readonly string[]): Promise<CandidateEntity[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(CandidateEntity, 'c')
        .where('c.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('c.id = ANY(:ids)', { ids: valid })
        .andWhere('c.deleted_at IS NULL')
        .getMany(),
    );
  }

  private async applyChanges(tx: TenantTx, current: CandidateEntity, fields: Partial<CandidateEntity>, actor: Actor): Promise<CandidateEntity> {
    const changes = changedFields(current, fields);
    const names = Object.keys(changes);
    if (names.length === 0) return current;
    const updatedAt = this.clock.now();
    await tx.repo(CandidateEntity).update({ id: current.id, deletedAt: IsNull() }, { ...changes, updatedAt });
    tx.emit('candidate.updated', { candidateId: current.id, fields: names }, actor);
    return Object.assign(new CandidateEntity(), current, changes, { updatedAt });
  }

  private async load(tx: TenantTx, id: string): Promise<CandidateEntity> {
    if (!isUuid(id)) throw AppException.notFound('Candidate');
    const candidate = await tx.repo(CandidateEntity).findOne({ id, deletedAt: IsNull() });
    if (!candidate) throw AppException.notFound('Candidate');
    return candidate;
  }

  /** The owner must be a live user of this tenant; the composite FK is the second wall. */
  private async assertOwner(tenantId: TenantId, ownerUserId: string | null | undefined): Promise<void> {
    if (!ownerUserId) return;
    try {
      await this.users.get(tenantId, ownerUserId);
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.NotFound) {
        throw AppException.validation([{ field: 'ownerUserId', message: 'is not a user of this firm' }]);
      }
      throw err;
    }
  }

  private async warnings(tx: TenantTx, c: CandidateEntity): Promise<WarningView[]> {
    if (!c.email) return doubleCheck(c);
    const others = await tx.query<{ id: string; name: string }>(
      `SELECT id, name FROM candidates
       WHERE tenant_id = $1 AND lower(email) = lower($2) AND id <> $3 AND deleted_at IS NULL
       ORDER BY created_at LIMIT 5`,
      [tx.tenantId, c.email, c.id],
    );
    return doubleCheck(c, others.map((o) => ({ kind: 'candidate' as const, id: o.id, name: o.name })));
  }
}

function pickFields(input: Partial<Record<(typeof EDITABLE)[number], unknown>>): Partial<CandidateEntity> {
  const out: Record<string, unknown> = {};
  for (const key of EDITABLE) if (input[key] !== undefined) out[key] = input[key];
  return out as Partial<CandidateEntity>;
}

function mapWriteError(err: unknown): unknown {
  if (isUniqueViolation(err, 'candidates_external_key')) {
    return new AppException(ErrorCode.Conflict, 'A candidate with this externalId and externalSource already exists; use PUT /v1/candidates/by-external-id/{externalId} to upsert', {
      errors: [{ field: 'externalId', message: 'is already in use' }],
    });
  }
  return err;
}
