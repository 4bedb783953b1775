import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { OutboundEmail } from '../../src/messaging/drivers/driver.types';
import type { DriverLogFn } from '../../src/messaging/drivers/log-email.driver';
import { classifySmtpError, SmtpEmailDriver } from '../../src/messaging/drivers/smtp-email.driver';
import { SmtpTestServer } from '../support/smtp-test.server';

const silent: DriverLogFn = () => undefined;

function email(overrides: Partial<OutboundEmail> = {}): OutboundEmail {
  return {
    messageId: randomUUID(),
    to: 'zoe.angstrom@example.org',
    toName: 'Zoë Ångström',
    from: 'recruiting@acme-staffing.example',
    fromName: 'Jürgen Müller – Acme Staffing',
    replyTo: 'jurgen@acme-staffing.example',
    subject: 'Your interview with Acme: see you tomorrow, Zoë',
    text: 'Hi Zoë Ångström,\n\nyour interview is tomorrow at 10:00. Reply YES to confirm.\n\nJürgen',
    unsubscribeUrl: 'https://touchpoint.example.com/u/3f2a9c1e-7b1d-4e0a-9f3b-2d6c8e1a5b7f?sig=abc123',
    ...overrides,
  };
}

describe('SmtpEmailDriver against a real SMTP server', () => {
  const smtp = new SmtpTestServer();
  let url: string;

  beforeAll(async () => {
    ({ url } = await smtp.start());
  });

  afterAll(async () => {
    await smtp.stop();
  });

  beforeEach(() => {
    smtp.reset();
  });

  it('delivers the message with names, Reply-To, one-click unsubscribe and our Message-ID', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });
    const outbound = email();

    const outcome = await driver.send(outbound);

    expect(outcome).toEqual({
      kind: 'sent',
      providerId: `<${outbound.messageId}@acme-staffing.example>`,
      status: 'sent',
      simulated: false,
    });
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelope).toEqual({ from: 'recruiting@acme-staffing.example', to: ['zoe.angstrom@example.org'] });
    expect(mail!.from).toEqual([{ name: 'Jürgen Müller – Acme Staffing', address: 'recruiting@acme-staffing.example' }]);
    expect(mail!.to).toEqual([{ name: 'Zoë Ångström', address: 'zoe.angstrom@example.org' }]);
    expect(mail!.replyTo).toEqual([{ name: '', address: 'jurgen@acme-staffing.example' }]);
    expect(mail!.subject).toBe('Your interview with Acme: see you tomorrow, Zoë');
    expect(mail!.messageId).toBe(outcome.kind === 'sent' ? outcome.providerId : 'not sent');
    expect(mail!.header('message-id')).toBe(`<${outbound.messageId}@acme-staffing.example>`);
    expect(mail!.header('list-unsubscribe')).toBe(`<${outbound.unsubscribeUrl}>`);
    expect(mail!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail!.text?.trim()).toBe(outbound.text);
    expect(mail!.text).toContain('Hi Zoë Ångström,');
    expect(mail!.inReplyTo).toBeUndefined();
    // the name with diacritics travels encoded (7-bit safe), not as raw 8-bit bytes in the header
    expect(mail!.rawHeaders.to![0]).not.toContain('Zoë');
  });

  it('threads a reply with In-Reply-To and References, and sends the HTML part', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });
    const outbound = email({
      inReplyTo: '<CAF=abc123@mail.gmail.example>',
      html: '<p>Hi Zoë Ångström</p>',
      unsubscribeUrl: undefined,
      fromName: undefined,
      toName: undefined,
      replyTo: undefined,
    });

    const outcome = await driver.send(outbound);

    expect(outcome.kind).toBe('sent');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.inReplyTo).toBe('<CAF=abc123@mail.gmail.example>');
    expect(mail!.references).toEqual(['<CAF=abc123@mail.gmail.example>']);
    expect(mail!.html).toContain('<p>Hi Zoë Ångström</p>');
    expect(mail!.from).toEqual([{ name: '', address: 'recruiting@acme-staffing.example' }]);
    expect(mail!.to).toEqual([{ name: '', address: 'zoe.angstrom@example.org' }]);
    expect(mail!.replyTo).toEqual([]);
    expect(mail!.header('list-unsubscribe')).toBeUndefined();
    expect(mail!.header('list-unsubscribe-post')).toBeUndefined();
  });

  it('passes extra headers but never lets them override the ones it sets', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });
    const outbound = email({
      headers: {
        'X-Touchpoint-Tenant': 't-1',
        'Message-ID': '<forged@evil.example>',
        'List-Unsubscribe': '<https://evil.example>',
        'X-Injected': 'a\r\nBcc: victim@example.org',
      },
    });

    await driver.send(outbound);

    const [mail] = await smtp.waitFor(1);
    expect(mail!.header('x-touchpoint-tenant')).toBe('t-1');
    expect(mail!.rawHeaders['message-id']).toEqual([`<${outbound.messageId}@acme-staffing.example>`]);
    expect(mail!.rawHeaders['list-unsubscribe']).toEqual([`<${outbound.unsubscribeUrl}>`]);
    expect(mail!.header('bcc')).toBeUndefined();
    expect(mail!.envelope.to).toEqual(['zoe.angstrom@example.org']);
  });

  it('a 550 at the end of DATA is permanent, with the code', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });
    smtp.enqueue({ code: 550, message: 'Mailbox unavailable' });

    const outcome = await driver.send(email());

    expect(outcome).toMatchObject({ kind: 'permanent', code: '550' });
    expect(outcome.kind !== 'sent' && outcome.reason).toContain('Mailbox unavailable');
    expect((await smtp.waitForAttempts(1))[0]!.outcome).toBe('rejected');
    expect(smtp.messages).toHaveLength(0);
  });

  it('a 550 to RCPT TO is permanent, with the code, and no message is transferred', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });
    smtp.enqueue({ code: 550, message: 'No such user', at: 'rcpt' });

    const outcome = await driver.send(email());

    expect(outcome).toMatchObject({ kind: 'permanent', code: '550' });
    expect(smtp.attempts).toHaveLength(0);
  });

  it('a 451 at the end of DATA is retryable, with the code', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });
    smtp.enqueue({ code: 451, message: 'Try again later' });

    const outcome = await driver.send(email());

    expect(outcome).toMatchObject({ kind: 'retryable', code: '451' });
    expect((await smtp.waitForAttempts(1))[0]!.outcome).toBe('rejected');
  });

  it('a 421 to MAIL FROM is retryable', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });
    smtp.enqueue({ code: 421, message: 'Too busy', at: 'mail' });

    const outcome = await driver.send(email());

    expect(outcome).toMatchObject({ kind: 'retryable', code: '421' });
    expect(smtp.attempts).toHaveLength(0);
  });

  it('no answer after the message was sent is unknown, never retryable', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent, socketTimeoutMs: 300 });
    smtp.enqueue({ hangAfterData: true });

    const outcome = await driver.send(email());

    expect(outcome).toMatchObject({ kind: 'unknown', code: 'ETIMEDOUT' });
    // the server did get the whole message: resending it could deliver it twice
    expect((await smtp.waitForAttempts(1))[0]!.outcome).toBe('hung');
  });

  it.each(['mail', 'rcpt'] as const)('no answer to %s (before the message was sent) is retryable', async (at) => {
    const driver = new SmtpEmailDriver({ url, log: silent, socketTimeoutMs: 300 });
    smtp.enqueue({ hangAt: at });

    const outcome = await driver.send(email());

    expect(outcome).toMatchObject({ kind: 'retryable', code: 'ETIMEDOUT' });
    expect(smtp.attempts).toHaveLength(0);
  });

  it('a large message: unknown after DATA, retryable before it', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent, socketTimeoutMs: 300 });
    const big = email({ text: 'Zoë Ångström '.repeat(40_000) });
    smtp.enqueue({ hangAt: 'rcpt' }, { hangAfterData: true });

    expect(await driver.send(big)).toMatchObject({ kind: 'retryable', code: 'ETIMEDOUT' });
    expect(await driver.send(big)).toMatchObject({ kind: 'unknown', code: 'ETIMEDOUT' });
    const [hung] = await smtp.waitForAttempts(1);
    expect(hung!.text?.trim()).toBe(big.text.trim());
  });

  it('a slow but successful answer within the socket timeout is sent', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent, socketTimeoutMs: 2000 });
    smtp.enqueue({ delayMs: 300 });

    const outcome = await driver.send(email());

    expect(outcome.kind).toBe('sent');
    expect(await smtp.waitFor(1)).toHaveLength(1);
  });

  it('a refused connection is retryable', async () => {
    const port = await closedPort();
    const driver = new SmtpEmailDriver({ url: `smtp://127.0.0.1:${port}`, log: silent });

    const outcome = await driver.send(email());

    expect(outcome).toMatchObject({ kind: 'retryable', code: 'ECONNREFUSED' });
  });

  describe('against a server that accepts TCP but never greets', () => {
    let silentServer: Server;
    let port: number;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      silentServer = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
      port = (silentServer.address() as AddressInfo).port;
    });

    afterAll(async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => silentServer.close(() => resolve()));
    });

    it('a greeting timeout is retryable (nothing was sent)', async () => {
      const driver = new SmtpEmailDriver({ url: `smtp://127.0.0.1:${port}`, log: silent, greetingTimeoutMs: 200 });

      const outcome = await driver.send(email());

      expect(outcome).toMatchObject({ kind: 'retryable', code: 'ETIMEDOUT' });
    });
  });

  it('an address without a domain is permanent, and nothing is sent', async () => {
    const driver = new SmtpEmailDriver({ url, log: silent });

    const outcome = await driver.send(email({ to: 'not-an-address' }));

    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_address' });
    expect(smtp.attempts).toHaveLength(0);
  });

  it('logs through the injected function, without the message body', async () => {
    const lines: Array<{ level: string; message: string; fields?: Readonly<Record<string, unknown>> }> = [];
    const driver = new SmtpEmailDriver({ url, log: (level, message, fields) => lines.push({ level, message, fields }) });
    smtp.enqueue({ code: 550, message: 'Mailbox unavailable' });

    await driver.send(email());

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { code: '550' } });
    expect(JSON.stringify(lines)).not.toContain('Reply YES');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('classifySmtpError (answers that are hard to provoke for real)', () => {
  const smtpError = (fields: Record<string, unknown>): Error => Object.assign(new Error('smtp failure'), fields);

  it.each([
    [{ code: 'EENVELOPE', responseCode: 550 }, 'before_data', 'permanent', '550'],
    [{ code: 'EMESSAGE', responseCode: 554 }, 'after_data', 'permanent', '554'],
    [{ code: 'EAUTH', responseCode: 535 }, 'before_data', 'permanent', '535'],
    [{ code: 'EENVELOPE', responseCode: 503 }, 'before_data', 'retryable', '503'],
    [{ code: 'EMESSAGE', responseCode: 452 }, 'after_data', 'retryable', '452'],
    [{ code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' }, 'before_data', 'retryable', 'ETIMEDOUT'],
    [{ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }, 'after_data', 'unknown', 'ETIMEDOUT'],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET' }, 'before_data', 'retryable', 'ECONNRESET'],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET' }, 'after_data', 'unknown', 'ECONNRESET'],
    [{ code: 'ECONNECTION' }, 'after_data', 'unknown', 'ECONNECTION'],
    [{ code: 'EDNS', originalCode: 'ENOTFOUND' }, 'before_data', 'retryable', 'ENOTFOUND'],
    [{ code: 'EENVELOPE' }, 'before_data', 'permanent', 'EENVELOPE'],
    // the driver could not watch the send: a network failure may have followed the message
    [{ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }, 'untracked', 'unknown', 'ETIMEDOUT'],
    [{ code: 'EENVELOPE' }, 'untracked', 'permanent', 'EENVELOPE'],
  ] as const)('%j (%s) is %s with code %s', (fields, phase, kind, code) => {
    expect(classifySmtpError(smtpError(fields), phase)).toMatchObject({ kind, code });
  });
});
