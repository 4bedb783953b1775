import type { OutboundContext, OutboundMessenger } from '../../messaging/outbound.types';
import { replySubject } from '../../messaging/domain/email-headers';
import { emailBouncedReason, EMPTY_PERSON_STATE, threadOf } from '../../messaging/outbound.types';
import { threadKeyOf } from './thread';
import { personKey } from '../../people/person-ref';
import { chooseChannel } from '../domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import type { ChoiceBasis, PassedOverChannel } from '../domain/channel';
import { renderEmail, renderSms } from '../domain/templates';
import { chooseVariant, variantPoint } from '../domain/variants';
import { ONE_OFF } from '../follow-up.entity';
import type { FollowUpEntity } from '../follow-up.entity';
import { isRuleKey, ruleOf } from '../rules';
import { policyOf } from '../rules/policy';
import type { FollowUpSettings } from '../tenant-settings';
import type { Composition } from './follow-up.composer';

/**
 * What a follow-up would be if it went out now: the one function the dispatcher sends from and a
 * preview shows, so what a recruiter sees is what goes out.
 */
export type Draft =
  /** The data (or the policy) no longer calls for it. */
  | { kind: 'cancel'; reason: string }
  /** Nobody can be reached, or there is no text for that channel and audience. */
  | { kind: 'skip'; reason: string }
  /** Their last inbound touch was a phone call: a call task for the recruiter. */
  | { kind: 'task'; phone: string; reason: string }
  /** The text cannot be rendered (a template problem): it fails with the reason, never half-filled. */
  | { kind: 'fail'; reason: string }
  | {
      kind: 'message';
      channel: Channel;
      /** Why this channel. */
      basis: ChoiceBasis;
      passedOver: readonly PassedOverChannel[];
      /** The email address or E.164 number. */
      to: string;
      subject?: string;
      /** The final text, SMS compliance included. */
      text: string;
      /** The text is the recruiter's own (a one-off message, or an edited follow-up). */
      ownText: boolean;
      /** The template variant the text came from (null: the rule's one template, or the recruiter's own text). */
      variant: string | null;
    };

/** What a preview says a draft would do: its kind, `send` for a message. */
export const PREVIEW_OUTCOMES = ['send', 'skip', 'cancel', 'task', 'fail'] as const;
export type PreviewOutcome = (typeof PREVIEW_OUTCOMES)[number];

export function draftFollowUp(
  f: FollowUpEntity,
  composition: Composition,
  settings: FollowUpSettings,
  outbound: OutboundContext,
  messenger: Pick<OutboundMessenger, 'finalText'>,
): Draft {
  const oneOff = f.rule === ONE_OFF;
  if (oneOff && f.body === null) return { kind: 'cancel', reason: 'the message text was removed' };
  if (!oneOff && isRuleKey(f.rule) && !policyOf(settings.policy, f.rule).enabled) return { kind: 'cancel', reason: 'the rule is turned off' };
  if (composition.kind === 'cancel') return composition;
  const rule = isRuleKey(f.rule) ? ruleOf(f.rule) : undefined;
  const gone = rule?.stillApplies?.(composition.facts, f);
  if (gone) return { kind: 'cancel', reason: gone };

  const { recipient } = composition;
  const state = outbound.people.get(personKey(recipient.person)) ?? EMPTY_PERSON_STATE;
  const choice = chooseChannel({
    // A one-off message is the recruiter's own answer: it is sent, never turned into a call task.
    lastInboundChannel: oneOff && state.lastInboundChannel === 'phone' ? null : state.lastInboundChannel,
    ...(oneOff && f.requestedChannel ? { requested: f.requestedChannel } : {}),
    preferredChannel: recipient.preferredChannel,
    email: recipient.email,
    phone: recipient.phone,
    optedOut: state.optedOut,
    smsConfigured: outbound.smsConfigured,
    smsUnavailableReason: outbound.smsUnavailableReason,
    smsCountries: outbound.smsCountries,
    emailBounced: emailBouncedReason(state, recipient.email),
  });
  if (choice.kind === 'none') return { kind: 'skip', reason: `nobody to send to: ${choice.reason}` };
  if (choice.kind === 'call_task') return { kind: 'task', phone: choice.phone, reason: `Call ${recipient.name} at ${choice.phone}: they last reached out by phone` };
  const channel = choice.channel;

  let subject: string | undefined;
  let text: string;
  let variant: string | null = null;
  // The recruiter's own words (a one-off message, or a follow-up they edited) go as written.
  const ownText = oneOff || f.body !== null;
  if (ownText) {
    subject = channel === 'email' ? (f.subject ?? undefined) : undefined;
    text = f.body ?? '';
  } else {
    if (!rule || !isRuleKey(f.rule)) return { kind: 'skip', reason: `unknown rule ${f.rule}` };
    // A variant of the firm's (chosen by a hash of rule and recipient, so preview, send and
    // re-send agree), else the firm's own text for this channel and audience, else the rule's.
    const policy = policyOf(settings.policy, f.rule);
    const own = policy.templates;
    const audience = composition.audience;
    const noTemplate: Draft = { kind: 'skip', reason: `no ${channel} template for a ${audience}` };
    const point = variantPoint(f.rule, personKey(recipient.person));
    try {
      if (channel === 'email') {
        const chosen = chooseVariant(policy.variants?.email?.[audience], point);
        const template = chosen ?? own.email[audience] ?? rule.templates.email[audience];
        if (!template) return noTemplate;
        variant = chosen?.name ?? null;
        ({ subject, body: text } = renderEmail(template, composition.vars));
      } else {
        const chosen = chooseVariant(policy.variants?.sms?.[audience], point);
        const template = chosen ?? own.sms[audience] ?? rule.templates.sms[audience];
        if (!template) return noTemplate;
        variant = chosen?.name ?? null;
        text = renderSms(template, composition.vars);
      }
    } catch (err) {
      return { kind: 'fail', reason: `template: ${err instanceof Error ? err.message : 'the template could not be rendered'}` };
    }
  }
  // Email in a conversation that already has emails to this person: a reply in it (what messaging will send).
  const thread = channel === 'email' ? outbound.threads.get(threadOf(recipient.person, threadKeyOf(f))) : undefined;
  if (thread?.subject) subject = replySubject(thread.subject);
  return { kind: 'message', channel, basis: choice.basis, passedOver: choice.passedOver, to: choice.to, subject, text: messenger.finalText(channel, text, state), ownText, variant };
}
