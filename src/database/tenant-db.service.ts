import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { Clock } from '../common/clock';
import { currentActor } from '../common/request-context';
import type { Actor } from '../auth/principal';
import { DomainEventBus } from '../events/domain-event-bus';
import type { AnyDomainEvent, DomainEventType, DomainEvents } from '../events/domain-events';
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
  readonly events: AnyDomainEvent[] = [];
  /** How many of `events` are already in the outbox. */
  private flushed = 0;
  private readonly afterCommitHooks: (() => void)[] = [];
  /** Reads shared by the calls of one unit of work (see TenantDb.unit); off in a plain tx. */
  private memos: Map<string, Promise<unknown>> | undefined;

  constructor(
    readonly tenantId: TenantId,
    readonly manager: EntityManager,
    private readonly clock: Clock,
    /** The user or API key this transaction's changes are attributed to (audit), if any. */
    readonly actor: Actor | undefined = undefined,
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
   * Queue a domain event. Before COMMIT its reactions run in this transaction, and events of the
   * webhook catalog (src/events/outbox.ts) are written to the outbox and fanned out to the
   * tenant's matching webhook subscriptions: the change, what it causes and its event commit or
   * roll back together. Listeners hear it after COMMIT, never on rollback.
   */
  emit<K extends DomainEventType>(type: K, payload: DomainEvents[K], actor?: Actor): void {
    const event = { id: randomUUID(), type, tenantId: this.tenantId, occurredAt: this.clock.now(), actor, payload };
    // A DomainEvent<K> is one member of the AnyDomainEvent union; TypeScript cannot see that for a generic K.
    this.events.push(event as unknown as AnyDomainEvent);
  }

  /** Runs `hook` once this transaction has committed (never on rollback): wake-ups and the like. */
  afterCommit(hook: () => void): void {
    this.afterCommitHooks.push(hook);
  }

  /** Writes the queued catalog events to the outbox (once per event, however often it is called). */
  async flushOutbox(): Promise<void> {
    const pending = this.events.slice(this.flushed);
    this.flushed = this.events.length;
    await writeOutbox((sql, params) => this.manager.query(sql, params), this.tenantId, pending);
  }

  /** Where the queued events and hooks stand now (before a reaction runs in a savepoint). */
  mark(): { events: number; hooks: number } {
    return { events: this.events.length, hooks: this.afterCommitHooks.length };
  }

  /** Forgets the events and hooks queued since `mark` (their reaction was rolled back to its savepoint). */
  rewind(mark: { events: number; hooks: number }): void {
    this.events.length = Math.max(mark.events, this.flushed);
    this.afterCommitHooks.length = mark.hooks;
  }

  /** Called by TenantDb after COMMIT. */
  runAfterCommitHooks(): void {
    for (const hook of this.afterCommitHooks) hook();
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
   * nothing into its next use. Before COMMIT, the reactions to the events queued with tx.emit()
   * run inside it (DomainEventBus.settle) and the catalog events are written to outbox_events
   * (and webhook_deliveries); after COMMIT the bus's listeners hear them.
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

  /**
   * Runs `work` so that every `tx()` for this tenant it calls joins `tx` (a reaction running
   * inside the transaction that made the change goes through the owning services like any caller).
   */
  joining<T>(tx: TenantTx, work: () => Promise<T>): Promise<T> {
    return units.run({ tenantId: tx.tenantId, tx, open: true }, work);
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
      tx = new TenantTx(tenantId, runner.manager, this.clock, actor);
      result = await work(tx);
      // What the change causes commits with it: the reactions to its events (follow-ups planned,
      // re-planned, cancelled) run here, and the catalog events go to the transactional outbox.
      await this.bus.settle(tx);
      await tx.flushOutbox();
      await runner.commitTransaction();
    } catch (err) {
      await rollbackQuietly(runner);
      throw err;
    } finally {
      await runner.release();
    }
    tx.runAfterCommitHooks();
    if (tx.events.length > 0) await this.bus.committed(tx.events);
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
