/**
 * Template variants (issue 15): a rule's text for one channel and audience may come in up to
 * four variants, each with a weight. Which one a follow-up uses is decided by a hash of the rule
 * and the recipient, so a preview, the send and any re-send agree, and one person always gets
 * the same wording from one rule. Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import type { Audience, EmailTemplate, SmsTemplate } from './templates';

export const MAX_VARIANTS = 4;
/** A variant's name: what follow-ups record and analytics group by. */
export const VARIANT_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface EmailVariant extends EmailTemplate {
  readonly name: string;
  readonly weight: number;
}

export interface SmsVariant extends SmsTemplate {
  readonly name: string;
  readonly weight: number;
}

/** A rule's variants, per channel and audience (absent: the rule's one template). */
export interface RuleVariants {
  readonly email?: Readonly<Partial<Record<Audience, readonly EmailVariant[]>>>;
  readonly sms?: Readonly<Partial<Record<Audience, readonly SmsVariant[]>>>;
}

/**
 * Where a recipient falls for a rule: a number in [0, 1) from SHA-256 of the rule and the person
 * (e.g. `candidate:<id>`), the same on every call and every machine.
 */
export function variantPoint(rule: string, person: string): number {
  const digest = createHash('sha256').update(`${rule}\u0000${person}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The variant at `point` when the weights are laid end to end: a variant with twice the weight
 * gets twice the recipients; weight 0 gets none. Undefined when there is none to choose.
 */
export function chooseVariant<V extends { readonly weight: number }>(variants: readonly V[] | undefined, point: number): V | undefined {
  if (!variants || variants.length === 0) return undefined;
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (!(total > 0)) return undefined;
  const target = point * total;
  let reached = 0;
  let last: V | undefined;
  for (const v of variants) {
    if (v.weight <= 0) continue;
    reached += v.weight;
    last = v;
    if (target < reached) return v;
  }
  return last;
}

/** Problems with one channel and audience's list of variants (shape, names, weights); templates are checked by the caller. */
export function variantListProblems(value: unknown, channel: 'email' | 'sms'): { index?: number; field?: string; message: string }[] {
  if (!Array.isArray(value)) return [{ message: `must be a list of at most ${MAX_VARIANTS} variants, or null for none` }];
  if (value.length > MAX_VARIANTS) return [{ message: `at most ${MAX_VARIANTS} variants per channel and audience (got ${value.length})` }];
  const problems: { index?: number; field?: string; message: string }[] = [];
  const names = new Set<string>();
  let total = 0;
  const keys = channel === 'email' ? ['name', 'weight', 'subject', 'body'] : ['name', 'weight', 'body'];
  value.forEach((v: unknown, index) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      problems.push({ index, message: `must be { ${keys.join(', ')} }` });
      return;
    }
    const o = v as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !keys.includes(k));
    if (extra.length > 0) problems.push({ index, message: `unexpected ${extra.join(', ')}; a variant is { ${keys.join(', ')} }` });
    if (typeof o.name !== 'string' || !VARIANT_NAME.test(o.name)) {
      problems.push({ index, field: 'name', message: 'must be lowercase letters, digits, - and _ (at most 40)' });
    } else if (names.has(o.name)) {
      problems.push({ index, field: 'name', message: `${o.name} is used twice` });
    } else {
      names.add(o.name);
    }
    if (typeof o.weight !== 'number' || !Number.isFinite(o.weight) || o.weight < 0) {
      problems.push({ index, field: 'weight', message: 'must be a number, 0 or more' });
    } else {
      total += o.weight;
    }
    for (const k of channel === 'email' ? ['subject', 'body'] : ['body']) {
      if (typeof o[k] !== 'string') problems.push({ index, field: k, message: 'must be a string' });
    }
  });
  if (problems.length === 0 && value.length > 0 && !(total > 0)) {
    problems.push({ field: 'weight', message: 'the weights must sum to a positive number' });
  }
  return problems;
}
