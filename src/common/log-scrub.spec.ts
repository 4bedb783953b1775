import { scrubLogLine } from './log-scrub';

describe('scrubLogLine', () => {
  const cases: [string, string][] = [
    ['{"url":"/v1/unsubscribe/AbC_12-x.yz/resubscribe"}', '{"url":"/v1/unsubscribe/[redacted]/resubscribe"}'],
    ['see https://t.example.com/v1/unsubscribe/AbC_12-x', 'see https://t.example.com/v1/unsubscribe/[redacted]'],
    ['{"url":"/v1/webhooks/twilio/wk_abc123/inbound"}', '{"url":"/v1/webhooks/twilio/[redacted]/inbound"}'],
    ['{"url":"/v1/x?access_token=abc&page=2&apiKey=k1&code=9"}', '{"url":"/v1/x?access_token=[redacted]&page=2&apiKey=[redacted]&code=[redacted]"}'],
    ['key tp_live_abcdefghijklmnop used', 'key [redacted] used'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x', 'jwt [redacted]'],
    ['{"to":"zoe.angstrom@example.org"}', '{"to":"z***@e***.org"}'],
    ['"Zoë Ångström <zoë@mail.example.co.uk>"', '"Zoë Ångström <z***@m***.uk>"'],
    ['{"to":"+14155550123","body":"call +442071838750"}', '{"to":"+1*******23","body":"call +4*******50"}'],
    ['From=%2B14155550123&Body=hi', 'From=%2B1*******23&Body=hi'],
    ['/v1/candidates?email=zoe.private%40mail-example.org&x=1', '/v1/candidates?email=z***%40m***.org&x=1'],
  ];
  it.each(cases)('%s', (line, expected) => expect(scrubLogLine(line)).toBe(expected));

  it('leaves numbers, ids and times alone', () => {
    const line = '{"level":30,"time":1765200000000,"pid":42,"reqId":"req-1","id":"0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11","responseTime":1.5}';
    expect(scrubLogLine(line)).toBe(line);
  });
});
