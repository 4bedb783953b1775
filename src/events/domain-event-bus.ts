import { Injectable, Logger } from '@nestjs/common';
import { requestContext } from '../common/request-context';
import type { TenantId } from '../database/tenant-id';

/**
 * A domain event: something that happened to a tenant's data. Emitted inside a tenant
 * transaction and published only after that transaction commits, so a rolled-back change
 * emits nothing.
 */
export interface DomainEvent<P = Record<string, unknown>> {
  /** Unique per event; for webhook catalog events it is also the outbox row's id (the event id receivers dedupe on). */
  id: string;
  type: string;
  tenantId: TenantId;
  occurredAt: Date;
  /** Who caused it: a user, an API key, or the system (dispatcher, webhook). */
  actor?: { kind: 'user' | 'api_key' | 'system'; id?: string };
  payload: P;
}

export type DomainEventHandler = (event: DomainEvent) => Promise<void> | void;

@Injectable()
export class DomainEventBus {
  private readonly logger = new Logger(DomainEventBus.name);
  private readonly handlers = new Map<string, DomainEventHandler[]>();

  /** Subscribe to one event type, or to every type with '*'. */
  subscribe(type: string, handler: DomainEventHandler): () => void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler);
    this.handlers.set(type, list);
    return () => {
      const current = this.handlers.get(type) ?? [];
      this.handlers.set(
        type,
        current.filter((h) => h !== handler),
      );
    };
  }

  /**
   * Runs the handlers of each event in order. The change is already committed, so a failing
   * handler is logged and does not undo it or stop the other handlers.
   */
  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      const handlers = [...(this.handlers.get(event.type) ?? []), ...(this.handlers.get('*') ?? [])];
      for (const handler of handlers) {
        try {
          // Handlers are the system reacting to a change, not the user who made it: they run
          // without the request's actor, so what they write is not attributed to that user.
          await requestContext.run({}, () => handler(event));
        } catch (err) {
          this.logger.error(
            { err, eventType: event.type, tenantId: event.tenantId },
            `handler for ${event.type} failed`,
          );
        }
      }
    }
  }
}
