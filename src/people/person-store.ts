import { IsNull } from 'typeorm';
import type { EntityTarget, FindOptionsWhere } from 'typeorm';
import type { Clock } from '../common/clock';
import { AppException } from '../common/app.exception';
import { changedFields } from '../common/changes';
import type { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid } from '../database/tenant-id';
import type { TenantId } from '../database/tenant-id';
import type { Actor } from '../auth/principal';
import { personEvents } from './person-events';

/** The columns candidates and contacts share, as their entities map them. */
export interface PersonRow {
  tenantId: string;
  id: string;
  name: string;
  externalId: string | null;
  externalSource: string;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface PersonTable<E extends PersonRow> {
  entity: new () => E;
  /** 'candidates' or 'contacts': a constant, never input. */
  table: 'candidates' | 'contacts';
  externalKey: 'candidates_external_key' | 'contacts_external_key';
  /** Extra columns of a fresh row, e.g. status = 'active' (constant SQL, never input). */
  insertExtras: Record<string, string>;
  label: 'Candidate' | 'Contact';
  /** 'candidate' or 'contact': the event prefix and the id key (candidateId / contactId). */
  kind: 'candidate' | 'contact';
}

/**
 * The reads and writes candidates and contacts share: load, change with an event naming the
 * changed fields, race-free upsert by (source, externalId), lookups by email and external id,
 * and the batch read for loaders. Each service keeps what is its own (owner checks, warnings).
 */
export class PersonStore<E extends PersonRow> {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly spec: PersonTable<E>,
  ) {}

  private get target(): EntityTarget<E> {
    return this.spec.entity;
  }


  async load(tx: TenantTx, id: string): Promise<E> {
    if (!isUuid(id)) throw AppException.notFound(this.spec.label);
    const row = await tx.memo(`${this.spec.table}:${id}`, () => tx.repo(this.target).findOne({ id, deletedAt: IsNull() } as FindOptionsWhere<E>));
    if (!row) throw AppException.notFound(this.spec.label);
    return row;
  }

  /** Applies the fields that differ; emits `<kind>.updated` naming them. Unchanged: nothing. */
  async applyChanges(tx: TenantTx, current: E, fields: Partial<E>, actor: Actor | undefined): Promise<E> {
    const changes = changedFields(current, fields);
    const names = Object.keys(changes);
    if (names.length === 0) return current;
    const updatedAt = this.clock.now();
    await tx.repo(this.target).update({ id: current.id, deletedAt: IsNull() } as FindOptionsWhere<E>, { ...changes, updatedAt } as Partial<E>);
    personEvents.updated(tx, { type: this.spec.kind, id: current.id }, names, actor);
    return Object.assign(new this.spec.entity(), current, changes, { updatedAt });
  }

  /**
   * Creates or updates the person an ATS knows as (source, externalId). Race-free: the unique
   * constraint decides, and a conflicting insert becomes the update. Sending the same data twice
   * changes nothing and emits nothing the second time (`changed: false`). A soft-deleted person is
 * restored. The merge: a field left out is kept; `null` clears a field that isn't required.
   */
  async upsert(
    tx: TenantTx,
    externalSource: string,
    externalId: string,
    name: string,
    fields: Partial<E>,
    actor: Actor | undefined,
    /** Fields only a new row gets (read when it is created, not before). */
    onCreate?: () => Promise<Partial<E>>,
  ): Promise<{ row: E; created: boolean; changed: boolean }> {
    const now = this.clock.now();
    const extras = Object.entries(this.spec.insertExtras);
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO ${this.spec.table} (tenant_id, external_source, external_id, name, ${extras.map(([c]) => `${c}, `).join('')}created_at, updated_at)
       VALUES ($1, $2, $3, $4, ${extras.map(([, v]) => `${v}, `).join('')}$5, $5)
       ON CONFLICT ON CONSTRAINT ${this.spec.externalKey} DO NOTHING
       RETURNING id`,
      [tx.tenantId, externalSource, externalId, name, now],
    );
    const repo = tx.repo(this.target);
    const existing = await repo.findOne({ externalSource, externalId } as FindOptionsWhere<E>);
    if (!existing) throw AppException.notFound(this.spec.label);
    if (inserted.length > 0) {
      await repo.update({ id: existing.id } as FindOptionsWhere<E>, { ...(onCreate ? await onCreate() : {}), ...fields });
      personEvents.created(tx, { type: this.spec.kind, id: existing.id }, externalId, actor);
      return { row: await this.load(tx, existing.id), created: true, changed: true };
    }
    const restored = existing.deletedAt !== null;
    if (restored) {
      await repo.update({ id: existing.id } as FindOptionsWhere<E>, { deletedAt: null, updatedAt: now } as Partial<E>);
      existing.deletedAt = null;
      existing.updatedAt = now;
    }
    const row = await this.applyChanges(tx, existing, fields, actor);
    if (restored && row === existing) personEvents.updated(tx, { type: this.spec.kind, id: existing.id }, ['deletedAt'], actor);
    return { row, created: false, changed: restored || row !== existing };
  }

  /** The live person with this email (ignoring case), oldest first: how an import without an externalId stays idempotent. */
  async findIdByEmail(tenantId: TenantId, email: string): Promise<string | undefined> {
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<{ id: string }>(
        `SELECT id FROM ${this.spec.table} WHERE tenant_id = $1 AND lower(email) = lower($2) AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1`,
        [tx.tenantId, email],
      ),
    );
    return rows[0]?.id;
  }

  /** The live person an ATS knows as (source, externalId), for imports that reference it. */
  async findIdByExternalId(tenantId: TenantId, externalSource: string, externalId: string): Promise<string | undefined> {
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<{ id: string }>(
        `SELECT id FROM ${this.spec.table} WHERE tenant_id = $1 AND external_source = $2 AND external_id = $3 AND deleted_at IS NULL`,
        [tx.tenantId, externalSource, externalId],
      ),
    );
    return rows[0]?.id;
  }

  /** Batch read for GraphQL loaders and other modules: live people among `ids`. */
  findByIds(tenantId: TenantId, ids: readonly string[]): Promise<E[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(this.target, 'p')
        .where('p.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('p.id = ANY(:ids)', { ids: valid })
        .andWhere('p.deleted_at IS NULL')
        .getMany(),
    );
  }
}
