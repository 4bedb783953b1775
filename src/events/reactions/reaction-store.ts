import { randomUUID } from 'node:crypto';
import type { AnyDomainEvent } from '../domain-events';

/** A reaction row: `pending` (failing, retried with backoff), `done`, or `dead` (given up). */
export const REACTION_STATUSES = ['pending', 'done', 'dead'] as const;
export type ReactionStatus = (typeof REACTION_STATUSES)[number];

/** What an admin lists: `open` is failing and dead together (reactions.service.ts). */
export const REACTION_STATES = ['open', 'failing', 'dead', 'done'] as const;
export type ReactionState = (typeof REACTION_STATES)[number];

/**
 * A reaction that failed inside the transaction that made its change, kept as a row of that same
 * transaction: it commits with the change, and the reaction worker retries it.
 *
 *   INSERT INTO reactions (tenant_id, id, event_id, event_type, reaction, payload, actor_kind, actor_id,
 *                          occurred_at, attempts, last_error, last_error_at, next_attempt_at, created_at)
 *   VALUES (…, 1, $error, $at, $next, $at) ON CONFLICT (tenant_id, event_id, reaction) DO NOTHING
 */
export async function writeFailedReaction(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  tenantId: string,
  event: AnyDomainEvent,
  reaction: string,
  failure: { error: string; at: Date; nextAttemptAt: Date },
): Promise<string> {
  const id = randomUUID();
  await query(
    `INSERT INTO reactions (tenant_id, id, event_id, event_type, reaction, payload, actor_kind, actor_id, occurred_at,
                            attempts, last_error, last_error_at, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, left($10, 2000), $11, $12, $11)
     ON CONFLICT ON CONSTRAINT reactions_event_reaction_key DO NOTHING`,
    [
      tenantId,
      id,
      event.id,
      event.type,
      reaction,
      JSON.stringify(event.payload),
      event.actor?.kind ?? null,
      event.actor?.id ?? null,
      event.occurredAt,
      failure.error,
      failure.at,
      failure.nextAttemptAt,
    ],
  );
  return id;
}

/** Attempts before a reaction is given up (dead) and left to an admin: about a day of retries. */
export const MAX_REACTION_ATTEMPTS = 30;

/** Backoff after the n-th failed attempt (1-based): 5 s, 15 s, 45 s, … capped at one hour, ±20%. */
export function reactionRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, 5_000 * 3 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
