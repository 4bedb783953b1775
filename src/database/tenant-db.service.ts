import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { Clock } from '../common/clock';
import { currentActor } from '../common/request-context';
import { DomainEvent, DomainEventBus } from '../events/domain-event-bus';
import { writeOutbox } from '../events/outbox';
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
  /** How many of `events` are already in the outbox. */
  private flushed = 0;
  /** Reads shared by the calls of one unit of work (see TenantDb.unit); off in a plain tx. */
  private memos: Map<string, Promise<unknown>> | undefined;

  constructor(
    readonly tenantId: TenantId,
    readonly manager: EntityManager,
    private readonly clock: Clock,
  ) {}

  /** Called by TenantDb.unit: from now on, memo() shares reads between the unit's calls. */
  shareReads(): void {
    this.memos ??= new Map();
  }

  /**
   * In a unit of work, the first read of `key` is shared with every later call of the unit (the
   * dispatcher reads the tenant, the senders and the recipient from several services); in a plain
   * transaction it just loads. Only for rows the unit does not change.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.memos) return load();
    const hit = this.memos.get(key);
    if (hit) return hit as Promise<T>;
    const loading = load();
    this.memos.set(key, loading);
    loading.catch(() => this.memos?.delete(key));
    return loading;
  }

  /** A repository that puts this tenant into every where, insert and update. */
  repo<E extends ObjectLiteral & { tenantId: string }>(target: EntityTarget<E>): TenantRepository<E> {
    return new TenantRepository<E>(this.tenantId, this.manager.getRepository(target));
  }

  /** Raw SQL for hot or reviewable queries. Still under RLS and the app role. */
  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.manager.query(sql, params) as Promise<T[]>;
  }

  /**
   * Queue a domain event; it is published after commit, never on rollback. Events of the webhook
   * catalog (src/events/outbox.ts) are also written to the outbox, and fanned out to the tenant's
   * matching webhook subscriptions, by TenantDb.tx just before COMMIT: in this same transaction,
   * so the change and its event commit or roll back together.
   */
  emit(type: string, payload: Record<string, unknown>, actor?: DomainEvent['actor']): void {
    this.events.push({ id: randomUUID(), type, tenantId: this.tenantId, occurredAt: this.clock.now(), actor, payload });
  }

  /** Writes the queued catalog events to the outbox (once per event, however often it is called). */
  async flushOutbox(): Promise<void> {
    const pending = this.events.slice(this.flushed);
    this.flushed = this.events.length;
    await writeOutbox((sql, params) => this.manager.query(sql, params), this.tenantId, pending);
  }
}

/** The unit of work a call runs in, if any (see TenantDb.unit). */
interface Unit {
  tenantId: TenantId;
  tx: TenantTx;
  open: boolean;
}

const units = new AsyncLocalStorage<Unit | null>();

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
   *   SELECT set_config('role', 'touchpoint_app', true), set_config('app.tenant_id', $1, true),
   *          set_config('app.actor_kind', …, true), set_config('app.actor_id', …, true);
   *   ... work ...
   *   COMMIT;
   * Both settings are transaction-local (never a session SET), so a pooled connection carries
   * nothing into its next use. Domain events queued with tx.emit() are published after COMMIT;
   * those of the webhook catalog are also written to outbox_events (and webhook_deliveries)
   * just before it.
   */
  async tx<T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    const unit = units.getStore();
    if (unit?.open && unit.tenantId === tenantId) return work(unit.tx);
    // Outside any unit (every API request) nothing to hide; inside another tenant's unit, this
    // transaction's calls must not join that unit.
    if (!unit) return this.begin(tenantId, work);
    return this.begin(tenantId, (tx) => units.run(null, () => work(tx)));
  }

  /**
   * One transaction for a whole unit of work: every `tx()` for the same tenant called from
   * inside `work` (services the caller goes through) joins it instead of taking another pooled
   * connection and its own BEGIN/set_config/COMMIT. Its events are published after this one
   * COMMIT. The dispatcher's hot path uses it (prepare, record); a SQL error anywhere inside
   * rolls the whole unit back. Work started inside and still running after the unit ended does
   * not join it: it gets a transaction of its own.
   */
  async unit<T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    const current = units.getStore();
    if (current?.open && current.tenantId === tenantId) return work(current.tx);
    return this.begin(tenantId, async (tx) => {
      const unit: Unit = { tenantId, tx, open: true };
      tx.shareReads();
      try {
        return await units.run(unit, () => work(tx));
      } finally {
        unit.open = false;
      }
    });
  }

  private async begin<T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    let tx: TenantTx;
    let result: T;
    try {
      await runner.connect();
      await runner.startTransaction();
      // The acting user or API key (if any) goes with the transaction, for the audit triggers.
      const actor = currentActor();
      await runner.query(
        `SELECT set_config('role', $2, true), set_config('app.tenant_id', $1, true),
                set_config('app.actor_kind', $3, true), set_config('app.actor_id', $4, true)`,
        [tenantId, APP_ROLE, actor?.kind ?? '', actor?.id ?? ''],
      );
      tx = new TenantTx(tenantId, runner.manager, this.clock);
      result = await work(tx);
      // The transactional outbox: webhook catalog events are INSERTed before COMMIT, so they
      // exist exactly when the change does.
      await tx.flushOutbox();
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
