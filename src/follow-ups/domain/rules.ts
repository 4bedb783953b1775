/**
 * The playbook: the follow-up rules, their default policy, and validation of a tenant's changes.
 * See SPEC "The playbook: default rules". Pure: no I/O, no clock.
 */
import { Duration } from 'luxon';
import { CHANNELS } from './channel';
import type { Channel } from './channel';
import { AUDIENCES, DEFAULT_TEMPLATES, RULE_AUDIENCES, RULE_TEMPLATE_VARIABLES, validateTemplate } from './templates';
import type { Audience, EmailTemplate, RuleTemplates, SmsTemplate } from './templates';

export const RULE_KEYS = [
  'resume_follow_up',
  'interview_confirmation',
  'interview_thank_you',
  'thank_you_reminder',
  'referral_update',
  'reference_heads_up',
  'offer_thank_you',
  'no_reply_nudge',
  'candidate_check_in',
] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

export function isRuleKey(value: unknown): value is RuleKey {
  return typeof value === 'string' && (RULE_KEYS as readonly string[]).includes(value);
}

/**
 * The follow-ups that ask the other person something. When one is sent and the person stays
 * silent, a `no_reply_nudge` follows (nudges count too, up to `maxNudges` in a row).
 */
export const REPLY_EXPECTING_RULES: readonly RuleKey[] = [
  'resume_follow_up',
  'offer_thank_you',
  'candidate_check_in',
  'no_reply_nudge',
];

export function expectsReply(rule: RuleKey): boolean {
  return REPLY_EXPECTING_RULES.includes(rule);
}

// ---------------------------------------------------------------------------------------------
// Policy shape
// ---------------------------------------------------------------------------------------------

/** A rule that has no timing settings: it fires immediately (into the sending window). */
type NoTiming = Readonly<Record<never, string>>;

/**
 * Each rule's named ISO-8601 durations. Calendar parts (Y, M, W, D) are applied in the
 * recipient's local calendar ("P1D" is the same clock time on the adjacent day, 23 or 25 hours
 * across a DST change); clock parts (H, M, S) are elapsed time ("PT24H" is always 24 hours).
 */
export interface RuleTimings {
  readonly resume_follow_up: { readonly delay: string };
  /** `before`: how long before the start; `minLeadTime`: the least notice worth sending. */
  readonly interview_confirmation: { readonly before: string; readonly minLeadTime: string };
  /** `after` the interview's end, but never later than `deadline` after it. */
  readonly interview_thank_you: { readonly after: string; readonly deadline: string };
  readonly thank_you_reminder: { readonly after: string };
  readonly referral_update: NoTiming;
  readonly reference_heads_up: NoTiming;
  readonly offer_thank_you: NoTiming;
  readonly no_reply_nudge: { readonly after: string };
  readonly candidate_check_in: { readonly quietPeriod: string };
}

export type TimingKey<K extends RuleKey> = keyof RuleTimings[K] & string;

export const RULE_TIMING_KEYS: { readonly [K in RuleKey]: readonly TimingKey<K>[] } = {
  resume_follow_up: ['delay'],
  interview_confirmation: ['before', 'minLeadTime'],
  interview_thank_you: ['after', 'deadline'],
  thank_you_reminder: ['after'],
  referral_update: [],
  reference_heads_up: [],
  offer_thank_you: [],
  no_reply_nudge: ['after'],
  candidate_check_in: ['quietPeriod'],
};

interface RulePolicyBase<K extends RuleKey> {
  readonly enabled: boolean;
  readonly timing: RuleTimings[K];
  /** When true, a planned follow-up waits in `awaiting_approval` for a recruiter. */
  readonly requiresApproval: boolean;
  /** Per channel and audience. A tenant override replaces the built-in text for that pair. */
  readonly templates: RuleTemplates;
}

/** One rule's policy. `maxNudges` exists only on `no_reply_nudge`. */
export type RulePolicy<K extends RuleKey = RuleKey> = K extends 'no_reply_nudge'
  ? RulePolicyBase<K> & { readonly maxNudges: number }
  : RulePolicyBase<K>;

/** A tenant's whole follow-up policy: one entry per rule. */
export type FollowUpPolicy = { readonly [K in RuleKey]: RulePolicy<K> };

export const MAX_NUDGES_LIMIT = 10;

/** The spec's table, frozen so no caller can change the defaults by accident. */
export const DEFAULT_POLICY: FollowUpPolicy = deepFreeze({
  resume_follow_up: defaults('resume_follow_up', { delay: 'P7D' }),
  interview_confirmation: defaults('interview_confirmation', { before: 'P1D', minLeadTime: 'PT2H' }),
  interview_thank_you: defaults('interview_thank_you', { after: 'PT2H', deadline: 'PT24H' }),
  thank_you_reminder: defaults('thank_you_reminder', { after: 'PT1H' }),
  referral_update: defaults('referral_update', {}),
  reference_heads_up: defaults('reference_heads_up', {}),
  offer_thank_you: defaults('offer_thank_you', {}),
  no_reply_nudge: { ...defaults('no_reply_nudge', { after: 'P7D' }), maxNudges: 2 },
  candidate_check_in: defaults('candidate_check_in', { quietPeriod: 'P7D' }),
});

