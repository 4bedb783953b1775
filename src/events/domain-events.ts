import type { ActivityChannel, ActivityKind } from '../activities/activity.entity';
import type { Actor } from '../auth/principal';
import type { TenantId } from '../database/tenant-id';
import type { InterviewStatus } from '../interviews/interview.entity';
import type { LeadStatus } from '../leads/lead-status';
import type { Channel, Direction } from '../messaging/domain/channel';
import type { ConsentSource, ConsentStatus } from '../messaging/entities/consent.entity';
import type { MessageStatus, ReplyState } from '../messaging/entities/message.entity';
import type { SmsKeyword } from '../messaging/domain/keywords';
import type { PersonRef } from '../people/person-ref';

interface InterviewIds {
  interviewId: string;
  leadId: string;
  candidateId: string;
}

interface InterviewClosed extends InterviewIds {
  from: InterviewStatus;
  startsAt: string;
  reason: string | null;
}

interface FollowUpOutcome {
  followUpId: string;
  rule: string;
  reason: string | null;
}

/**
 * Every domain event, by type, with its payload: the one place an event's shape is written.
 * `TenantTx.emit`, `DomainEventBus.subscribe` and the durable reactions are typed by this map,
 * so a handler reads `event.payload.leadId` with no cast. Payloads are JSON (times are ISO
 * strings): they are stored as such in the outbox (webhooks, docs/webhooks.md) and in the
 * reactions table, and read back unchanged.
 */
export interface DomainEvents {
  'tenant.created': { tenantId: string };
  'settings.changed': { keys: string[] };
  'settings.senders_updated': { fields: string[] };

  'user.invited': { userId: string; role: string };
  'user.activated': { userId: string };
  'user.updated': { userId: string; fields: string[] };
  'user.deleted': { userId: string };
  'api_key.created': { apiKeyId: string };
  'api_key.revoked': { apiKeyId: string };

  'candidate.created': { candidateId: string; externalId: string | null };
  'candidate.updated': { candidateId: string; fields: string[] };
  'candidate.deleted': { candidateId: string };
  'candidate.erased': { candidateId: string };
  'contact.created': { contactId: string; externalId: string | null };
  'contact.updated': { contactId: string; fields: string[] };
  'contact.deleted': { contactId: string };
  'contact.erased': { contactId: string };

  'lead.created': { leadId: string; candidateId: string; status: LeadStatus; externalId: string | null };
  'lead.updated': { leadId: string; candidateId: string; fields: string[] };
  'lead.deleted': { leadId: string; candidateId: string };
  'lead.status_changed': {
    leadId: string;
    candidateId: string;
    from: LeadStatus | null;
    to: LeadStatus;
    at: string;
    referrerContactId: string | null;
    employerContactId: string | null;
  };

  'interview.scheduled': InterviewIds & { startsAt: string; durationMinutes: number; interviewerIds: string[] };
  'interview.updated': InterviewIds & { fields: string[] };
  'interview.rescheduled': InterviewIds & {
    oldStartsAt: string;
    newStartsAt: string;
    oldDurationMinutes: number;
    newDurationMinutes: number;
    reason: string | null;
  };
  'interview.confirmed': InterviewIds & { startsAt: string };
  'interview.cancelled': InterviewClosed;
  'interview.completed': InterviewClosed;
  'interview.no_show': InterviewClosed;
  'interview.deleted': InterviewIds;

  'reference.created': { referenceId: string; candidateId: string; contactId: string };
  'reference.updated': { referenceId: string; candidateId: string; fields: string[] };
  'reference.deleted': { referenceId: string; candidateId: string };
  'references.provided': { leadId: string; candidateId: string; referenceIds: string[]; contactIds: string[]; providedAt: string };

  'follow_up.planned': { followUpId: string; rule: string; person: PersonRef };
  'follow_up.sent': FollowUpOutcome;
  'follow_up.failed': FollowUpOutcome;
  'follow_up.skipped': FollowUpOutcome;
  'follow_up.cancelled': FollowUpOutcome;

  /** A provider (or a DSN) reported an email bounce (messaging/deliverability). */
  'email.bounced': {
    person: PersonRef;
    address: string;
    bounceType: 'hard' | 'soft';
    /** The address is now (or already was) marked undeliverable: a hard bounce, or 3 soft ones in 72 h. */
    undeliverable: boolean;
    /** This event is the one that marked it. */
    newlyUndeliverable: boolean;
    messageId: string | null;
    followUpId: string | null;
    diagnostic: string | null;
    bouncedAt: string;
    provider: string;
  };
  'message.received': {
    messageId: string;
    person: PersonRef | null;
    channel: Channel;
    keyword: SmsKeyword | null;
    confirmation: boolean;
    from: string | null;
  };
  'message.status_changed': {
    messageId: string;
    person: PersonRef | null;
    channel: Channel;
    direction: 'out';
    status: MessageStatus;
    previousStatus: MessageStatus;
    outcome?: string;
    errorCode: string | null;
    followUpId: string | null;
  };
  'message.reply_state_changed': { messageId: string; replyState: ReplyState };
  'consent.changed': { person: PersonRef; channel: Channel; status: ConsentStatus; source: ConsentSource; messageId: string | null };
  /** A template variant won on reply rate and now gets every send of its rule, channel and audience (issue 15). */
  'template_variant.promoted': {
    rule: string;
    channel: 'email' | 'sms';
    audience: 'candidate' | 'contact';
    variant: string;
    /** How sure the comparison is that it beats each other variant (the lowest of those). */
    confidence: number;
    /** Per variant: sends whose reply window had closed, and how many were answered. */
    variants: { name: string; sent: number; replied: number }[];
  };

  'activity.logged': {
    activityId: string;
    person: PersonRef;
    kind: ActivityKind;
    direction: Direction;
    channel: ActivityChannel;
    occurredAt: string;
  };
}

export type DomainEventType = keyof DomainEvents;

/**
 * A domain event: something that happened to a tenant's data. Emitted inside a tenant
 * transaction and published only after that transaction commits, so a rolled-back change emits
 * nothing.
 */
export interface DomainEvent<K extends DomainEventType = DomainEventType> {
  /** Unique per event; for webhook catalog events it is also the outbox row's id (the event id receivers dedupe on). */
  id: string;
  type: K;
  tenantId: TenantId;
  occurredAt: Date;
  /** Who caused it: a user, an API key, or the system (dispatcher, webhook). */
  actor?: Actor;
  payload: DomainEvents[K];
}

/** Any event, discriminated by `type`: `switch (e.type)` narrows `e.payload`. */
export type AnyDomainEvent = { [K in DomainEventType]: DomainEvent<K> }[DomainEventType];
