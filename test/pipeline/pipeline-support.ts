import request from 'supertest';
import { DomainEventBus } from '../../src/events/domain-event-bus';
import type { AnyDomainEvent, DomainEvent, DomainEventType } from '../../src/events/domain-events';
import type { SignedUp, TestApp } from '../support/test-app';

/** Records every domain event published by the app, for assertions per tenant. */
export class EventLog {
  readonly events: AnyDomainEvent[] = [];
  private readonly stop: () => void;

  constructor(t: TestApp) {
    this.stop = t.app.get(DomainEventBus).subscribeAll((e) => {
      this.events.push(e);
    });
  }

  of(tenantId: string): AnyDomainEvent[];
  of<K extends DomainEventType>(tenantId: string, type: K): DomainEvent<K>[];
  of(tenantId: string, type?: DomainEventType): AnyDomainEvent[] {
    return this.events.filter((e) => e.tenantId === tenantId && (type === undefined || e.type === type));
  }

  close(): void {
    this.stop();
  }
}

export function api(t: TestApp, who: SignedUp | string) {
  const token = typeof who === 'string' ? who : who.token;
  const auth = (r: request.Test): request.Test => r.set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string) => auth(request(t.http).get(url)),
    post: (url: string, body?: object) => auth(request(t.http).post(url)).send(body ?? {}),
    patch: (url: string, body: object) => auth(request(t.http).patch(url)).send(body),
    put: (url: string, body: object) => auth(request(t.http).put(url)).send(body),
    delete: (url: string) => auth(request(t.http).delete(url)),
  };
}

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** The future, relative to the real clock the e2e app runs on. */
export function inDays(days: number, hour = 15): string {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
}
