import { Injectable, Logger } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { PersonStore } from '../people/person-store';
import { isUniqueViolation } from '../common/db-errors';
import { doubleCheck, WarningView } from '../people/double-check';
import { CursorPage, keysetPage, likePattern } from '../common/keyset';
import { pageLimit } from '../common/pagination';
import { assertNotSuppressed } from '../people/suppressions';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import type { TenantId } from '../database/tenant-id';
import type { DomainEvent } from '../events/domain-event-bus';
import { UsersService } from '../users/users.service';
import { apiKeyOwner } from '../api-keys/api-keys.service';
import { CandidateEntity } from './candidate.entity';
import { BulkUpsertCandidateDto } from './dto/candidate.dto';
import type { CandidateFilter, CandidateFieldsDto, CreateCandidateDto, UpdateCandidateDto } from './dto/candidate.dto';
import { validateDto } from '../common/validation';

export type Actor = DomainEvent['actor'];

export const BULK_MAX = 100;

/** One item of a bulk upsert, already validated (error set when it is not valid). */
export interface BulkCandidateItem {
  externalSource: string;
  externalId: string;
  input: CandidateFieldsDto;
  error?: BulkItemError;
}

export interface BulkItemError {
  code: string;
  message: string;
  field: string | null;
}

export interface BulkCandidateResult {
  index: number;
  externalId: string;
  candidate: CandidateEntity | null;
  created: boolean;
  /** Whether the item changed the candidate (created, updated or restored); false: it was already so. */
  changed: boolean;
  warnings: WarningView[];
  error: BulkItemError | null;
}

const ABORTED: BulkItemError = { code: 'ABORTED', field: null, message: 'not written: another item failed and the batch is atomic' };

