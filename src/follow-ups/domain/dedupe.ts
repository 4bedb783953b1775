/**
 * Dedupe keys (SPEC "Dedupe"): every follow-up has a unique key built from
 * (tenant, rule, subject, recipient, occurrence). Planning the same thing twice, from a retried
 * request, a double event or two processes, produces the same key, and a unique index on it
 * turns the second insert into a no-op.
 *
 * What `occurrence` is, per rule (use the `occurrence` helpers below):
 * - `interview_confirmation`: subject = the interview; `occurrence.schedule(version)` ("v2"), or
 *   `occurrence.startsAt(startsAt)` when the interview keeps no schedule version. A reschedule
 *   is a new occurrence, so the new time gets its own confirmation (the planner cancels the old).
 * - `referral_update`: subject = the lead; `occurrence.leadStatus(status)`: one update per status
 *   the lead reaches (a lead never returns to an earlier status), the closing one included.
 * - `no_reply_nudge`: subject = the follow-up being nudged (the original reply-expecting one, also
 *   for the second nudge); `occurrence.nudge(n)` ("n1", "n2").
 * - `candidate_check_in`: subject = the candidate; `occurrence.checkIn(quietPeriodEnd)`, the UTC
 *   date of lastContact + quietPeriod before windowing, so moving a window or re-planning the same
 *   quiet period keeps the key, while any new contact starts a new period and a new key.
 * - `reference_heads_up`: subject = the lead, recipient = the reference's contact; `'1'`, which
 *   makes it once per (reference, lead).
 * - every other rule: `occurrence.once()` ("1"): resume follow-up (subject lead), offer thank-you
 *   (lead), interview thank-you and thank-you reminder (interview).
 */
import { isRuleKey, RULE_KEYS } from '../rules';
import type { RuleKey } from '../rules';
import { checkedPart, DedupeKeyError, SEPARATOR } from './occurrence';

export { occurrence, DedupeKeyError } from './occurrence';

export const SUBJECT_TYPES = ['lead', 'interview', 'candidate', 'reference', 'message', 'follow_up'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const RECIPIENT_TYPES = ['candidate', 'contact', 'user'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

export interface DedupeKeyParts {
  readonly tenantId: string;
  readonly rule: RuleKey;
  readonly subject: { readonly type: SubjectType; readonly id: string };
  readonly recipient: { readonly type: RecipientType; readonly id: string };
  readonly occurrence: string;
}


/**
 * `tenant:rule:subjectType:subjectId:recipientType:recipientId:occurrence`, e.g.
 * `7f0c…:interview_confirmation:interview:9a1e…:candidate:c42b…:v2`.
 *
 * Readable in logs and stable across processes. Every part except the last must be free of `:`,
 * so two different tuples can never produce the same key; the occurrence comes last and may
 * contain `:` (ISO timestamps do). Throws on an empty or malformed part: a bad key must fail
 * loudly rather than collide.
 */
export function dedupeKey(parts: DedupeKeyParts): string {
  const { tenantId, rule, subject, recipient, occurrence } = parts;
  if (!isRuleKey(rule)) throw new DedupeKeyError(`rule must be one of ${RULE_KEYS.join(', ')} (got "${String(rule)}")`);
  assertOneOf('subject.type', subject.type, SUBJECT_TYPES);
  assertOneOf('recipient.type', recipient.type, RECIPIENT_TYPES);
  const fixed = [
    checkedPart('tenantId', tenantId),
    rule,
    subject.type,
    checkedPart('subject.id', subject.id),
    recipient.type,
    checkedPart('recipient.id', recipient.id),
  ];
  return [...fixed, checkedOccurrence(occurrence)].join(SEPARATOR);
}

function checkedOccurrence(value: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DedupeKeyError('occurrence must not be empty');
  }
  if (/\s/.test(value)) {
    throw new DedupeKeyError(`occurrence must not contain whitespace (got "${value}")`);
  }
  return value;
}

function assertOneOf(name: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    throw new DedupeKeyError(`${name} must be one of ${allowed.join(', ')} (got "${String(value)}")`);
  }
}
