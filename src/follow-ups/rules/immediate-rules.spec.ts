import { DateTime } from 'luxon';
import type { DueTime, TimingContext } from '../domain/timing';
import { DEFAULT_WINDOW_CONFIG } from '../domain/windows';
import { DEFAULT_POLICY } from './policy';
import { offerThankYou } from './offer-thank-you.rule';
import { referenceHeadsUp } from './reference-heads-up.rule';
import { referralUpdate } from './referral-update.rule';

const NY = 'America/New_York';
const ctx: TimingContext = { zone: NY, windows: DEFAULT_WINDOW_CONFIG };
const weekdays: TimingContext = { ...ctx, windows: { ...DEFAULT_WINDOW_CONFIG, businessDaysOnly: true } };
const at = (iso: string, zone: string = NY): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const dueAt = (date: Date): DueTime => ({ kind: 'due', at: date });
const P = DEFAULT_POLICY;

describe('immediate rules (referral_update, reference_heads_up, offer_thank_you)', () => {
  it('go now inside the window', () => {
    const now = at('2025-06-10T15:42');
    for (const rule of [referralUpdate, referenceHeadsUp, offerThankYou]) expect(rule.due({}, P[rule.key], ctx, now)).toEqual(dueAt(now));
  });

  it('wait for the next opening outside it', () => {
    for (const rule of [referralUpdate, referenceHeadsUp, offerThankYou]) expect(rule.due({}, P[rule.key], ctx, at('2025-06-10T23:00'))).toEqual(dueAt(at('2025-06-11T08:00')));
  });
});
