import type { TenantId } from '../database/tenant-id';
import type { MessageChannel, SendOutcome } from './drivers/driver.types';

/**
 * The seam between the follow-up engine (and one-off messages) and messaging.
 * The engine decides WHAT to send, to WHOM, on which channel, and WHEN; messaging records the
 * message, applies the last consent check, calls the driver outside any transaction, and records
 * the provider's answer.
 */
export type PersonRef = { type: 'candidate'; id: string } | { type: 'contact'; id: string };

export interface OutboundRequest {
  tenantId: TenantId;
  person: PersonRef;
  channel: MessageChannel;
  /** Email only. */
  subject?: string;
  text: string;
  /** The follow-up this message fulfils, when it is one. */
  followUpId?: string;
  /** The user on whose behalf it goes (one-off messages), for the From name and the timeline. */
  userId?: string;
  /** Automated messages carry the RFC 8058 unsubscribe headers (email). */
  automated: boolean;
}

export interface OutboundResult {
  /** Our message id: the `messages` row written before the driver was called. */
  messageId: string | null;
  outcome: SendOutcome | { kind: 'blocked'; reason: string };
}

/** A message checked and written (or refused), not yet handed to the driver. Opaque. */
export interface PreparedSend {
  readonly tenantId: TenantId;
  readonly prepared: unknown;
}

export interface OutboundMessenger {
  /** prepare → deliver → complete, each in its own transaction (the driver call in none). */
  send(request: OutboundRequest): Promise<OutboundResult>;
  /** The same three steps, for a caller that runs 1 and 3 inside its own unit of work. */
  prepare(request: OutboundRequest): Promise<PreparedSend>;
  deliver(send: PreparedSend): Promise<SendOutcome | undefined>;
  complete(send: PreparedSend, outcome: SendOutcome | undefined): Promise<OutboundResult>;
}

export const OUTBOUND_MESSENGER = Symbol('OUTBOUND_MESSENGER');
