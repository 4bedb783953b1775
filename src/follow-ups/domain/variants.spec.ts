import { randomUUID } from 'node:crypto';
import { validatePolicyPatch } from '../rules/policy';
import { chooseVariant, variantPoint } from './variants';

const variants = [
  { name: 'a', weight: 1, body: 'A' },
  { name: 'b', weight: 2, body: 'B' },
  { name: 'c', weight: 0, body: 'C' },
  { name: 'd', weight: 1, body: 'D' },
];

describe('template variants: choice', () => {
  it('is deterministic per recipient and rule: the same person and rule always get the same variant', () => {
    const person = `candidate:${randomUUID()}`;
    const first = chooseVariant(variants, variantPoint('candidate_check_in', person));
    for (let i = 0; i < 20; i++) expect(chooseVariant(variants, variantPoint('candidate_check_in', person))).toBe(first);
    // A fixed input gives a fixed point on every machine.
    expect(variantPoint('candidate_check_in', 'candidate:00000000-0000-4000-8000-000000000001')).toBe(variantPoint('candidate_check_in', 'candidate:00000000-0000-4000-8000-000000000001'));
    expect(variantPoint('candidate_check_in', 'candidate:x')).not.toBe(variantPoint('resume_follow_up', 'candidate:x'));
  });

  it('follows the weights within 2 percentage points over 10,000 recipients, and never picks weight 0', () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    const n = 10_000;
    for (let i = 0; i < n; i++) counts[chooseVariant(variants, variantPoint('resume_follow_up', `contact:${i}`))!.name]! += 1;
    expect(counts.c).toBe(0);
    // Expected shares 1/4, 2/4, 0, 1/4; a binomial's standard deviation at n = 10,000 is at most 0.5 points.
    expect(Math.abs(counts.a! / n - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(counts.b! / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(counts.d! / n - 0.25)).toBeLessThan(0.02);
  });

  it('the edges: point 0 is the first variant with weight, a point just under 1 the last; nothing to choose gives undefined', () => {
    expect(chooseVariant(variants, 0)!.name).toBe('a');
    expect(chooseVariant(variants, 0.999999)!.name).toBe('d');
    expect(chooseVariant([], 0.5)).toBeUndefined();
    expect(chooseVariant(undefined, 0.5)).toBeUndefined();
    expect(chooseVariant([{ name: 'x', weight: 0 }], 0.5)).toBeUndefined();
  });
});

describe('template variants: validation of the policy', () => {
  const email = (name: string, weight: unknown, extra: object = {}) => ({ name, weight, subject: 'Checking in, {{recipientFirstName}}', body: 'Hi {{recipientFirstName}}, how is it going?', ...extra });
  const patch = (list: unknown) => ({ candidate_check_in: { variants: { email: { candidate: list } } } });

  it('accepts up to 4 variants with weights summing to a positive number', () => {
    const r = validatePolicyPatch(patch([email('a', 1), email('b', 0), email('c', 2.5), email('d', 1)]));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.candidate_check_in.variants?.email?.candidate?.map((v) => [v.name, v.weight])).toEqual([['a', 1], ['b', 0], ['c', 2.5], ['d', 1]]);
  });

  it.each([
    ['weights summing to 0', [email('a', 0), email('b', 0)], 'candidate_check_in.variants.email.candidate.weight', /sum to a positive number/],
    ['a negative weight', [email('a', -1), email('b', 2)], 'candidate_check_in.variants.email.candidate.0.weight', /0 or more/],
    ['a weight that is not a number', [email('a', '1')], 'candidate_check_in.variants.email.candidate.0.weight', /must be a number/],
    ['five variants', [email('a', 1), email('b', 1), email('c', 1), email('d', 1), email('e', 1)], 'candidate_check_in.variants.email.candidate', /at most 4/],
    ['a name used twice', [email('a', 1), email('a', 1)], 'candidate_check_in.variants.email.candidate.1.name', /used twice/],
    ['a bad name', [email('Big A', 1)], 'candidate_check_in.variants.email.candidate.0.name', /lowercase/],
    ['an unknown variable', [email('a', 1, { body: 'Hi {{company}}' })], 'candidate_check_in.variants.email.candidate.0.body', /company/],
    ['not a list', { name: 'a' }, 'candidate_check_in.variants.email.candidate', /list of at most 4/],
  ])('refuses %s, naming the field', (_what, list, field, message) => {
    const r = validatePolicyPatch(patch(list));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
  });

  it('refuses an audience the rule does not have, and an unknown channel', () => {
    const r = validatePolicyPatch({ candidate_check_in: { variants: { email: { contact: [email('a', 1)] }, fax: {} } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['candidate_check_in.variants.email.contact', 'candidate_check_in.variants.fax']);
  });
});
