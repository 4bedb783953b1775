import { Injectable } from '@nestjs/common';
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
import { ContactEntity } from './contact.entity';
import type { ContactFilter, ContactFieldsDto, CreateContactDto, UpdateContactDto } from './dto/contact.dto';

export type Actor = DomainEvent['actor'];

export interface ContactWrite {
  contact: ContactEntity;
  warnings: WarningView[];
}

const EDITABLE = ['name', 'email', 'phone', 'company', 'title', 'timeZone', 'preferredChannel', 'roles'] as const;

@Injectable()
export class ContactsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {
    this.store = new PersonStore(db, clock, {
      entity: ContactEntity,
      table: 'contacts',
      externalKey: 'contacts_external_key',
      insertExtras: {},
      label: 'Contact',
      kind: 'contact',
    });
  }

  private readonly store: PersonStore<ContactEntity>;

  async create(tenantId: TenantId, input: CreateContactDto, actor: Actor): Promise<ContactWrite> {
    const now = this.clock.now();
    try {
      return await this.db.tx(tenantId, async (tx) => {
        await assertNotSuppressed(tx, input);
        const contact = await tx.repo(ContactEntity).insert({
          ...pickFields(input),
          roles: dedupe(input.roles ?? []),
          externalId: input.externalId ?? null,
          externalSource: input.externalSource ?? 'api',
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        });
        tx.emit('contact.created', { contactId: contact.id, externalId: contact.externalId }, actor);
        return { contact, warnings: await this.warnings(tx, contact) };
      });
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  get(tenantId: TenantId, id: string): Promise<ContactEntity> {
    return this.db.tx(tenantId, (tx) => this.load(tx, id));
  }

  /**
   * One page of live contacts. Default order is newest first (created_at DESC, id DESC);
   * with updatedSince it is oldest change first (updated_at ASC, id ASC), for sync polling.
   *   SELECT c.* FROM contacts c
   *   WHERE c.tenant_id = $1 [AND c.deleted_at IS NULL unless includeDeleted | AND c.deleted_at >= $deletedSince (tombstones)] [AND lower(c.company) = lower($2)] [AND $3 = ANY(c.roles)]
   *     [AND c.updated_at >= $4] [AND (c.name ILIKE $5 OR c.email ILIKE $5)]
   *     [AND (c.created_at, c.id) < ($k, $id)]
   *   ORDER BY c.created_at DESC, c.id DESC LIMIT $limit + 1
   * Index: contacts_list_idx (tenant_id, created_at DESC, id DESC) or contacts_updated_idx.
   */
  list(tenantId: TenantId, filter: ContactFilter, page: { limit?: number; cursor?: string }): Promise<CursorPage<ContactEntity>> {
    return this.db.tx(tenantId, (tx) => {
      const qb = tx.manager
        .createQueryBuilder(ContactEntity, 'c')
        .where('c.tenant_id = :tenantId', { tenantId: tx.tenantId });
      if (filter.deletedSince) qb.andWhere('c.deleted_at >= :deletedSince', { deletedSince: filter.deletedSince });
      else if (!filter.includeDeleted) qb.andWhere('c.deleted_at IS NULL');
      if (filter.company) qb.andWhere('lower(c.company) = lower(:company)', { company: filter.company });
      if (filter.role) qb.andWhere(':role = ANY(c.roles)', { role: filter.role });
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

  async update(tenantId: TenantId, id: string, patch: UpdateContactDto, actor: Actor): Promise<ContactWrite> {
    return this.db.tx(tenantId, async (tx) => {
      await assertNotSuppressed(tx, patch);
      const current = await this.load(tx, id);
      const contact = await this.applyChanges(tx, current, pickFields(patch), actor);
      return { contact, warnings: await this.warnings(tx, contact) };
    });
  }

  async remove(tenantId: TenantId, id: string, actor: Actor): Promise<void> {
    await this.db.tx(tenantId, async (tx) => {
      await this.load(tx, id);
      const changed = await tx.repo(ContactEntity).update({ id, deletedAt: IsNull() }, { deletedAt: this.clock.now(), updatedAt: this.clock.now() });
      if (changed > 0) tx.emit('contact.deleted', { contactId: id }, actor);
    });
  }

  /**
   * Creates or updates the contact an ATS knows as (source, externalId). Race-free: the
   * unique constraint contacts_external_key decides, and a conflicting insert becomes the
   * update. Sending the same data twice changes nothing and emits nothing the second time.
   * A soft-deleted contact is restored.
   */
  async upsertByExternalId(
    tenantId: TenantId,
    externalSource: string,
    externalId: string,
    input: ContactFieldsDto,
    actor: Actor,
  ): Promise<ContactWrite & { created: boolean }> {
    return this.db.tx(tenantId, async (tx) => {
      await assertNotSuppressed(tx, input);
      const { row: contact, created } = await this.store.upsert(tx, externalSource, externalId, input.name, pickFields(input) as Partial<ContactEntity>, actor);
      return { contact, created, warnings: await this.warnings(tx, contact) };
    });
  }

  /** The live contact with this email (ignoring case): how an import without an externalId stays idempotent. */
  findIdByEmail(tenantId: TenantId, email: string): Promise<string | undefined> {
    return this.store.findIdByEmail(tenantId, email);
  }

  /** The live contact an ATS knows as (source, externalId), for imports that reference it. */
  findIdByExternalId(tenantId: TenantId, externalSource: string, externalId: string): Promise<string | undefined> {
    return this.store.findIdByExternalId(tenantId, externalSource, externalId);
  }

  /** Batch read for GraphQL loaders and other modules: live contacts among `ids`. */
  findByIds(tenantId: TenantId, ids: readonly string[]): Promise<ContactEntity[]> {
    return this.store.findByIds(tenantId, ids);
  }

  private applyChanges(tx: TenantTx, current: ContactEntity, fields: Partial<ContactEntity>, actor: Actor): Promise<ContactEntity> {
    return this.store.applyChanges(tx, current, fields, actor);
  }

  private load(tx: TenantTx, id: string): Promise<ContactEntity> {
    return this.store.load(tx, id);
  }

  private async warnings(tx: TenantTx, c: ContactEntity): Promise<WarningView[]> {
    if (!c.email) return doubleCheck(c);
    const others = await tx.query<{ id: string; name: string }>(
      `SELECT id, name FROM contacts
       WHERE tenant_id = $1 AND lower(email) = lower($2) AND id <> $3 AND deleted_at IS NULL
       ORDER BY created_at LIMIT 5`,
      [tx.tenantId, c.email, c.id],
    );
    return doubleCheck(c, others.map((o) => ({ kind: 'contact' as const, id: o.id, name: o.name })));
  }
}

function pickFields(input: Partial<Record<(typeof EDITABLE)[number], unknown>>): Partial<ContactEntity> {
  const out: Record<string, unknown> = {};
  for (const key of EDITABLE) if (input[key] !== undefined) out[key] = input[key];
  if (Array.isArray(out.roles)) out.roles = dedupe(out.roles as string[]);
  return out as Partial<ContactEntity>;
}

function mapWriteError(err: unknown): unknown {
  if (isUniqueViolation(err, 'contacts_external_key')) {
    return new AppException(ErrorCode.Conflict, 'A contact with this externalId and externalSource already exists; use PUT /v1/contacts/by-external-id/{externalId} to upsert', {
      errors: [{ field: 'externalId', message: 'is already in use' }],
    });
  }
  return err;
}

function dedupe<T>(values: T[]): T[] {
  return [...new Set(values)];
}
