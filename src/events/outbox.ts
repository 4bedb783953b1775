import type { DomainEvent } from './domain-event-bus';

/**
 * The webhook event catalog: the domain events an integration may subscribe to. Events of these
 * types are written to the outbox (outbox_events) in the transaction that made the change.
 * A subscription lists exact types or a family wildcard ("candidate.*", or "*" for all).
 */
export const WEBHOOK_EVENT_TYPES = [
  'candidate.created',
  'candidate.updated',
  'candidate.deleted',
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'lead.status_changed',
  'interview.scheduled',
  'interview.rescheduled',
  'interview.confirmed',
  'interview.cancelled',
  'interview.completed',
  'interview.no_show',
  'follow_up.sent',
  'follow_up.failed',
  'follow_up.skipped',
  'follow_up.cancelled',
  'message.received',
  'message.status_changed',
  'email.bounced',
  'consent.changed',
  'template_variant.promoted',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The synthetic event of "send test event"; never emitted by a change. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

const CATALOG = new Set<string>(WEBHOOK_EVENT_TYPES);
const FAMILIES = new Set(WEBHOOK_EVENT_TYPES.map((t) => `${t.slice(0, t.indexOf('.'))}.*`));

export function isWebhookEventType(type: string): type is WebhookEventType {
  return CATALOG.has(type);
}

/** A valid subscription pattern: a catalog type, a family wildcard of the catalog, or '*'. */
export function isWebhookEventPattern(pattern: string): boolean {
  return pattern === '*' || CATALOG.has(pattern) || FAMILIES.has(pattern);
}

/** The subscription patterns that match `type`: itself, its family wildcard and '*'. */
export function patternsMatching(type: string): string[] {
  const dot = type.indexOf('.');
  return dot > 0 ? [type, `${type.slice(0, dot)}.*`, '*'] : [type, '*'];
}

/** The payload as it leaves the tenant: never a tenant id, whatever an emitter put in. */
export function tenantFreePayload(payload: object): Record<string, unknown> {
  const { tenantId: _t, tenant_id: _u, ...rest } = payload as Record<string, unknown>;
  return rest;
}

/**
 * Writes the catalog events among `events` to the outbox and fans them out to the tenant's
 * matching subscriptions, in ONE statement, in the caller's transaction (under RLS, as the app
 * role). Non-catalog events (api_key.created, settings.changed, …) are not written.
 *
 *   WITH ev AS (SELECT * FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::text[][]) …),
 *        ins AS (INSERT INTO outbox_events … RETURNING id)
 *   INSERT INTO webhook_deliveries (tenant_id, subscription_id, event_id, status, next_attempt_at, …)
 *   SELECT $1, s.id, ev.id, 'pending', ev.occurred_at, … FROM ev JOIN webhook_subscriptions s
 *     ON s.status <> 'paused' AND s.event_types && ev.patterns          -- webhook_subscriptions_tenant_idx
 *   ON CONFLICT DO NOTHING
 *
 * Fan-out happens here, not in the worker, so the set of receivers is decided at the moment of
 * the change: a subscription created later does not receive older events, and one paused at that
 * moment does not get them on resume.
 */
export async function writeOutbox(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  tenantId: string,
  events: readonly DomainEvent[],
): Promise<void> {
  const catalog = events.filter((e) => isWebhookEventType(e.type));
  if (catalog.length === 0) return;
  await query(
    `WITH ev AS (
       SELECT e.id, e.type, e.payload, e.occurred_at, string_to_array(e.patterns, ' ') AS patterns
       FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::text[]) AS e(id, type, payload, occurred_at, patterns)
     ), ins AS (
       INSERT INTO outbox_events (tenant_id, id, type, payload, occurred_at, created_at)
       SELECT $1, ev.id, ev.type, ev.payload, ev.occurred_at, ev.occurred_at FROM ev
       RETURNING id
     )
     INSERT INTO webhook_deliveries (tenant_id, subscription_id, event_id, status, attempts, next_attempt_at, created_at, updated_at)
     SELECT $1, s.id, ins.id, 'pending', 0, ev.occurred_at, ev.occurred_at, ev.occurred_at
     FROM ins JOIN ev ON ev.id = ins.id
     JOIN webhook_subscriptions s ON s.tenant_id = $1 AND s.status <> 'paused' AND s.event_types && ev.patterns
     ON CONFLICT ON CONSTRAINT webhook_deliveries_subscription_event_key DO NOTHING`,
    [
      tenantId,
      catalog.map((e) => e.id),
      catalog.map((e) => e.type),
      catalog.map((e) => JSON.stringify(tenantFreePayload(e.payload))),
      catalog.map((e) => e.occurredAt),
      catalog.map((e) => patternsMatching(e.type).join(' ')),
    ],
  );
}
