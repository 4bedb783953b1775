import { isE164Phone, toE164 } from './phone';

describe('phone normalisation', () => {
  it.each([
    ['+1 (415) 555-2671', '+14155552671'],
    ['+14155552671', '+14155552671'],
    ['  +44 20 7946 0958 ', '+442079460958'],
    ['0044 20 7946 0958', '+442079460958'],
    ['+49 30 901820', '+4930901820'],
  ])('normalises %p to %p', (raw, e164) => {
    expect(toE164(raw)).toBe(e164);
    expect(isE164Phone(e164)).toBe(true);
  });

  it.each(['', 'not a phone', '12345', '415 555 2671', '+1 555', '+999 1234567', '+1415555267199999'])('refuses %p', (raw) => {
    expect(toE164(raw)).toBeUndefined();
  });

  it('only accepts already-normalised values as E.164', () => {
    expect(isE164Phone('+1 415 555 2671')).toBe(false);
    expect(isE164Phone(14155552671)).toBe(false);
  });
});