function itemError(err: unknown): BulkItemError {
  if (err instanceof AppException) {
    const first = err.options.errors?.[0];
    return { code: err.code, field: first?.field ?? null, message: first ? `${first.field} ${first.message}` : err.detail };
  }
  new Logger('CandidatesService').error({ err }, 'bulk upsert item failed');
  return { code: ErrorCode.Internal, field: null, message: 'could not be written' };
}

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
  ) {
    this.store = new PersonStore(db, clock, {
      entity: CandidateEntity,
      table: 'candidates',
      externalKey: 'candidates_external_key',
      insertExtras: { status: "'active'" },
      label: 'Candidate',
      kind: 'candidate',
    });
  }

  private readonly store: PersonStore<CandidateEntity>;

  async create(tenantId: TenantId, input: CreateCandidateDto, actor: Actor): Promise<CandidateWrite> {
    await this.assertOwner(tenantId, input.ownerUserId);
    const now = this.clock.now();
    try {
      return await this.db.tx(tenantId, async (tx) => {
        await assertNotSuppressed(tx, input);
        const candidate = await tx.repo(CandidateEntity).insert({
          ...(await this.ownerOnCreate(tx, input, actor)),
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
   *   WHERE c.tenant_id = $1 [AND c.deleted_at IS NULL unless includeDeleted | AND c.deleted_at >= $deletedSince (tombstones)] [AND c.status = $2] [AND c.owner_user_id = $3]
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
      if (filter.deletedSince) qb.andWhere('c.deleted_at >= :deletedSince', { deletedSince: filter.deletedSince });
      else if (!filter.includeDeleted) qb.andWhere('c.deleted_at IS NULL');
      if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
      if (filter.ownerUserId) qb.andWhere('c.owner_user_id = :owner', { owner: filter.ownerUserId });
      if (filter.updatedSince) qb.andWhere('c.updated_at >= :since', { since: filter.updatedSince });
      if (filter.q) qb.andWhere('(c.name ILIKE :q OR c.email ILIKE :q)', { q: likePattern(filter.q) });
      const sync = filter.updatedSince !== undefined || filter.deletedSince !== undefined;
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
      await assertNotSuppressed(tx, patch);
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
    return this.db.tx(tenantId, (tx) => this.upsertInTx(tx, externalSource, externalId, input, actor));
  }

  /**
   * Bulk upsert by external id (1..100 items), for an ATS sync. Every item is validated first,
   * with the same DTO rules as a single write; the answer has one result per item, in order.
   * - atomic: all or nothing. One invalid item (or a failing write) writes nothing; the other
   *   items answer ABORTED. Valid batches are written in ONE transaction.
   * - not atomic: every valid item is written in its own transaction; invalid or failing items
   *   answer their error and do not stop the others.
   * Idempotent like the single upsert: sending the same batch again changes nothing.
   */
  async upsertMany(tenantId: TenantId, items: readonly BulkCandidateItem[], atomic: boolean, actor: Actor): Promise<BulkCandidateResult[]> {
    if (items.length < 1 || items.length > BULK_MAX) {
      throw AppException.validation([{ field: 'input', message: `must hold 1 to ${BULK_MAX} items` }]);
    }
    const results: BulkCandidateResult[] = items.map((item, index) => ({ index, externalId: item.externalId, candidate: null, created: false, changed: false, warnings: [], error: item.error ?? null }));
    // Owners: each distinct ownerUserId is checked once.
    const owners = [...new Set(items.filter((i) => !i.error && i.input.ownerUserId).map((i) => i.input.ownerUserId!))];
    const badOwners = new Set<string>();
    for (const owner of owners) {
      try {
        await this.assertOwner(tenantId, owner);
      } catch (err) {
        if (err instanceof AppException && err.code === ErrorCode.ValidationFailed) badOwners.add(owner);
        else throw err;
      }
    }
    results.forEach((r, i) => {
      const owner = items[i]!.input.ownerUserId;
      if (!r.error && owner && badOwners.has(owner)) r.error = { code: ErrorCode.ValidationFailed, field: 'ownerUserId', message: 'ownerUserId is not a user of this firm' };
    });
    const write = async (tx: TenantTx, i: number): Promise<void> => {
      const item = items[i]!;
      const w = await this.upsertInTx(tx, item.externalSource, item.externalId, item.input, actor);
      Object.assign(results[i]!, { candidate: w.candidate, created: w.created, changed: w.changed, warnings: w.warnings });
    };
    if (atomic) {
      if (results.some((r) => r.error)) {
        for (const r of results) if (!r.error) r.error = ABORTED;
        return results;
      }
      let current = -1;
      try {
        await this.db.tx(tenantId, async (tx) => {
          for (let i = 0; i < items.length; i += 1) {
            current = i;
            await write(tx, i);
          }
        });
      } catch (err) {
        results.forEach((r, i) => Object.assign(r, { candidate: null, created: false, changed: false, warnings: [], error: i === current ? itemError(err) : ABORTED }));
      }
      return results;
    }
    for (let i = 0; i < items.length; i += 1) {
      if (results[i]!.error) continue;
      try {
        await this.db.tx(tenantId, (tx) => write(tx, i));
      } catch (err) {
        results[i]!.error = itemError(err);
      }
    }
    return results;
  }

  /**
   * Validates raw bulk items with the same DTO class as the API (BulkUpsertCandidateDto); an
   * invalid item carries its first error and is not written.
   */
  async validateBulk(raw: readonly unknown[]): Promise<BulkCandidateItem[]> {
    return Promise.all(
      raw.map(async (plain) => {
        const { value, errors } = await validateDto(BulkUpsertCandidateDto, plain);
        const { externalId, externalSource, ...input } = value;
        const first = errors[0];
        return {
          externalId: typeof externalId === 'string' ? externalId : '',
          externalSource: externalSource ?? 'api',
          input: input as CandidateFieldsDto,
          ...(first ? { error: { code: ErrorCode.ValidationFailed, field: first.field, message: `${first.field}: ${first.message}` } } : {}),
        };
      }),
    );
  }

  /**
   * A candidate an API key creates without an ownerUserId is owned by the key's default owner,
   * or the admin who made the key (apiKeyOwner), so it shows in that person's agenda.
   */
  private async ownerOnCreate(tx: TenantTx, input: { ownerUserId?: string | null }, actor: Actor | undefined): Promise<Partial<CandidateEntity>> {
    if (input.ownerUserId !== undefined || actor?.kind !== 'api_key' || !actor.id) return {};
    return { ownerUserId: await apiKeyOwner(tx, actor.id) };
  }

  private async upsertInTx(
    tx: TenantTx,
    externalSource: string,
    externalId: string,
    input: CandidateFieldsDto,
    actor: Actor,
  ): Promise<CandidateWrite & { created: boolean; changed: boolean }> {
    await assertNotSuppressed(tx, input);
    const { row: candidate, created, changed } = await this.store.upsert(tx, externalSource, externalId, input.name, pickFields(input) as Partial<CandidateEntity>, actor, () =>
      this.ownerOnCreate(tx, input, actor),
    );
    return { candidate, created, changed, warnings: await this.warnings(tx, candidate) };
  }

  /** The live candidate with this email (ignoring case): how an import without an externalId stays idempotent. */
  findIdByEmail(tenantId: TenantId, email: string): Promise<string | undefined> {
    return this.store.findIdByEmail(tenantId, email);
  }

  /** The live candidate an ATS knows as (source, externalId), for imports that reference it. */
  findIdByExternalId(tenantId: TenantId, externalSource: string, externalId: string): Promise<string | undefined> {
    return this.store.findIdByExternalId(tenantId, externalSource, externalId);
  }

  /** Batch read for GraphQL loaders and other modules: live candidates among `ids`. */
  findByIds(tenantId: TenantId, ids: readonly string[]): Promise<CandidateEntity[]> {
    return this.store.findByIds(tenantId, ids);
  }

  private applyChanges(tx: TenantTx, current: CandidateEntity, fields: Partial<CandidateEntity>, actor: Actor): Promise<CandidateEntity> {
    return this.store.applyChanges(tx, current, fields, actor);
  }

  private load(tx: TenantTx, id: string): Promise<CandidateEntity> {
    return this.store.load(tx, id);
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
