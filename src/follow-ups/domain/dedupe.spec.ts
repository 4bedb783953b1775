import { DedupeKeyError, dedupeKey, occurrence } from './dedupe';
import type { DedupeKeyParts } from './dedupe';

const TENANT = '0b7e6a52-5f43-4c55-9a55-2f0d1c3e9a10';
const INTERVIEW = '9a1e4d2c-1111-4c55-9a55-2f0d1c3e9a10';
const CANDIDATE = 'c42b1d2c-2222-4c55-9a55-2f0d1c3e9a10';

const parts = (overrides: Partial<DedupeKeyParts> = {}): DedupeKeyParts => ({
  tenantId: TENANT,
  rule: 'interview_confirmation',
  subject: { type: 'interview', id: INTERVIEW },
  recipient: { type: 'candidate', id: CANDIDATE },
  occurrence: 'v1',
  ...overrides,
});

describe('dedupeKey', () => {
  it('is a readable tenant:rule:subject:recipient:occurrence string', () => {
    expect(dedupeKey(parts())).toBe(`${TENANT}:interview_confirmation:interview:${INTERVIEW}:candidate:${CANDIDATE}:v1`);
  });

  it('is stable: the same facts give the same key', () => {
    expect(dedupeKey(parts())).toBe(dedupeKey(parts()));
  });

  it('differs when any part differs', () => {
    const keys = new Set([
      dedupeKey(parts()),
      dedupeKey(parts({ tenantId: 'other-tenant' })),
      dedupeKey(parts({ rule: 'interview_thank_you' })),
      dedupeKey(parts({ subject: { type: 'lead', id: INTERVIEW } })),
      dedupeKey(parts({ subject: { type: 'interview', id: 'other' } })),
      dedupeKey(parts({ recipient: { type: 'contact', id: CANDIDATE } })),
      dedupeKey(parts({ recipient: { type: 'candidate', id: 'other' } })),
      dedupeKey(parts({ occurrence: 'v2' })),
    ]);
    expect(keys.size).toBe(8);
  });

  it('allows ":" in the occurrence, which comes last (ISO timestamps)', () => {
    const key = dedupeKey(parts({ occurrence: occurrence.startsAt(new Date('2025-06-11T14:00:00Z')) }));
    expect(key.endsWith(':2025-06-11T14:00:00.000Z')).toBe(true);
  });

  it.each([
    ['tenantId', parts({ tenantId: '' })],
    ['subject.id', parts({ subject: { type: 'interview', id: '  ' } })],
    ['recipient.id', parts({ recipient: { type: 'candidate', id: '' } })],
    ['occurrence', parts({ occurrence: '' })],
  ])('throws on an empty %s', (name, input) => {
    expect(() => dedupeKey(input)).toThrow(new DedupeKeyError(`${name} must not be empty`));
  });

  it('throws when a fixed part contains the separator, so keys cannot collide', () => {
    // Without this check, ("a:b", "c") and ("a", "b:c") would give the same key.
    expect(() => dedupeKey(parts({ subject: { type: 'interview', id: 'a:b' } }))).toThrow(DedupeKeyError);
    expect(() => dedupeKey(parts({ tenantId: 'a b' }))).toThrow(DedupeKeyError);
  });

  it('throws on an unknown rule or type (data from outside the type system)', () => {
    const fromOutside = (overrides: Record<string, unknown>): DedupeKeyParts => ({ ...parts(), ...overrides }) as unknown as DedupeKeyParts;
    expect(() => dedupeKey(fromOutside({ rule: 'birthday' }))).toThrow(/rule must be one of/);
    expect(() => dedupeKey(fromOutside({ subject: { type: 'job', id: 'x' } }))).toThrow(/subject.type/);
    expect(() => dedupeKey(fromOutside({ recipient: { type: 'robot', id: 'x' } }))).toThrow(/recipient.type/);
  });
});

describe('occurrence helpers', () => {
  it('builds the documented occurrences', () => {
    expect(occurrence.once()).toBe('1');
    expect(occurrence.schedule(3)).toBe('v3');
    expect(occurrence.startsAt(new Date('2025-06-11T14:00:00Z'))).toBe('2025-06-11T14:00:00.000Z');
    expect(occurrence.leadStatus('interviewing')).toBe('interviewing');
    expect(occurrence.nudge(2)).toBe('n2');
    expect(occurrence.checkIn(new Date('2025-06-17T23:30:00Z'))).toBe('2025-06-17');
  });

  it('rejects nonsense', () => {
    expect(() => occurrence.schedule(0)).toThrow(DedupeKeyError);
    expect(() => occurrence.nudge(1.5)).toThrow(DedupeKeyError);
    expect(() => occurrence.startsAt(new Date('nope'))).toThrow(DedupeKeyError);
    expect(() => occurrence.leadStatus('')).toThrow(DedupeKeyError);
  });

  it('a rescheduled interview is a new occurrence; a re-planned check-in of the same period is not', () => {
    const v1 = dedupeKey(parts({ occurrence: occurrence.schedule(1) }));
    const v2 = dedupeKey(parts({ occurrence: occurrence.schedule(2) }));
    expect(v1).not.toBe(v2);
    const checkIn = (end: Date): string =>
      dedupeKey({
        tenantId: TENANT,
        rule: 'candidate_check_in',
        subject: { type: 'candidate', id: CANDIDATE },
        recipient: { type: 'candidate', id: CANDIDATE },
        occurrence: occurrence.checkIn(end),
      });
    expect(checkIn(new Date('2025-06-17T10:00:00Z'))).toBe(checkIn(new Date('2025-06-17T10:00:00Z')));
  });
});
