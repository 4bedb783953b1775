import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import twilio from 'twilio';
import { computeTwilioSignature, isValidTwilioSignature, type TwilioParams } from '../../src/messaging/domain/twilio-signature';

// The shared Twilio samples: TWILIO_FIXTURES_DIR, a copy under test/fixtures/twilio, or the shared folder.
const FIXTURES =
  [process.env.TWILIO_FIXTURES_DIR, join(__dirname, '..', 'fixtures', 'twilio'), '/work/shared/fixtures/twilio'].find(
    (dir): dir is string => !!dir && existsSync(join(dir, 'inbound-sms.form')),
  ) ?? '/work/shared/fixtures/twilio';
const FORMS = ['inbound-sms.form', 'inbound-stop.form', 'status-delivered.form', 'status-failed-21610.form'];

/** Parses a form body the way a form-body parser does: repeated names become arrays. */
function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body.trim())) {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

const TOKEN = '12345678901234567890123456789012';
const URLS = [
  'https://touchpoint.example.com/v1/webhooks/twilio/tenant-1/sms',
  'https://touchpoint.example.com:443/v1/webhooks/twilio/tenant-1/sms',
  'http://localhost:3000/v1/webhooks/twilio/8a4f5c1e-2b7d-4c1a-9f00-3e5d7b9a1c2d/status?messageId=abc&x=1',
  "https://touchpoint.example.com/v1/webhooks/twilio/status?messageId=o'brien%20x",
];

const forms = FORMS.map((name) => [name, parseForm(readFileSync(join(FIXTURES, name), 'utf8'))] as const);

describe('computeTwilioSignature', () => {
  it('reads every fixture form', () => {
    expect(forms).toHaveLength(4);
    for (const [, params] of forms) {
      expect(params.AccountSid).toBe('AC00000000000000000000000000000000');
    }
  });

  describe.each(forms)('%s', (_name, params) => {
    it.each(URLS)('matches twilio.getExpectedTwilioSignature for %s', (url) => {
      expect(computeTwilioSignature(TOKEN, url, params)).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, params));
    });

    it.each(URLS)('validates what twilio signs, like twilio.validateRequest, for %s', (url) => {
      const signature = twilio.getExpectedTwilioSignature(TOKEN, url, params);
      expect(isValidTwilioSignature(TOKEN, signature, url, params)).toBe(true);
      expect(twilio.validateRequest(TOKEN, signature, url, params)).toBe(true);
    });

    it('rejects a tampered body, a wrong token and a wrong url, like twilio.validateRequest', () => {
      const url = URLS[0]!;
      const signature = twilio.getExpectedTwilioSignature(TOKEN, url, params);
      const tampered = { ...params, Body: 'START' };
      const cases: Array<[string, string, TwilioParams]> = [
        [TOKEN, url, tampered],
        ['another-token-aaaaaaaaaaaaaaaaaaaa', url, params],
        [TOKEN, url.replace('tenant-1', 'tenant-2'), params],
        [TOKEN, url.replace('https:', 'http:'), params],
      ];
      for (const [token, u, p] of cases) {
        expect(isValidTwilioSignature(token, signature, u, p)).toBe(false);
        expect(twilio.validateRequest(token, signature, u, p as Record<string, unknown>)).toBe(false);
      }
    });
  });

  it('handles repeated parameters (arrays) the way Twilio does: distinct values, sorted', () => {
    const body = 'To=%2B14155550100&MediaUrl=https%3A%2F%2Fb.example%2F2&Body=hi&MediaUrl=https%3A%2F%2Fa.example%2F1&MediaUrl=https%3A%2F%2Fb.example%2F2';
    const params = parseForm(body);
    expect(params.MediaUrl).toEqual(['https://b.example/2', 'https://a.example/1', 'https://b.example/2']);
    for (const url of URLS) {
      const expected = twilio.getExpectedTwilioSignature(TOKEN, url, params);
      expect(computeTwilioSignature(TOKEN, url, params)).toBe(expected);
      expect(isValidTwilioSignature(TOKEN, expected, url, params)).toBe(true);
    }
  });

  it('signs non-ASCII bodies as UTF-8', () => {
    const params = { Body: 'Zoë Ångström sagt: ja 👍', From: '+14155550199' };
    const url = URLS[0]!;
    expect(computeTwilioSignature(TOKEN, url, params)).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, params));
  });

  it('matches a signature computed by hand from the documented formula', () => {
    const token = '12345';
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { To: '+18005551212', CallSid: 'CA1234567890ABCDE', From: '+12349013030', Digits: '1234', Caller: '+12349013030' };
    const data = url + 'CallSidCA1234567890ABCDE' + 'Caller+12349013030' + 'Digits1234' + 'From+12349013030' + 'To+18005551212';
    const byHand = createHmac('sha1', token).update(data, 'utf8').digest('base64');
    expect(computeTwilioSignature(token, url, params)).toBe(byHand);
    expect(twilio.getExpectedTwilioSignature(token, url, params)).toBe(byHand);
  });
});

describe('isValidTwilioSignature', () => {
  const params = forms[0]![1];
  const url = URLS[0]!;
  const good = computeTwilioSignature(TOKEN, url, params);

  it('accepts the URL with or without the default port, as twilio.validateRequest does', () => {
    const signedWithPort = computeTwilioSignature(TOKEN, URLS[1]!, params);
    expect(isValidTwilioSignature(TOKEN, signedWithPort, url, params)).toBe(true);
    expect(twilio.validateRequest(TOKEN, signedWithPort, url, params)).toBe(true);
    expect(isValidTwilioSignature(TOKEN, good, URLS[1]!, params)).toBe(true);
    expect(twilio.validateRequest(TOKEN, good, URLS[1]!, params)).toBe(true);
  });

  it('rejects missing, empty, array, truncated and extended signatures without throwing', () => {
    for (const sig of [undefined, null, '', [good], good.slice(0, -1), good + 'A', 'x']) {
      expect(isValidTwilioSignature(TOKEN, sig, url, params)).toBe(false);
    }
    expect(twilio.validateRequest(TOKEN, good.slice(0, -1), url, params)).toBe(false);
  });

  it('rejects when the auth token is empty', () => {
    expect(isValidTwilioSignature('', computeTwilioSignature('', url, params), url, params)).toBe(false);
  });

  it('rejects an added parameter', () => {
    expect(isValidTwilioSignature(TOKEN, good, url, { ...params, Extra: '1' })).toBe(false);
  });
});
