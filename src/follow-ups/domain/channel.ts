import type { Channel } from '../../messaging/domain/channel';
import { smsCountryRefusal } from '../../messaging/domain/sms-countries';

/**
 * Channel matching, decided at send time (SPEC "Channel matching").
 *
 * Pure: the caller gathers what we know about the person (last inbound channel, preference,
 * addresses, consent) and the tenant (is SMS configured), and this module answers which channel
 * to use, or a call task, or why nobody can be reached.
 */

/**
 * The channel of a person's most recent inbound touch. `phone` is a logged call (an Activity):
 * we cannot call back, so it turns into a call task for the recruiter.
 */
export type InboundChannel = Channel | 'phone';

export interface ChannelChoiceInput {
  /** Channel of the person's most recent inbound message or logged inbound call, if any. */
  readonly lastInboundChannel: InboundChannel | null;
  readonly preferredChannel: Channel | null;
  readonly email: string | null;
  /** E.164 phone number. */
  readonly phone: string | null;
  /** Consent: true when the person opted out of that channel. No record means not opted out. */
  readonly optedOut: { readonly email: boolean; readonly sms: boolean };
  /** Whether the tenant (or the platform default) has an SMS sender configured. */
  readonly smsConfigured: boolean;
  /** Why SMS cannot go for this firm now, when it is configured but held back (e.g. an unverified firm on the platform sender). */
  readonly smsUnavailableReason?: string | null;
  /** The countries texts may go to (the operator's allowlist); null or absent: any. */
  readonly smsCountries?: readonly string[] | null;
  /** Why their email address cannot be used though it is set ("email bounced on 2026-12-09"), or null. */
  readonly emailBounced?: string | null;
  /**
   * A one-off message that names its channel. It is used when reachable; otherwise the answer is
   * `none` with the reason. There is deliberately no fallback: the sender asked for this channel.
   */
  readonly requested?: Channel;
}

/** Why the chosen channel was chosen. */
export type ChoiceBasis = 'requested' | 'last_inbound' | 'preferred' | 'default' | 'fallback';

export interface PassedOverChannel {
  readonly channel: Channel;
  readonly reason: string;
}

export type ChannelChoice =
  | {
      readonly kind: 'send';
      readonly channel: Channel;
      /** The address to send to: the email address or the E.164 number. */
      readonly to: string;
      readonly basis: ChoiceBasis;
      /** Channels tried first and skipped, with why (for the timeline). */
      readonly passedOver: readonly PassedOverChannel[];
    }
  | { readonly kind: 'call_task'; readonly phone: string }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * Picks the channel for one outbound message:
 * 1. the channel of the person's most recent inbound message (a logged phone call becomes a call
 *    task when we have their number);
 * 2. otherwise their preferred channel;
 * 3. otherwise email.
 * An unreachable first choice falls back to the other channel; when neither is reachable the
 * answer is `none` with a reason naming why each channel failed, in the order they were tried.
 */
export function chooseChannel(input: ChannelChoiceInput): ChannelChoice {
  if (input.requested !== undefined) {
    return chooseRequested(input, input.requested);
  }
  const phone = addressOf(input, 'sms');
  if (input.lastInboundChannel === 'phone' && phone !== null) {
    return { kind: 'call_task', phone };
  }
  const [first, basis] = firstChoice(input);
  const second = otherChannel(first);
  const firstProblem = unreachableReason(input, first);
  if (firstProblem === null) {
    return send(input, first, basis, []);
  }
  const secondProblem = unreachableReason(input, second);
  if (secondProblem === null) {
    return send(input, second, 'fallback', [{ channel: first, reason: firstProblem }]);
  }
  return { kind: 'none', reason: `${firstProblem}; ${secondProblem}` };
}

/**
 * Why a person cannot be reached on a channel, or null when they can. Checks in the order a
 * recruiter would fix them: the address first, then consent, then the tenant's setup.
 */
export function unreachableReason(input: ChannelChoiceInput, channel: Channel): string | null {
  if (addressOf(input, channel) === null) {
    return channel === 'email' ? 'no email address' : 'no phone number';
  }
  if (input.optedOut[channel]) {
    return channel === 'email' ? 'opted out of email' : 'opted out of SMS';
  }
  if (channel === 'email' && input.emailBounced) {
    return input.emailBounced;
  }
  if (channel === 'sms' && !input.smsConfigured) {
    return 'SMS is not configured for this firm';
  }
  if (channel === 'sms' && input.smsUnavailableReason) {
    return input.smsUnavailableReason;
  }
  if (channel === 'sms') {
    return smsCountryRefusal(input.phone ?? '', input.smsCountries ?? null);
  }
  return null;
}

function chooseRequested(input: ChannelChoiceInput, requested: Channel): ChannelChoice {
  const problem = unreachableReason(input, requested);
  if (problem !== null) {
    return { kind: 'none', reason: `${channelLabel(requested)} was requested, but: ${problem}` };
  }
  return send(input, requested, 'requested', []);
}

/** Step 1 and 2 of the spec's order, then the playbook default. A phone call falls through. */
function firstChoice(input: ChannelChoiceInput): [Channel, ChoiceBasis] {
  const last = input.lastInboundChannel;
  if (last === 'email' || last === 'sms') {
    return [last, 'last_inbound'];
  }
  if (input.preferredChannel !== null) {
    return [input.preferredChannel, 'preferred'];
  }
  return ['email', 'default'];
}

function send(
  input: ChannelChoiceInput,
  channel: Channel,
  basis: ChoiceBasis,
  passedOver: readonly PassedOverChannel[],
): ChannelChoice {
  const to = addressOf(input, channel);
  if (to === null) {
    throw new Error(`no ${channel} address; check reachability before sending`);
  }
  return { kind: 'send', channel, to, basis, passedOver };
}

/** The trimmed address for a channel; blank counts as missing. */
function addressOf(input: ChannelChoiceInput, channel: Channel): string | null {
  const raw = channel === 'email' ? input.email : input.phone;
  const trimmed = raw?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

function otherChannel(channel: Channel): Channel {
  return channel === 'email' ? 'sms' : 'email';
}

function channelLabel(channel: Channel): string {
  return channel === 'email' ? 'email' : 'SMS';
}
