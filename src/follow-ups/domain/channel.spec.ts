import { chooseChannel, unreachableReason } from './channel';
import type { ChannelChoiceInput } from './channel';

const EMAIL = 'ann@example.com';
const PHONE = '+14155550123';

const person = (overrides: Partial<ChannelChoiceInput> = {}): ChannelChoiceInput => ({
  lastInboundChannel: null,
  preferredChannel: null,
  email: EMAIL,
  phone: PHONE,
  optedOut: { email: false, sms: false },
  smsConfigured: true,
  ...overrides,
});

describe('chooseChannel', () => {
  describe('the order', () => {
    it('1. replies on the channel of their most recent inbound message', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'sms', preferredChannel: 'email' }))).toEqual({
        kind: 'send',
        channel: 'sms',
        to: PHONE,
        basis: 'last_inbound',
        passedOver: [],
      });
      expect(chooseChannel(person({ lastInboundChannel: 'email', preferredChannel: 'sms' }))).toMatchObject({
        channel: 'email',
        to: EMAIL,
        basis: 'last_inbound',
      });
    });

    it('2. otherwise their preferred channel', () => {
      expect(chooseChannel(person({ preferredChannel: 'sms' }))).toMatchObject({ kind: 'send', channel: 'sms', basis: 'preferred' });
    });

    it('3. otherwise email', () => {
      expect(chooseChannel(person())).toMatchObject({ kind: 'send', channel: 'email', to: EMAIL, basis: 'default' });
    });
  });

  describe('a logged phone call as the last inbound touch', () => {
    it('becomes a call task with the number', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'phone', preferredChannel: 'email' }))).toEqual({ kind: 'call_task', phone: PHONE });
    });

    it('is a call task even when they opted out of SMS (a call is not a text)', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'phone', optedOut: { email: false, sms: true } }))).toEqual({
        kind: 'call_task',
        phone: PHONE,
      });
    });

    it('falls through to the preference when we have no number', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'phone', phone: null, preferredChannel: 'sms' }))).toMatchObject({
        kind: 'send',
        channel: 'email',
        basis: 'fallback',
        passedOver: [{ channel: 'sms', reason: 'no phone number' }],
      });
    });
  });

  describe('an unreachable channel is skipped for the other one', () => {
    it('opted out of SMS → email', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'sms', optedOut: { email: false, sms: true } }))).toEqual({
        kind: 'send',
        channel: 'email',
        to: EMAIL,
        basis: 'fallback',
        passedOver: [{ channel: 'sms', reason: 'opted out of SMS' }],
      });
    });

    it('SMS not configured for the tenant → email', () => {
      expect(chooseChannel(person({ preferredChannel: 'sms', smsConfigured: false }))).toMatchObject({
        channel: 'email',
        passedOver: [{ channel: 'sms', reason: 'SMS is not configured for this firm' }],
      });
    });

    it('no email address → SMS', () => {
      expect(chooseChannel(person({ email: null }))).toMatchObject({
        channel: 'sms',
        to: PHONE,
        basis: 'fallback',
        passedOver: [{ channel: 'email', reason: 'no email address' }],
      });
    });

    it('a blank address counts as none, and addresses are trimmed', () => {
      expect(chooseChannel(person({ email: '   ' }))).toMatchObject({ channel: 'sms' });
      expect(chooseChannel(person({ email: ` ${EMAIL} ` }))).toMatchObject({ channel: 'email', to: EMAIL });
    });

    it('opted out of email → SMS', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'email', optedOut: { email: true, sms: false } }))).toMatchObject({
        channel: 'sms',
        passedOver: [{ channel: 'email', reason: 'opted out of email' }],
      });
    });
  });

  describe('when nothing is left', () => {
    it('says why each channel failed, in the order tried', () => {
      expect(chooseChannel(person({ email: null, optedOut: { email: false, sms: true } }))).toEqual({
        kind: 'none',
        reason: 'no email address; opted out of SMS',
      });
      expect(chooseChannel(person({ lastInboundChannel: 'sms', phone: null, optedOut: { email: true, sms: false } }))).toEqual({
        kind: 'none',
        reason: 'no phone number; opted out of email',
      });
      expect(chooseChannel(person({ email: null, smsConfigured: false }))).toEqual({
        kind: 'none',
        reason: 'no email address; SMS is not configured for this firm',
      });
    });

    it('a person with no addresses at all', () => {
      expect(chooseChannel(person({ email: null, phone: null }))).toEqual({ kind: 'none', reason: 'no email address; no phone number' });
    });
  });

  describe('a requested channel (one-off message)', () => {
    it('is used when reachable, over the matched one', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'email', requested: 'sms' }))).toEqual({
        kind: 'send',
        channel: 'sms',
        to: PHONE,
        basis: 'requested',
        passedOver: [],
      });
    });

    it('wins over a call task', () => {
      expect(chooseChannel(person({ lastInboundChannel: 'phone', requested: 'email' }))).toMatchObject({ kind: 'send', channel: 'email' });
    });

    it('does not fall back: unreachable means none, with the reason', () => {
      expect(chooseChannel(person({ requested: 'sms', optedOut: { email: false, sms: true } }))).toEqual({
        kind: 'none',
        reason: 'SMS was requested, but: opted out of SMS',
      });
      expect(chooseChannel(person({ requested: 'email', email: null }))).toEqual({
        kind: 'none',
        reason: 'email was requested, but: no email address',
      });
    });
  });
});

