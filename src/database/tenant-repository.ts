import type { DeepPartial, FindOptionsOrder, FindOptionsWhere, ObjectLiteral, Repository } from 'typeorm';
import type { TenantId } from './tenant-id';

/**
 * A thin wrapper around a TypeORM repository that always carries the tenant:
 * reads, updates and deletes get `tenant_id = $tenant` in their WHERE, inserts get the column set.
 * An undefined value in a where clause throws instead of silently matching any row
 * (typeorm/typeorm#9316); the data source is also configured to throw on it.
 */
export class TenantRepository<E extends ObjectLiteral & { tenantId: string }> {
  constructor(
    readonly tenantId: TenantId,
    readonly raw: Repository<E>,
  ) {}

  private scoped(where: FindOptionsWhere<E>): FindOptionsWhere<E> {
    for (const [key, value] of Object.entries(where)) {
      if (value === undefined) throw new Error(`where.${key} is undefined`);
    }
    return { ...where, tenantId: this.tenantId } as FindOptionsWhere<E>;
  }

  findOne(where: FindOptionsWhere<E>): Promise<E | null> {
    return this.raw.findOne({ where: this.scoped(where) });
  }

  find(where: FindOptionsWhere<E>, order?: FindOptionsOrder<E>, take?: number): Promise<E[]> {
    return this.raw.find({ where: this.scoped(where), order, take });
  }

  count(where: FindOptionsWhere<E>): Promise<number> {
    return this.raw.count({ where: this.scoped(where) });
  }

  /** Inserts and returns the row as stored (defaults and generated columns included). */
  async insert(values: Omit<DeepPartial<E>, 'tenantId'>): Promise<E> {
    const entity = this.raw.create({ ...values, tenantId: this.tenantId } as unknown as DeepPartial<E>);
    return this.raw.save(entity);
  }

  /** Inserts several rows in ONE statement (INSERT … VALUES (…), (…)); give every row its id. */
  async insertMany(values: readonly Omit<DeepPartial<E>, 'tenantId'>[]): Promise<void> {
    if (values.length === 0) return;
    await this.raw.insert(values.map((v) => ({ ...v, tenantId: this.tenantId })) as never);
  }

  /** Updates rows of this tenant matching `where`; returns how many were changed. */
  async update(where: FindOptionsWhere<E>, patch: Partial<E>): Promise<number> {
    const result = await this.raw.update(this.scoped(where), patch as never);
    return result.affected ?? 0;
  }
}
