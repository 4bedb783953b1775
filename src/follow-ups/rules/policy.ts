/**
 * A tenant's follow-up policy: per rule, enabled, timing, approval, nudges and templates. The
 * defaults come from the rules themselves (each rule's file); a tenant's overrides are validated
 * whole here, with every error naming its field. Pure: no I/O, no clock.
 */
import { CHANNELS } from '../../messaging/domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import { durationProblem, normalizeDuration } from '../domain/durations';
import type { FieldError, Validation } from '../domain/durations';
import { AUDIENCES, validateTemplate } from '../domain/templates';
import { variantListProblems } from '../domain/variants';
import type { EmailVariant, SmsVariant } from '../domain/variants';
import type { Audience, EmailTemplate, SmsTemplate } from '../domain/templates';
import { isRuleKey, RULE_KEYS, RULES, ruleOf } from './index';
import type { Rule, RuleKey } from './index';
import type { RulePolicy } from './rule';

export type { RulePolicy } from './rule';

/** A tenant's whole follow-up policy: one entry per rule. */
export type FollowUpPolicy = { readonly [R in Rule as R['key']]: RulePolicy<R['defaults']['timing']> };

export const MAX_NUDGES_LIMIT = 10;

/** The rules' defaults, frozen so no caller can change them by accident. */
export const DEFAULT_POLICY: FollowUpPolicy = deepFreeze(
  Object.fromEntries(
    RULES.map((rule) => [
      rule.key,
      {
        enabled: true,
        timing: rule.defaults.timing,
        requiresApproval: false,
        templates: rule.templates,
        ...(rule.defaults.maxNudges !== undefined ? { maxNudges: rule.defaults.maxNudges } : {}),
      },
    ]),
  ) as unknown as FollowUpPolicy,
);

/** One rule's policy out of a whole policy, typed loosely (callers holding any rule). */
export function policyOf(policy: FollowUpPolicy, rule: RuleKey): RulePolicy {
  return policy[rule] as RulePolicy;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Validating a tenant's patch
// ---------------------------------------------------------------------------------------------

/** The mutable, loosely typed working copy used while applying a patch. */
interface DraftRule {
  enabled: boolean;
  requiresApproval: boolean;
  maxNudges?: number;
  timing: Record<string, string>;
  templates: {
    email: Partial<Record<Audience, EmailTemplate>>;
    sms: Partial<Record<Audience, SmsTemplate>>;
  };
  variants?: {
    email?: Partial<Record<Audience, EmailVariant[]>>;
    sms?: Partial<Record<Audience, SmsVariant[]>>;
  };
}

/**
 * Applies a tenant's partial policy (e.g. `{ resume_follow_up: { timing: { delay: 'P5D' } } }`)
 * onto `base` (the built-in defaults unless given) and returns the whole normalized policy, or
 * every error found with the field named. Nothing is applied when there is any error.
 *
 * - Unknown rules, settings, timing keys, channels and audiences are errors, not ignored.
 * - Durations are normalized ("p5d" → "P5D"), must be positive and at most a year.
 * - `maxNudges` (nudge only) is an integer 0..10; 0 turns nudges off.
 * - A template set to `null` goes back to the built-in one; a template is checked with
 *   `validateTemplate` against the variables that rule guarantees.
 * - Cross-field: the thank-you `after` must be shorter than its `deadline`, and the confirmation's
 *   `minLeadTime` shorter than `before` (otherwise every one of them would be skipped).
 */
export function validatePolicyPatch(patch: unknown, base: FollowUpPolicy = DEFAULT_POLICY): Validation<FollowUpPolicy> {
  if (!isPlainObject(patch)) {
    return { ok: false, errors: [{ field: '', message: 'the policy must be an object keyed by rule' }] };
  }
  const draft = structuredClone(base) as unknown as Record<RuleKey, DraftRule>;
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!isRuleKey(key)) {
      errors.push({ field: key, message: `unknown rule; expected one of: ${RULE_KEYS.join(', ')}` });
      continue;
    }
    errors.push(...applyRulePatch(key, value, draft[key]));
  }
  errors.push(...crossFieldErrors(draft));
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  // The draft started as a clone of a FollowUpPolicy and every write above was validated.
  return { ok: true, value: deepFreeze(draft as unknown as FollowUpPolicy) };
}

