import { Injectable, Logger } from '@nestjs/common';
import { requestContext } from '../common/request-context';
import type { TenantTx } from '../database/tenant-db.service';
import type { AnyDomainEvent, DomainEvent, DomainEventType } from './domain-events';

export type { AnyDomainEvent, DomainEvent, DomainEventType, DomainEvents } from './domain-events';

/** A best-effort listener: told after COMMIT, in this process only (wake-ups, notifications). */
export type DomainEventListener<K extends DomainEventType> = (event: DomainEvent<K>) => Promise<void> | void;

/**
 * A reaction: what the system does because of an event (plan follow-ups, mark a reply answered).
 * It runs inside the transaction that made the change (`tx`), so the two commit together.
 */
export type ReactionHandler<K extends DomainEventType> = (event: DomainEvent<K>, tx: TenantTx) => Promise<void>;

export interface Reaction {
  /** Stored with a failed reaction's row: do not rename one. */
  name: string;
  handler: (event: AnyDomainEvent, tx: TenantTx) => Promise<void>;
  /** Only for the events this answers true for (decided from the event alone). */
  when?: (event: AnyDomainEvent) => boolean;
}

/** Runs the reactions of a transaction's events inside it, before COMMIT (src/events/reactions/reaction-runner.ts). */
export interface ReactionSettler {
  settle(tx: TenantTx): Promise<void>;
}

type AnyListener = (event: AnyDomainEvent) => Promise<void> | void;

/**
 * The event bus, with two kinds of subscribers:
 *
 * - **Reactions** (`react`) are part of the change. Before a tenant transaction commits, every
 *   reaction to each of its events runs inside it, each in a savepoint: the change and what it
 *   causes (its follow-ups planned, re-planned or cancelled) commit together, or neither does,
 *   and the next request reads both. A reaction that throws is rolled back to its savepoint and
 *   written instead as a durable `reactions` row, committed with the change, that the reaction
 *   worker retries (with backoff, counted in /metrics, shown to admins) until it succeeds.
 *   See docs/ARCHITECTURE.md, "Durable reactions".
 * - **Listeners** (`subscribe`) are told after COMMIT, in this process, best effort: waking a
 *   worker, a notification email. Nothing that must happen may be a listener.
 */
@Injectable()
export class DomainEventBus {
  private readonly logger = new Logger(DomainEventBus.name);
  private readonly listeners = new Map<DomainEventType | '*', AnyListener[]>();
  private readonly reactions = new Map<DomainEventType, Reaction[]>();
  private settler: ReactionSettler | undefined;

  /** Listen to one event type after COMMIT (best effort). Answers a function that stops it. */
  subscribe<K extends DomainEventType>(type: K, listener: DomainEventListener<K>): () => void {
    return this.addListener(type, listener as AnyListener);
  }

  /** Listen to every event after COMMIT (best effort). */
  subscribeAll(listener: (event: AnyDomainEvent) => Promise<void> | void): () => void {
    return this.addListener('*', listener);
  }

  /**
   * Registers reaction `name` to events of `type` (at module init, in every process). `when`
   * narrows it to some of them, decided from the event alone.
   */
  react<K extends DomainEventType>(type: K, name: string, handler: ReactionHandler<K>, options: { when?: (event: DomainEvent<K>) => boolean } = {}): void {
    const list = this.reactions.get(type) ?? [];
    if (list.some((r) => r.name === name)) throw new Error(`reaction ${name} to ${type} is registered twice`);
    list.push({ name, handler: handler as Reaction['handler'], ...(options.when ? { when: options.when as Reaction['when'] } : {}) });
    this.reactions.set(type, list);
  }

  /** The reactions that apply to this event. */
  reactionsTo(event: AnyDomainEvent): Reaction[] {
    return (this.reactions.get(event.type) ?? []).filter((r) => !r.when || r.when(event));
  }

  /** A reaction by event type and name (a stored failed one, being retried); undefined if this build has none. */
  reaction(type: string, name: string): Reaction | undefined {
    return this.reactions.get(type as DomainEventType)?.find((r) => r.name === name);
  }

  useSettler(settler: ReactionSettler): void {
    this.settler = settler;
  }

  /** Before COMMIT (TenantDb): runs the reactions of the transaction's events, inside it. */
  async settle(tx: TenantTx): Promise<void> {
    if (this.settler) await this.settler.settle(tx);
  }

  /** After COMMIT: the listeners hear the events. Nothing thrown here reaches the caller, whose change is committed. */
  async committed(events: readonly AnyDomainEvent[]): Promise<void> {
    for (const event of events) {
      const listeners = [...(this.listeners.get(event.type) ?? []), ...(this.listeners.get('*') ?? [])];
      for (const listener of listeners) {
        try {
          // Listeners are the system reacting, not the user who made the change: no actor.
          await requestContext.run({}, () => listener(event));
        } catch (err) {
          this.logger.error({ err, eventType: event.type, tenantId: event.tenantId }, `listener for ${event.type} failed`);
        }
      }
    }
  }

  private addListener(type: DomainEventType | '*', listener: AnyListener): () => void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    return () => this.listeners.set(type, (this.listeners.get(type) ?? []).filter((l) => l !== listener));
  }
}
