import type { TenantId } from '../database/tenant-id';
import type { PersonRef } from '../people/person-ref';
import type { Channel } from './domain/channel';
import type { OutboundEmail, OutboundSms, SendOutcome, SmsDriver } from './drivers/driver.types';
import type { InterviewInvite } from './domain/calendar-invite';
import type { MessageEntity } from './entities/message.entity';
import type { ResolvedSenders } from './senders/senders.service';

export type { PersonRef };

/**
 * The seam between the follow-up engine (and one-off messages) and messaging.
 * The engine decides WHAT to send, to WHOM, on which channel, and WHEN; messaging tells it what it
 * knows about the people (last inbound channel, consent, first SMS) and the firm's senders, finishes
 * the text (SMS compliance), records the message, calls the driver outside any transaction, and
 * records the provider's answer.
 */

/** What messaging knows about one person at send time. */
export interface PersonState {
  /** The channel of their most recent inbound touch (`phone`: a logged call). */
  lastInboundChannel: 'email' | 'sms' | 'phone' | null;
  optedOut: { email: boolean; sms: boolean };
  /** No SMS has gone to them yet: the next one carries the opt-out line. */
  firstSms: boolean;
  /** Their addresses that bounced (a hard bounce, or 3 soft ones in 72 h), until corrected. */
  undeliverableEmails: readonly { address: string; since: Date }[];
}

/**
 * "email bounced on 2026-12-09" when `address` is one of the person's undeliverable addresses,
 * else null: the reason channel choice (and prepare) give for not emailing them.
 */
export function emailBouncedReason(state: PersonState, address: string | null | undefined): string | null {
  const a = address?.trim().toLowerCase();
  if (!a) return null;
  const hit = state.undeliverableEmails.find((u) => u.address.trim().toLowerCase() === a);
  return hit ? `email bounced on ${hit.since.toISOString().slice(0, 10)}` : null;
}

/**
 * Read once per send (or per batch) inside the sending transaction, and passed back to
 * `prepare`: the firm's senders and the people's state. Nothing in it is read again.
 */
export interface OutboundContext {
  readonly tenantId: TenantId;
  readonly senders: ResolvedSenders;
  /** Keys the per-sender SMS rate limit: the number or messaging service (tenants on the platform number share it). */
  readonly smsSenderKey: string;
  /** Whether SMS can go at all (the log driver stands in for a missing Twilio account, so: yes). */
  readonly smsConfigured: boolean;
  /** Why SMS is held back for this firm although a sender exists (an unverified firm on the platform sender); null: it is not. */
  readonly smsUnavailableReason: string | null;
  /** The operator's country allowlist for texts (SMS_COUNTRIES); null: any country. */
  readonly smsCountries: readonly string[] | null;
  /** By `personKey`; a person not asked about has the empty state. */
  readonly people: ReadonlyMap<string, PersonState>;
  /** The email threads asked about (`threadOf(person, key)`), when they have earlier emails. */
  readonly threads: ReadonlyMap<string, EmailThread>;
}

/** A conversation's earlier emails to one person: their Message-IDs, oldest first, and the first subject. */
export interface EmailThread {
  readonly subject: string;
  readonly messageIds: readonly string[];
}

/** A person and a thread key, to look up in OutboundContext.threads. */
export interface ThreadRef {
  person: PersonRef;
  threadKey: string;
}

export function threadOf(person: PersonRef, threadKey: string): string {
  return `${person.type}:${person.id}|${threadKey}`;
}

export interface OutboundRequest {
  tenantId: TenantId;
  person: PersonRef;
  /** Their name and the address on `channel`, as the caller read them in this transaction. */
  recipient: { name: string; address: string };
  channel: Channel;
  /** Email only. */
  subject?: string;
  /** The final text (see OutboundMessenger.finalText). */
  text: string;
  /** The follow-up this message fulfils, when it is one. */
  followUpId?: string;
  /** The user on whose behalf it goes (one-off messages): the From name and the timeline. */
  author?: { userId: string; name: string };
  /** Automated messages carry the RFC 8058 unsubscribe headers (email). */
  automated: boolean;
  /**
   * The conversation this message belongs to, per person (`lead:<id>`: everything about one lead
   * to one person). An email with a key answers the earlier emails with the same key to the same
   * person: In-Reply-To/References and "Re: <the first subject>" (domain/email-headers.ts).
   */
  threadKey?: string;
  /** Email only: an interview invite, sent as its text/calendar part (the attendee is the recipient). */
  invite?: Omit<InterviewInvite, 'attendee' | 'stamp'>;
}

export interface OutboundResult {
  /** Our message id: the `messages` row written before the driver was called. */
  messageId: string | null;
  outcome: SendOutcome | { kind: 'blocked'; reason: string };
}

/** A message checked and written (or refused), not yet handed to the driver. */
export type PreparedSend =
  | { readonly kind: 'blocked'; readonly tenantId: TenantId; readonly reason: string }
  | {
      readonly kind: 'ready';
      readonly tenantId: TenantId;
      readonly message: MessageEntity;
      readonly email?: OutboundEmail;
      readonly sms?: OutboundSms;
      readonly smsDriver?: SmsDriver;
    };

export interface OutboundMessenger {
  /**
   * What messaging knows now about these people and the firm's senders, and the earlier emails of
   * these threads (joins the caller's unit of work).
   */
  context(tenantId: TenantId, people: readonly PersonRef[], threads?: readonly ThreadRef[]): Promise<OutboundContext>;
  /** The text as it will reach the person: SMS compliance (the opt-out line on a first SMS) is added here, and only here. */
  finalText(channel: Channel, text: string, person: PersonState): string;
  /** 1: checks consent from `context` and writes the messages rows, one statement for a batch (joins the caller's unit of work). */
  prepare(requests: readonly OutboundRequest[], context: OutboundContext): Promise<PreparedSend[]>;
  /** 2: one driver call, outside any transaction. */
  deliver(send: PreparedSend): Promise<SendOutcome | undefined>;
  /** 3: records the providers' answers, a few statements for a batch (joins the caller's unit of work). */
  complete(sends: readonly { send: PreparedSend; outcome: SendOutcome | undefined }[]): Promise<OutboundResult[]>;
}

export const OUTBOUND_MESSENGER = Symbol('OUTBOUND_MESSENGER');

export const EMPTY_PERSON_STATE: PersonState = Object.freeze({
  lastInboundChannel: null,
  optedOut: Object.freeze({ email: false, sms: false }),
  firstSms: true,
  undeliverableEmails: Object.freeze([]) as readonly { address: string; since: Date }[],
});