function applyRulePatch(rule: RuleKey, value: unknown, draft: DraftRule): FieldError[] {
  if (!isPlainObject(value)) {
    return [{ field: rule, message: 'must be an object' }];
  }
  const errors: FieldError[] = [];
  for (const [setting, settingValue] of Object.entries(value)) {
    errors.push(...applySetting(rule, setting, settingValue, draft));
  }
  return errors;
}

function applySetting(rule: RuleKey, setting: string, value: unknown, draft: DraftRule): FieldError[] {
  const field = `${rule}.${setting}`;
  switch (setting) {
    case 'enabled':
    case 'requiresApproval':
      if (typeof value !== 'boolean') {
        return [{ field, message: 'must be true or false' }];
      }
      draft[setting] = value;
      return [];
    case 'maxNudges':
      return applyMaxNudges(rule, value, draft);
    case 'timing':
      return applyTiming(rule, value, draft);
    case 'templates':
      return applyTemplates(rule, value, draft);
    case 'variants':
      return applyVariants(rule, value, draft);
    default: {
      const known = ruleOf(rule).defaults.maxNudges !== undefined ? 'enabled, timing, maxNudges, requiresApproval, templates, variants' : 'enabled, timing, requiresApproval, templates, variants';
      return [{ field, message: `unknown setting; expected one of: ${known}` }];
    }
  }
}

function applyMaxNudges(rule: RuleKey, value: unknown, draft: DraftRule): FieldError[] {
  const field = `${rule}.maxNudges`;
  if (ruleOf(rule).defaults.maxNudges === undefined) {
    return [{ field, message: 'only no_reply_nudge has maxNudges' }];
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_NUDGES_LIMIT) {
    return [{ field, message: `must be a whole number from 0 to ${MAX_NUDGES_LIMIT}` }];
  }
  draft.maxNudges = value;
  return [];
}

function applyTiming(rule: RuleKey, value: unknown, draft: DraftRule): FieldError[] {
  const field = `${rule}.timing`;
  if (!isPlainObject(value)) {
    return [{ field, message: 'must be an object of ISO-8601 durations' }];
  }
  const allowed: readonly string[] = Object.keys(ruleOf(rule).defaults.timing);
  const errors: FieldError[] = [];
  for (const [key, duration] of Object.entries(value)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length === 0 ? 'this rule sends immediately and has no timing settings' : `expected one of: ${allowed.join(', ')}`;
      errors.push({ field: `${field}.${key}`, message: `unknown timing key; ${expected}` });
      continue;
    }
    const problem = durationProblem(duration);
    if (problem !== null) {
      errors.push({ field: `${field}.${key}`, message: problem });
    } else if (typeof duration === 'string') {
      draft.timing[key] = normalizeDuration(duration);
    }
  }
  return errors;
}

function applyTemplates(rule: RuleKey, value: unknown, draft: DraftRule): FieldError[] {
  return eachChannelAudience(rule, `${rule}.templates`, value, (channel, audience, template) => applyTemplate(rule, channel, audience, template, draft));
}

/**
 * Walks `{ <channel>: { <audience>: item } }` (templates and variants), refusing an unknown channel
 * or an audience the rule does not have, and applies each item; the errors of all of them.
 */
function eachChannelAudience(
  rule: RuleKey,
  field: string,
  value: unknown,
  apply: (channel: Channel, audience: Audience, item: unknown, at: string) => FieldError[],
): FieldError[] {
  if (!isPlainObject(value)) {
    return [{ field, message: 'must be an object keyed by channel (email, sms)' }];
  }
  const audiences = ruleOf(rule).audiences;
  const errors: FieldError[] = [];
  for (const [channel, byAudience] of Object.entries(value)) {
    if (!isChannel(channel)) {
      errors.push({ field: `${field}.${channel}`, message: `unknown channel; expected one of: ${CHANNELS.join(', ')}` });
    } else if (!isPlainObject(byAudience)) {
      errors.push({ field: `${field}.${channel}`, message: `must be an object keyed by audience (${audiences.join(', ')})` });
    } else {
      for (const [audience, item] of Object.entries(byAudience)) {
        const at = `${field}.${channel}.${audience}`;
        if (!isAudience(audience) || !audiences.includes(audience)) {
          errors.push({ field: at, message: `unknown audience for this rule; expected one of: ${audiences.join(', ')}` });
        } else {
          errors.push(...apply(channel, audience, item, at));
        }
      }
    }
  }
  return errors;
}

