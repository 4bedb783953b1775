import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type { OutboundSms, TwilioAccount } from '../../src/messaging/drivers/driver.types';
import type { DriverLogFn } from '../../src/messaging/drivers/log-email.driver';
import { classifyTwilioError, TwilioSmsDriver } from '../../src/messaging/drivers/twilio-sms.driver';
import { isValidTwilioSignature } from '../../src/messaging/domain/twilio-signature';
import { FakeTwilioServer } from '../support/fake-twilio.server';

const silent: DriverLogFn = () => undefined;

const TENANT: TwilioAccount = {
  accountSid: 'AC11111111111111111111111111111111',
  authToken: 'tenant-token-0123456789abcdef0123',
  messagingServiceSid: 'MG22222222222222222222222222222222',
};
const PLATFORM: TwilioAccount = {
  accountSid: 'AC33333333333333333333333333333333',
  authToken: 'platform-token-0123456789abcdef01',
  from: '+14155550100',
};

function sms(overrides: Partial<OutboundSms> = {}): OutboundSms {
  const messageId = randomUUID();
  return {
    messageId,
    to: '+14155550199',
    body: 'Hi Zoë, your interview with Acme is tomorrow at 10:00. Reply YES to confirm.',
    account: TENANT,
    statusCallbackUrl: `https://touchpoint.example.com/v1/webhooks/twilio/status/${messageId}`,
    ...overrides,
  };
}

