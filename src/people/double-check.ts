import { Field, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { WARNING_CODES } from './warning-codes';
import type { WarningCode } from './warning-codes';
import { WarningCodeEnum } from '../graphql/enums';

/**
 * "Check and double check how you spelled their name and that you entered the correct email."
 * Pure checks over a person's name and email. They produce warnings, never errors: the write
 * always goes through, and the response tells the recruiter what looks off.
 */

@ObjectType('Warning')
export class WarningView {
  @ApiProperty({ example: 'email' }) @Field() field!: string;
  @ApiProperty({ enum: WARNING_CODES, example: 'EMAIL_DOMAIN_TYPO' })
  @Field(() => WarningCodeEnum)
  code!: WarningCode;
  @ApiProperty({ example: 'Did you mean gmail.com? The address is jane.doe@gmial.com' }) @Field() message!: string;

  static of(field: string, code: WarningCode, message: string): WarningView {
    return Object.assign(new WarningView(), { field, code, message });
  }
}

export const COMMON_EMAIL_DOMAINS = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'ymail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'comcast.net',
  'verizon.net',
  'att.net',
  'sbcglobal.net',
  'protonmail.com',
  'proton.me',
  'gmx.com',
  'gmx.de',
  'web.de',
  'mail.com',
  'zoho.com',
  'fastmail.com',
] as const;

/** Optimal string alignment distance: Levenshtein where a swap of neighbours (gmial) costs 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Lower-case ASCII letters only: "Zoë O'Brien-Smith" → ["zoe", "obrien", "smith"]. */
export function nameTokens(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .split(/[^a-z]+/)
    .filter((t) => t.length > 0);
}

/** Same name, ignoring case, accents, punctuation and spacing. */
export function sameName(a: string, b: string): boolean {
  return nameTokens(a).join(' ') === nameTokens(b).join(' ');
}

/** Likely typo of a common provider: "gmial.com" → "gmail.com". Undefined when fine or unknown. */
export function suggestDomain(domain: string): string | undefined {
  const d = domain.toLowerCase();
  if ((COMMON_EMAIL_DOMAINS as readonly string[]).includes(d)) return undefined;
  let best: { domain: string; distance: number } | undefined;
  for (const candidate of COMMON_EMAIL_DOMAINS) {
    const distance = editDistance(d, candidate);
    if (!best || distance < best.distance) best = { domain: candidate, distance };
  }
  if (!best) return undefined;
  const allowed = best.domain.length >= 9 ? 2 : 1;
  return best.distance > 0 && best.distance <= allowed ? best.domain : undefined;
}

/** Ways people turn a name into a mailbox: jane.doe, janedoe, jdoe, janed, doe.jane, doej, jane, doe. */
function mailboxForms(tokens: string[]): string[] {
  if (tokens.length === 0) return [];
  const first = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  const forms = new Set<string>([first, last, tokens.join(''), first + last, first[0]! + last, first + last[0]!, last + first, last + first[0]!]);
  if (tokens.length > 2) forms.add(tokens.map((t) => t[0]).join('') + last.slice(1));
  return [...forms];
}

/**
 * Does the mailbox look like a misspelling of the name (or the name of the mailbox)?
 * "jane.doe@" for "Jane Dow" does: "doe" is one letter off "dow". Role mailboxes ("hr@",
 * "info@") and mailboxes unrelated to the name do not warn: only a near miss is suspicious.
 */
export function emailNameMismatch(name: string, email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at <= 0) return undefined;
  const names = nameTokens(name);
  if (names.length === 0) return undefined;
  const local = email.slice(0, at).toLowerCase().split('+')[0] ?? '';
  const parts = local.split(/[^a-z]+/).filter((t) => t.length > 0);
  const forms = mailboxForms(names);
  // Token by token: "jane.doe" against ["jane", "dow"].
  for (const part of parts) {
    if (part.length < 3 || names.includes(part) || forms.includes(part)) continue;
    for (const n of names) {
      if (n.length < 3) continue;
      const distance = editDistance(part, n);
      const allowed = n.length >= 6 ? 2 : 1;
      if (distance > 0 && distance <= allowed) return `the email has "${part}" where the name has "${n}"`;
    }
  }
  // Whole mailbox: "janedoe" or "jdoe" against "Jane Dow".
  const joined = parts.join('');
  if (joined.length >= 4 && !parts.some((p) => names.includes(p))) {
    if (!forms.includes(joined)) {
      for (const form of forms) {
        if (form.length < 4) continue;
        const distance = editDistance(joined, form);
        if (distance > 0 && distance <= (form.length >= 8 ? 2 : 1)) return `the email "${local}" is close to, but not, "${form}"`;
      }
    }
  }
  return undefined;
}

/** A person with that email already in the tenant, for the "same email, other spelling" check. */
export interface SameEmailPerson {
  kind: 'contact' | 'candidate';
  id: string;
  name: string;
}

/**
 * All the warnings for one person's name and email. `others` are the tenant's other people with
 * the same email (case-insensitive), found by the caller.
 */
export function doubleCheck(input: { name: string; email?: string | null }, others: readonly SameEmailPerson[] = []): WarningView[] {
  const warnings: WarningView[] = [];
  const email = input.email?.trim();
  if (!email) return warnings;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const suggestion = suggestDomain(domain);
  if (suggestion) {
    warnings.push(WarningView.of('email', 'EMAIL_DOMAIN_TYPO', `Did you mean ${suggestion}? The address is ${email}.`));
  }
  const mismatch = emailNameMismatch(input.name, email);
  if (mismatch) {
    warnings.push(WarningView.of('name', 'EMAIL_NAME_MISMATCH', `Check the spelling of "${input.name}" and ${email}: ${mismatch}.`));
  }
  const conflict = others.find((o) => !sameName(o.name, input.name));
  if (conflict) {
    warnings.push(
      WarningView.of(
        'name',
        'EMAIL_NAME_CONFLICT',
        `Another ${conflict.kind} (${conflict.id}) has the email ${email} under the name "${conflict.name}".`,
      ),
    );
  }
  return warnings;
}
