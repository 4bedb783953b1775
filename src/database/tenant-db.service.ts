import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainEvent, DomainEventBus } from '../events/domain-event-bus';
import { APP_ROLE } from './app-role';
import type { TenantId } from './tenant-id';
import { TenantRepository } from './tenant-repository';

/**
 * One unit of work inside one tenant. Everything a service does to a tenant's data goes through
 * a TenantTx: the transaction runs under the non-owner app role with app.tenant_id set, so
 * row-level security is the second wall behind the explicit tenant in every query.
 */
export class TenantTx {
  readonly events: DomainEvent[] = [];

  constructor(
    readonly tenantId: TenantId,
    readonly manager: EntityManager,
    private readonly clock: Clock,
  ) {}

  /** A repository that puts this tenant into every where, insert and update. */
  repo<E extends ObjectLiteral & { tenantId: string }>(target: EntityTarget<E>): TenantRepository<E> {
    return new TenantRepository<E>(this.tenantId, this.manager.getRepository(target));
  }

  /** Raw SQL for hot or reviewable queries. Still under RLS and the app role. */
  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.manager.query(sql, params) as Promise<T[]>;
  }

  /** Queue a domain event; it is published after commit, never on rollback. */
  emit(type: string, payload: Record<string, unknown>, actor?: DomainEvent['actor']): void {
    this.events.push({ type, tenantId: this.tenantId, occurredAt: this.clock.now(), actor, payload });
  }
}

@Injectable()
export class TenantDb {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: DomainEventBus,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `work` in one transaction scoped to `tenantId`:
   *   BEGIN;
   *   SELECT set_config('role', 'touchpoint_app', true), set_config('app.tenant_id', $1, true);
   *   ... work ...
   *   COMMIT;
   * Both settings are transaction-local (never a session SET), so a pooled connection carries
   * nothing into its next use. Domain events queued with tx.emit() are published after COMMIT.
   */
  async tx<T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    let tx: TenantTx;
    let result: T;
    try {
      await runner.connect();
      await runner.startTransaction();
      await runner.query(`SELECT set_config('role', $2, true), set_config('app.tenant_id', $1, true)`, [
        tenantId,
        APP_ROLE,
      ]);
      tx = new TenantTx(tenantId, runner.manager, this.clock);
      result = await work(tx);
      await runner.commitTransaction();
    } catch (err) {
      await rollbackQuietly(runner);
      throw err;
    } finally {
      await runner.release();
    }
    if (tx.events.length > 0) await this.bus.publish(tx.events);
    return result;
  }
}

async function rollbackQuietly(runner: QueryRunner): Promise<void> {
  if (!runner.isTransactionActive) return;
  try {
    await runner.rollbackTransaction();
  } catch {
    // The connection is broken; release() discards it.
  }
}
