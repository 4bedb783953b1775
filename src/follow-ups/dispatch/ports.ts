import type { TenantId } from '../../database/tenant-id';
import type { PersonRef } from '../../messaging/outbound.types';
import type { Channel, InboundChannel } from '../domain/channel';
import type { Audience, TemplateVars } from '../domain/templates';
import type { FollowUpEntity } from '../follow-up.entity';

/** What the engine needs to know about a recipient at send time. */
export interface Recipient {
  person: PersonRef;
  name: string;
  email: string | null;
  phone: string | null;
  /** The recipient's IANA zone, or null to use the tenant's. */
  timeZone: string | null;
  preferredChannel: Channel | null;
}

export type Composition =
  | { kind: 'compose'; recipient: Recipient; audience: Audience; vars: TemplateVars; tenantZone: string }
  /** The data no longer calls for this follow-up (lead moved on, interview cancelled, person erased…). */
  | { kind: 'cancel'; reason: string };

/**
 * Builds a follow-up's message from the CURRENT data at send time (the follow-up that goes out
 * is the one the current data calls for): recipient, names, company, interview time in the
 * recipient's zone, the recruiter's name.
 */
export interface FollowUpComposer {
  compose(tenantId: TenantId, followUp: FollowUpEntity): Promise<Composition>;
}

/** Messaging's view of a person, read at send time for channel matching and consent. */
export interface ContactState {
  lastInboundChannel: InboundChannel | null;
  optedOut: { email: boolean; sms: boolean };
  smsConfigured: boolean;
  /** True when no SMS has gone to this person yet (the first one carries the opt-out line). */
  firstSms: boolean;
  /** Identifies the SMS sender (number or messaging service) for the per-sender rate limit. */
  smsSenderKey: string;
}

export interface ContactStateReader {
  read(tenantId: TenantId, person: PersonRef): Promise<ContactState>;
}

export const FOLLOW_UP_COMPOSER = Symbol('FOLLOW_UP_COMPOSER');
export const CONTACT_STATE_READER = Symbol('CONTACT_STATE_READER');