describe('TwilioSmsDriver (real twilio client) against a Twilio-speaking server', () => {
  const fake = new FakeTwilioServer();
  let apiUrl: string;

  beforeAll(async () => {
    fake.addAccount(TENANT.accountSid, TENANT.authToken);
    fake.addAccount(PLATFORM.accountSid, PLATFORM.authToken);
    ({ url: apiUrl } = await fake.start());
  });

  afterAll(async () => {
    await fake.stop();
  });

  beforeEach(() => {
    fake.reset();
  });

  it('sends through the messaging service with the status callback, as the tenant account', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });
    const outbound = sms();

    const outcome = await driver.send(outbound);

    const [request] = await fake.waitFor(1);
    expect(request).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${TENANT.accountSid}/Messages.json`,
      accountSid: TENANT.accountSid,
      authAccountSid: TENANT.accountSid,
      authorized: true,
      To: '+14155550199',
      MessagingServiceSid: TENANT.messagingServiceSid,
      From: undefined,
      Body: outbound.body,
      StatusCallback: outbound.statusCallbackUrl,
      responseStatus: 201,
    });
    expect(request!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(outcome).toEqual({ kind: 'sent', providerId: request!.sid, status: 'accepted', simulated: false });
    expect(request!.sid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends from the number when the account has no messaging service, and without a callback when none is given', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });

    const outcome = await driver.send(sms({ account: PLATFORM, statusCallbackUrl: undefined }));

    const [request] = await fake.waitFor(1);
    expect(request).toMatchObject({
      accountSid: PLATFORM.accountSid,
      authAccountSid: PLATFORM.accountSid,
      authorized: true,
      From: '+14155550100',
      MessagingServiceSid: undefined,
      StatusCallback: undefined,
    });
    expect(Object.keys(request!.params).sort()).toEqual(['Body', 'From', 'To']);
    expect(outcome).toEqual({ kind: 'sent', providerId: request!.sid, status: 'queued', simulated: false });
  });

  it('uses each message’s own account, one client per account and token', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });

    await driver.send(sms({ account: TENANT }));
    await driver.send(sms({ account: PLATFORM }));
    await driver.send(sms({ account: TENANT }));
    const wrongToken = await driver.send(sms({ account: { ...TENANT, authToken: 'rotated-away' } }));

    const requests = await fake.waitFor(4);
    expect(requests.map((r) => r.authAccountSid)).toEqual([TENANT.accountSid, PLATFORM.accountSid, TENANT.accountSid, TENANT.accountSid]);
    expect(requests.map((r) => r.authorized)).toEqual([true, true, true, false]);
    expect(wrongToken).toMatchObject({ kind: 'permanent', code: '20003' });
  });

  it('keeps a path prefix of TWILIO_API_URL', async () => {
    const driver = new TwilioSmsDriver({ apiUrl: `${apiUrl}/twilio-proxy/`, log: silent });

    const outcome = await driver.send(sms());

    const [request] = await fake.waitFor(1);
    expect(request!.path).toBe(`/twilio-proxy/2010-04-01/Accounts/${TENANT.accountSid}/Messages.json`);
    expect(outcome).toMatchObject({ kind: 'permanent', code: '20404' });
  });

  it.each([
    [21610, 'permanent'],
    [21211, 'permanent'],
    [21614, 'permanent'],
    [30006, 'permanent'],
    [20429, 'retryable'],
  ] as const)('Twilio error %d is %s, with the code', async (error, kind) => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });
    fake.enqueue({ error });

    const outcome = await driver.send(sms());

    expect(outcome).toMatchObject({ kind, code: String(error) });
    const [request] = await fake.waitFor(1);
    expect(request!.To).toBe('+14155550199');
    expect(request!.sid).toBeUndefined();
  });

  it('error 21610 carries Twilio’s message in the reason', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });
    fake.enqueue({ error: 21610 });

    const outcome = await driver.send(sms());

    expect(outcome.kind === 'permanent' && outcome.reason).toContain('Attempt to send to unsubscribed recipient');
  });

  it.each([500, 502, 503])('HTTP %d is retryable', async (status) => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });
    fake.enqueue({ status });

    const outcome = await driver.send(sms());

    expect(outcome.kind).toBe('retryable');
    expect(fake.requests).toHaveLength(1);
  });

  it('HTTP 429 without a Twilio code is retryable; a 5xx with a non-JSON body too', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });
    fake.enqueue({ status: 429, body: 'slow down' }, { status: 500, body: '<html>oops</html>' });

    expect(await driver.send(sms())).toMatchObject({ kind: 'retryable' });
    expect(await driver.send(sms())).toMatchObject({ kind: 'retryable' });
    expect(fake.requests).toHaveLength(2);
  });

  it('an empty body is refused by Twilio (21602): permanent', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });

    const outcome = await driver.send(sms({ body: '' }));

    expect(outcome).toMatchObject({ kind: 'permanent', code: '21602' });
  });

  it('an account with neither messaging service nor number is permanent, and nothing is sent', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });

    const outcome = await driver.send(sms({ account: { accountSid: TENANT.accountSid, authToken: TENANT.authToken } }));

    expect(outcome).toMatchObject({ kind: 'permanent', code: 'no_sender' });
    expect(fake.requests).toHaveLength(0);
  });

  it('a malformed account SID is permanent, and nothing is sent', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });

    const outcome = await driver.send(sms({ account: { ...TENANT, accountSid: 'SK-not-an-account' } }));

    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_request' });
    expect(fake.requests).toHaveLength(0);
  });

  it('no answer after the request was sent is unknown (timeout), and the request did arrive', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent, timeoutMs: 300 });
    fake.enqueue({ timeout: true });
    const outbound = sms();

    const started = Date.now();
    const outcome = await driver.send(outbound);

    expect(Date.now() - started).toBeLessThan(3000);
    expect(outcome).toMatchObject({ kind: 'unknown', code: 'ETIMEDOUT' });
    const [request] = await fake.waitFor(1);
    expect(request!.Body).toBe(outbound.body);
    expect(request!.responseStatus).toBeUndefined();
  });

  it('a connection reset after the request was sent is unknown', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });
    fake.enqueue({ reset: true });

    const outcome = await driver.send(sms());

    expect(outcome).toMatchObject({ kind: 'unknown', code: 'ECONNRESET' });
    expect(fake.requests).toHaveLength(1);
  });

  it('a slow answer within the timeout is sent', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent, timeoutMs: 2000 });
    fake.enqueue({ delayMs: 300 });

    const outcome = await driver.send(sms());

    expect(outcome.kind).toBe('sent');
  });

  it('a closed port (connection refused) is retryable', async () => {
    const port = await closedPort();
    const driver = new TwilioSmsDriver({ apiUrl: `http://127.0.0.1:${port}`, log: silent, timeoutMs: 1000 });

    const outcome = await driver.send(sms());

    expect(outcome).toMatchObject({ kind: 'retryable', code: 'ECONNREFUSED' });
  });

  it('a DNS failure is retryable', async () => {
    const driver = new TwilioSmsDriver({ apiUrl: 'http://touchpoint-fake-twilio.invalid', log: silent, timeoutMs: 2000 });

    const outcome = await driver.send(sms());

    expect(outcome.kind).toBe('retryable');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(outcome.kind === 'retryable' ? outcome.code : '');
  });

  it('rejects a TWILIO_API_URL that is not an http(s) URL', () => {
    expect(() => new TwilioSmsDriver({ apiUrl: 'not a url' })).toThrow(/TWILIO_API_URL/);
    expect(() => new TwilioSmsDriver({ apiUrl: 'ftp://127.0.0.1' })).toThrow(/TWILIO_API_URL/);
  });

  it('logs through the injected function, without the auth token or the body', async () => {
    const lines: Array<{ level: string; message: string; fields?: Readonly<Record<string, unknown>> }> = [];
    const driver = new TwilioSmsDriver({ apiUrl, log: (level, message, fields) => lines.push({ level, message, fields }) });
    fake.enqueue({ error: 21610 });

    await driver.send(sms());
    await driver.send(sms());

    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(lines[0]!.fields).toMatchObject({ code: '21610' });
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(TENANT.authToken);
    expect(logged).not.toContain('Reply YES');
  });

  it('the fake server plays a signed status callback to the message’s StatusCallback', async () => {
    const driver = new TwilioSmsDriver({ apiUrl, log: silent });
    const received: Array<{ url: string; signature: string | undefined; params: Record<string, string> }> = [];
    const receiver = createHttpServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({
          url: req.url ?? '',
          signature: req.headers['x-twilio-signature'] as string | undefined,
          params: Object.fromEntries(new URLSearchParams(body)),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/twilio/status/abc`;
      const outcome = await driver.send(sms({ statusCallbackUrl: callbackUrl }));
      const sid = outcome.kind === 'sent' ? outcome.providerId : '';

      const answer = await fake.sendStatusCallback(sid, { status: 'failed', errorCode: 21610 });

      expect(answer.status).toBe(204);
      expect(received).toHaveLength(1);
      expect(received[0]!.params).toMatchObject({ MessageSid: sid, MessageStatus: 'failed', ErrorCode: '21610', AccountSid: TENANT.accountSid });
      expect(isValidTwilioSignature(TENANT.authToken, received[0]!.signature, callbackUrl, received[0]!.params)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('classifyTwilioError (errors that are hard to provoke for real)', () => {
  it('a connect timeout (request still buffered in Node) is retryable', () => {
    // what axios throws when the TCP connect never completes: the ClientRequest never flushed
    const error = Object.assign(new Error('timeout of 300ms exceeded'), {
      code: 'ECONNABORTED',
      isAxiosError: true,
      request: { writableFinished: false },
    });
    expect(classifyTwilioError(error)).toMatchObject({ kind: 'retryable', code: 'ETIMEDOUT' });
  });

  it('a response timeout after the request was flushed is unknown', () => {
    const error = Object.assign(new Error('timeout of 300ms exceeded'), {
      code: 'ECONNABORTED',
      isAxiosError: true,
      request: { writableFinished: true },
    });
    expect(classifyTwilioError(error)).toMatchObject({ kind: 'unknown', code: 'ETIMEDOUT' });
  });

  it('a transport error with nothing to tell whether it was sent is unknown', () => {
    expect(classifyTwilioError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toMatchObject({ kind: 'unknown' });
  });

  it('TLS certificate failures (before anything is sent) are retryable', () => {
    const error = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED', request: { writableFinished: false } });
    expect(classifyTwilioError(error)).toMatchObject({ kind: 'retryable', code: 'CERT_HAS_EXPIRED' });
  });
});