function applyTemplate(rule: RuleKey, channel: Channel, audience: Audience, value: unknown, draft: DraftRule): FieldError[] {
  const field = `${rule}.templates.${channel}.${audience}`;
  if (value === null) {
    resetTemplate(rule, channel, audience, draft);
    return [];
  }
  const shapeError = templateShapeError(channel, value);
  if (shapeError !== null) {
    return [{ field, message: shapeError }];
  }
  const template = value as EmailTemplate | SmsTemplate;
  const problems = validateTemplate(template, ruleOf(rule).variables);
  if (problems.length > 0) {
    return problems.map((problem) => ({ field: `${field}.${problem.field}`, message: problem.message }));
  }
  if (channel === 'email') {
    const { subject, body } = template as EmailTemplate;
    draft.templates.email[audience] = { subject, body };
  } else {
    draft.templates.sms[audience] = { body: template.body };
  }
  return [];
}

/**
 * `variants: { email: { candidate: [{ name, weight, subject, body }, …] }, sms: { … } }`: up to 4
 * per channel and audience, names unique, weights 0 or more summing to a positive number, each
 * text checked like a template. A list replaces the stored one; null (or an empty list) removes it.
 */
function applyVariants(rule: RuleKey, value: unknown, draft: DraftRule): FieldError[] {
  return eachChannelAudience(rule, `${rule}.variants`, value, (channel, audience, list, at) => applyVariantList(rule, channel, audience, list, at, draft));
}

function applyVariantList(rule: RuleKey, channel: Channel, audience: Audience, list: unknown, at: string, draft: DraftRule): FieldError[] {
  const target = ((draft.variants ??= {})[channel] ??= {}) as Partial<Record<Audience, (EmailVariant | SmsVariant)[]>>;
  if (list === null || (Array.isArray(list) && list.length === 0)) {
    delete target[audience];
    return [];
  }
  const problems = variantListProblems(list, channel);
  if (problems.length > 0) {
    return problems.map((p) => ({ field: `${at}${p.index === undefined ? '' : `.${p.index}`}${p.field ? `.${p.field}` : ''}`, message: p.message }));
  }
  const variants = list as (EmailVariant | SmsVariant)[];
  const errors = variants.flatMap((v, i) => {
    const template = channel === 'email' ? { subject: (v as EmailVariant).subject, body: v.body } : { body: v.body };
    return validateTemplate(template, ruleOf(rule).variables).map((problem) => ({ field: `${at}.${i}.${problem.field}`, message: problem.message }));
  });
  if (errors.length === 0) {
    target[audience] = variants.map((v) =>
      channel === 'email' ? { name: v.name, weight: v.weight, subject: (v as EmailVariant).subject, body: v.body } : { name: v.name, weight: v.weight, body: v.body },
    );
  }
  return errors;
}

function resetTemplate(rule: RuleKey, channel: Channel, audience: Audience, draft: DraftRule): void {
  if (channel === 'email') {
    draft.templates.email[audience] = ruleOf(rule).templates.email[audience];
  } else {
    draft.templates.sms[audience] = ruleOf(rule).templates.sms[audience];
  }
}

/** An email template is exactly `{ subject, body }`, an SMS template exactly `{ body }`. */
function templateShapeError(channel: Channel, value: unknown): string | null {
  const keys = channel === 'email' ? ['subject', 'body'] : ['body'];
  const expected = channel === 'email' ? '{ subject, body }' : '{ body }';
  if (!isPlainObject(value)) {
    return `must be ${expected} of strings, or null for the built-in template`;
  }
  const extra = Object.keys(value).filter((key) => !keys.includes(key));
  if (extra.length > 0) {
    return `unexpected ${extra.join(', ')}; an ${channel} template is ${expected}`;
  }
  const bad = keys.filter((key) => typeof value[key] !== 'string');
  return bad.length === 0 ? null : `${bad.join(' and ')} must be a string`;
}

/** Each rule's own checks across its timing (e.g. the thank-you's `after` shorter than its `deadline`). */
function crossFieldErrors(draft: Record<RuleKey, DraftRule>): FieldError[] {
  return RULES.flatMap((rule) => (rule.validateTiming ? rule.validateTiming(draft[rule.key].timing) : []));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

function isAudience(value: string): value is Audience {
  return (AUDIENCES as readonly string[]).includes(value);
}