function defaults<K extends RuleKey>(rule: K, timing: RuleTimings[K]): RulePolicyBase<K> {
  return { enabled: true, timing, requiresApproval: false, templates: DEFAULT_TEMPLATES[rule] };
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
// Durations
// ---------------------------------------------------------------------------------------------

/**
 * The ISO-8601 duration forms we accept: whole numbers, except fractional seconds; no negative
 * parts, no bare "P" or "PT". Luxon alone is more lenient (it accepts "P", "P-1D", "P1.5D").
 */
const ISO_DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** Upper bound, so a typo cannot push a follow-up past any date arithmetic can represent. */
const MAX_DURATION = Duration.fromObject({ days: 366 });

/** Why a value is not an acceptable duration, or null. Accepts lower case and surrounding spaces. */
export function durationProblem(value: unknown): string | null {
  if (typeof value !== 'string') {
    return 'must be an ISO-8601 duration string such as "P7D" or "PT2H"';
  }
  const iso = normalizeDuration(value);
  if (!ISO_DURATION.test(iso)) {
    return `"${value}" is not an ISO-8601 duration such as "P7D" or "PT2H" (whole, non-negative numbers)`;
  }
  const millis = Duration.fromISO(iso).toMillis();
  if (millis <= 0) {
    return `"${value}" must be longer than zero`;
  }
  if (millis > MAX_DURATION.toMillis()) {
    return `"${value}" is too long; the maximum is one year`;
  }
  return null;
}

/** Trimmed and upper-cased: "p7d " becomes "P7D". */
export function normalizeDuration(value: string): string {
  return value.trim().toUpperCase();
}

/** Parses a duration from a policy. Throws a RangeError naming the problem. */
export function parseDuration(iso: string): Duration {
  const problem = durationProblem(iso);
  if (problem !== null) {
    throw new RangeError(`invalid duration: ${problem}`);
  }
  return Duration.fromISO(normalizeDuration(iso));
}

/** "2 hours", "1 day", "24 hours": for human reasons. Deterministic (fixed English locale). */
export function humanizeDuration(iso: string): string {
  return parseDuration(iso).reconfigure({ locale: 'en-US' }).toHuman({ unitDisplay: 'long' });
}

// ---------------------------------------------------------------------------------------------
// Validating a tenant's patch
// ---------------------------------------------------------------------------------------------

/** A validation error naming the field by path, e.g. `resume_follow_up.timing.delay`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldError[] };

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
    default: {
      const known = rule === 'no_reply_nudge' ? 'enabled, timing, maxNudges, requiresApproval, templates' : 'enabled, timing, requiresApproval, templates';
      return [{ field, message: `unknown setting; expected one of: ${known}` }];
    }
  }
}

function applyMaxNudges(rule: RuleKey, value: unknown, draft: DraftRule): FieldError[] {
  const field = `${rule}.maxNudges`;
  if (rule !== 'no_reply_nudge') {
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
  const allowed: readonly string[] = RULE_TIMING_KEYS[rule];
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
  const field = `${rule}.templates`;
  if (!isPlainObject(value)) {
    return [{ field, message: 'must be an object keyed by channel (email, sms)' }];
  }
  const errors: FieldError[] = [];
  for (const [channel, byAudience] of Object.entries(value)) {
    if (!isChannel(channel)) {
      errors.push({ field: `${field}.${channel}`, message: `unknown channel; expected one of: ${CHANNELS.join(', ')}` });
      continue;
    }
    errors.push(...applyChannelTemplates(rule, channel, byAudience, draft));
  }
  return errors;
}

function applyChannelTemplates(rule: RuleKey, channel: Channel, value: unknown, draft: DraftRule): FieldError[] {
  const field = `${rule}.templates.${channel}`;
  if (!isPlainObject(value)) {
    return [{ field, message: `must be an object keyed by audience (${RULE_AUDIENCES[rule].join(', ')})` }];
  }
  const errors: FieldError[] = [];
  for (const [audience, template] of Object.entries(value)) {
    if (!isAudience(audience) || !RULE_AUDIENCES[rule].includes(audience)) {
      errors.push({ field: `${field}.${audience}`, message: `unknown audience for this rule; expected one of: ${RULE_AUDIENCES[rule].join(', ')}` });
      continue;
    }
    errors.push(...applyTemplate(rule, channel, audience, template, draft));
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
  const problems = validateTemplate(template, RULE_TEMPLATE_VARIABLES[rule]);
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

function resetTemplate(rule: RuleKey, channel: Channel, audience: Audience, draft: DraftRule): void {
  if (channel === 'email') {
    draft.templates.email[audience] = DEFAULT_TEMPLATES[rule].email[audience];
  } else {
    draft.templates.sms[audience] = DEFAULT_TEMPLATES[rule].sms[audience];
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

function crossFieldErrors(draft: Record<RuleKey, DraftRule>): FieldError[] {
  const errors: FieldError[] = [];
  const thankYou = draft.interview_thank_you.timing;
  if (shorterOrEqual(thankYou['deadline'], thankYou['after'])) {
    errors.push({ field: 'interview_thank_you.timing.after', message: 'must be shorter than interview_thank_you.timing.deadline' });
  }
  const confirmation = draft.interview_confirmation.timing;
  if (shorterOrEqual(confirmation['before'], confirmation['minLeadTime'])) {
    errors.push({ field: 'interview_confirmation.timing.minLeadTime', message: 'must be shorter than interview_confirmation.timing.before' });
  }
  return errors;
}

/**
 * Compares two durations by length. Months count as 30 days here (Luxon's casual conversion),
 * which is precise enough for "is `after` shorter than `deadline`".
 */
function shorterOrEqual(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || durationProblem(a) !== null || durationProblem(b) !== null) {
    return false;
  }
  return parseDuration(a).toMillis() <= parseDuration(b).toMillis();
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
