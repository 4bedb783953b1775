/**
 * The registry of follow-up rules: the playbook. Adding a rule is one new file in this folder and
 * one line here. Order matters only where triggers of several rules react to one event and one
 * looks at what another planned (a check-in waits while a nudge covers the silence, so
 * `no_reply_nudge` comes before `candidate_check_in`).
 */
import { candidateCheckIn } from './candidate-check-in.rule';
import { interviewConfirmation } from './interview-confirmation.rule';
import { interviewThankYou } from './interview-thank-you.rule';
import { noReplyNudge } from './no-reply-nudge.rule';
import { offerThankYou } from './offer-thank-you.rule';
import { referenceHeadsUp } from './reference-heads-up.rule';
import { referralUpdate } from './referral-update.rule';
import { resumeFollowUp } from './resume-follow-up.rule';
import { thankYouReminder } from './thank-you-reminder.rule';
import type { AnyRule } from './rule';
import { ONE_OFF } from '../follow-up.entity';
import type { FollowUpRule } from '../follow-up.entity';

export const RULES = [
  resumeFollowUp,
  interviewConfirmation,
  interviewThankYou,
  thankYouReminder,
  referralUpdate,
  referenceHeadsUp,
  offerThankYou,
  noReplyNudge,
  candidateCheckIn,
] as const;

export type Rule = (typeof RULES)[number];
export type RuleKey = Rule['key'];
export type RuleOf<K extends RuleKey> = Extract<Rule, { key: K }>;
/** Each rule's named durations, by rule. */
export type RuleTimings = { readonly [R in Rule as R['key']]: R['defaults']['timing'] };

export const RULE_KEYS: readonly RuleKey[] = RULES.map((r) => r.key);

/** What a follow-up's `rule` is: one of the playbook's, or `one_off` (a message a recruiter wrote). */
export const FOLLOW_UP_RULES: readonly FollowUpRule[] = [...RULE_KEYS, ONE_OFF];

const BY_KEY = new Map<string, AnyRule>(RULES.map((r) => [r.key, r]));

export function isRuleKey(value: unknown): value is RuleKey {
  return typeof value === 'string' && BY_KEY.has(value);
}

/** The rule of a key. */
export function ruleOf<K extends RuleKey>(key: K): RuleOf<K>;
export function ruleOf(key: RuleKey): AnyRule;
export function ruleOf(key: RuleKey): AnyRule {
  const rule = BY_KEY.get(key);
  if (!rule) throw new RangeError(`unknown rule ${key}`);
  return rule;
}

/** The follow-ups that ask the other person something: silence after one gets a `no_reply_nudge`. */
export function expectsReply(rule: string): boolean {
  return BY_KEY.get(rule)?.expectsReply === true;
}
