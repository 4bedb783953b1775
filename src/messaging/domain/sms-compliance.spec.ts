import { OPT_OUT_LINE, withOptOutLine } from './sms-compliance';

describe('withOptOutLine', () => {
  it('appends the opt-out line to the first SMS to a person', () => {
    expect(withOptOutLine('Hi Ann, Acme here.', true)).toBe(`Hi Ann, Acme here.${OPT_OUT_LINE}`);
    expect(OPT_OUT_LINE).toBe(' Reply STOP to opt out.');
  });

  it('leaves later messages alone', () => {
    expect(withOptOutLine('Hi Ann, Acme here.', false)).toBe('Hi Ann, Acme here.');
  });

  it('never appends it twice', () => {
    const once = withOptOutLine('Hi Ann.', true);
    expect(withOptOutLine(once, true)).toBe(once);
  });
});