describe('unreachableReason', () => {
  it('checks the address first, then consent, then tenant setup', () => {
    expect(unreachableReason(person({ phone: null, optedOut: { email: false, sms: true }, smsConfigured: false }), 'sms')).toBe('no phone number');
    expect(unreachableReason(person({ optedOut: { email: false, sms: true }, smsConfigured: false }), 'sms')).toBe('opted out of SMS');
    expect(unreachableReason(person({ smsConfigured: false }), 'sms')).toBe('SMS is not configured for this firm');
    expect(unreachableReason(person({ smsConfigured: false }), 'email')).toBeNull();
    expect(unreachableReason(person(), 'sms')).toBeNull();
  });
});

describe('the SMS country allowlist', () => {
  const allow = { smsCountries: ['US', 'CA'] };
  it('texts a number of an allowed country; another country is unreachable by SMS, with the reason', () => {
    expect(chooseChannel(person({ ...allow, preferredChannel: 'sms' }))).toMatchObject({ kind: 'send', channel: 'sms' });
    expect(unreachableReason(person({ ...allow, phone: '+442079460958' }), 'sms')).toBe('SMS to GB numbers is not allowed on this platform (allowed: US, CA)');
    // +1 is not always the US: +1 876 is Jamaica.
    expect(unreachableReason(person({ ...allow, phone: '+18765550100' }), 'sms')).toBe('SMS to JM numbers is not allowed on this platform (allowed: US, CA)');
  });

  it('an automated choice falls back to email; a requested SMS is refused', () => {
    expect(chooseChannel(person({ ...allow, phone: '+442079460958', preferredChannel: 'sms' }))).toMatchObject({ kind: 'send', channel: 'email', basis: 'fallback' });
    expect(chooseChannel(person({ ...allow, phone: '+442079460958', requested: 'sms' }))).toEqual({
      kind: 'none',
      reason: 'SMS was requested, but: SMS to GB numbers is not allowed on this platform (allowed: US, CA)',
    });
  });

  it('null allows any country; a held-back sender is unreachable with its reason', () => {
    expect(unreachableReason(person({ smsCountries: null, phone: '+442079460958' }), 'sms')).toBeNull();
    expect(unreachableReason(person({ smsUnavailableReason: 'not verified yet' }), 'sms')).toBe('not verified yet');
  });
});

describe('a bounced email address', () => {
  it('is skipped with the bounce as the reason, after consent', () => {
    expect(chooseChannel(person({ emailBounced: 'email bounced on 2026-12-08' }))).toMatchObject({
      kind: 'send',
      channel: 'sms',
      basis: 'fallback',
      passedOver: [{ channel: 'email', reason: 'email bounced on 2026-12-08' }],
    });
    expect(unreachableReason(person({ emailBounced: 'email bounced on 2026-12-08', optedOut: { email: true, sms: false } }), 'email')).toBe('opted out of email');
    expect(chooseChannel(person({ emailBounced: 'email bounced on 2026-12-08', phone: null }))).toEqual({ kind: 'none', reason: 'email bounced on 2026-12-08; no phone number' });
  });
});
