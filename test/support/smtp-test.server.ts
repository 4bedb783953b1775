import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server for integration tests (smtp-server on 127.0.0.1, a free port, no auth, no
 * TLS/STARTTLS). It captures every message it receives and can be scripted to refuse or hang.
 *
 *   const smtp = new SmtpTestServer();
 *   const { url } = await smtp.start();          // smtp://127.0.0.1:PORT
 *   smtp.enqueue({ code: 550, message: 'No such user' });   // the next message is refused at end of DATA
 *   ...
 *   const [mail] = await smtp.waitFor(1);
 *   expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
 *   await smtp.stop();
 *
 * Behaviours are consumed one per message (SMTP transaction), in order; with none queued a
 * message is accepted (250).
 */
export type SmtpBehaviour =
  /** Answer with this SMTP code (4xx/5xx). `at` picks the command it answers: MAIL FROM, RCPT TO, or the end of DATA (default). */
  | { code: number; message?: string; at?: 'mail' | 'rcpt' | 'data' }
  /** Read the whole message, record it, and never answer: the client times out after sending DATA. */
  | { hangAfterData: true }
  /** Never answer MAIL FROM or RCPT TO: the client times out before it could send the message. */
  | { hangAt: 'mail' | 'rcpt' }
  /** Accept, but only after this delay. */
  | { delayMs: number };

export type SmtpOutcome = 'accepted' | 'rejected' | 'hung';

export interface CapturedEmail {
  /** What happened to it: accepted (250), rejected (a 4xx/5xx after DATA), or hung (never answered). */
  outcome: SmtpOutcome;
  envelope: { from: string; to: string[] };
  /** The message exactly as received after DATA (dot-unstuffed), as UTF-8 text. */
  raw: string;
  /** Unfolded header values as on the wire (not decoded), by lower-case name, in order of appearance. */
  rawHeaders: Readonly<Record<string, readonly string[]>>;
  /** The message parsed by mailparser: decoded headers, addresses and bodies. */
  parsed: ParsedMail;
  subject: string | undefined;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  references: string[];
  from: EmailAddress[];
  to: EmailAddress[];
  replyTo: EmailAddress[];
  text: string | undefined;
  html: string | undefined;
  /** The first raw (unfolded, undecoded) value of a header, case-insensitive. */
  header(name: string): string | undefined;
}

export interface SmtpTestServerStart {
  host: string;
  port: number;
  /** `smtp://127.0.0.1:PORT`, suitable for SMTP_URL / SmtpEmailDriver. */
  url: string;
}

interface PendingTransaction {
  behaviour: SmtpBehaviour | undefined;
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!value) {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.value);
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

export class SmtpTestServer {
  private server: SMTPServer | null = null;
  private readonly captured: CapturedEmail[] = [];
  private readonly accountCaptured: CapturedEmail[] = [];
  private readonly queue: SmtpBehaviour[] = [];
  private readonly transactions = new Map<string, PendingTransaction>();

  /** Accepted messages, oldest first. */
  get messages(): readonly CapturedEmail[] {
    return this.captured.filter((m) => m.outcome === 'accepted');
  }

  /** Every message whose DATA was fully received, whatever the answer. */
  get attempts(): readonly CapturedEmail[] {
    return [...this.captured];
  }

  /**
   * Mail about a Touchpoint account (the signup's verification link: header X-Touchpoint-Mail:
   * account), accepted and kept apart: `messages` and `attempts` are the mail to people, which
   * is what the suites count. Account mail consumes no queued behaviour.
   */
  get accountMail(): readonly CapturedEmail[] {
    return [...this.accountCaptured];
  }

  enqueue(...behaviours: SmtpBehaviour[]): void {
    this.queue.push(...behaviours);
  }

  /** Forgets captured messages and queued behaviours. */
  reset(): void {
    this.captured.length = 0;
    this.accountCaptured.length = 0;
    this.queue.length = 0;
  }

  async start(): Promise<SmtpTestServerStart> {
    if (this.server) {
      throw new Error('SmtpTestServer already started');
    }
    const server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 100,
      // no reverse DNS of the client: it delays the greeting by ~100 ms per connection
      disableReverseLookup: true,
      size: 10 * 1024 * 1024,
      onMailFrom: (address, session, callback) => {
        const behaviour = this.queue.shift();
        this.transactions.set(session.id, { behaviour });
        if (behaviour && 'hangAt' in behaviour && behaviour.hangAt === 'mail') {
          return;
        }
        if (behaviour && 'code' in behaviour && behaviour.at === 'mail') {
          return callback(smtpError(behaviour.code, behaviour.message ?? `${behaviour.code} refused by test server`));
        }
        callback();
      },
      onRcptTo: (address, session, callback) => {
        const behaviour = this.transactions.get(session.id)?.behaviour;
        if (behaviour && 'hangAt' in behaviour && behaviour.hangAt === 'rcpt') {
          return;
        }
        if (behaviour && 'code' in behaviour && behaviour.at === 'rcpt') {
          return callback(smtpError(behaviour.code, behaviour.message ?? `${behaviour.code} refused by test server`));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        void this.onData(stream, session, callback);
      },
    });
    server.on('error', () => {
      // a client dropping its connection is part of several tests
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.server.address() as AddressInfo;
    return { host: '127.0.0.1', port, url: `smtp://127.0.0.1:${port}` };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) {
      return;
    }
    // connections still open (a hung DATA) are sent a 421 and closed after closeTimeout (100 ms)
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves with the first `n` accepted messages once they have arrived; rejects after `timeoutMs`. */
  async waitFor(n: number, timeoutMs = 5000): Promise<CapturedEmail[]> {
    return this.poll(() => this.messages, n, timeoutMs, 'accepted messages');
  }

  /** Like waitFor, counting every received message (accepted, rejected or hung). */
  async waitForAttempts(n: number, timeoutMs = 5000): Promise<CapturedEmail[]> {
    return this.poll(() => this.attempts, n, timeoutMs, 'received messages');
  }

  private async poll(get: () => readonly CapturedEmail[], n: number, timeoutMs: number, what: string): Promise<CapturedEmail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = get();
      if (current.length >= n) {
        return current.slice(0, n);
      }
      if (Date.now() > deadline) {
        throw new Error(`SmtpTestServer: expected ${n} ${what}, got ${current.length} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
    }
    const behaviour = this.transactions.get(session.id)?.behaviour;
    this.transactions.delete(session.id);
    const raw = Buffer.concat(chunks);
    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    };
    const headerBlock = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('utf8');
    if (/^x-touchpoint-mail:\s*account\s*$/im.test(headerBlock)) {
      // Its behaviour (taken at MAIL FROM) goes back for the next message to a person.
      if (behaviour) this.queue.unshift(behaviour);
      this.accountCaptured.push(await capture(raw, envelope, 'accepted'));
      callback(null, 'Message queued by test server');
      return;
    }

    if (behaviour && 'hangAfterData' in behaviour) {
      this.captured.push(await capture(raw, envelope, 'hung'));
      // never answer: the client times out waiting for the reply to DATA
      return;
    }
    if (behaviour && 'code' in behaviour && (behaviour.at ?? 'data') === 'data') {
      this.captured.push(await capture(raw, envelope, 'rejected'));
      callback(smtpError(behaviour.code, behaviour.message ?? `${behaviour.code} refused by test server`));
      return;
    }
    if (behaviour && 'delayMs' in behaviour) {
      await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    }
    this.captured.push(await capture(raw, envelope, 'accepted'));
    callback(null, 'Message queued by test server');
  }
}

async function capture(raw: Buffer, envelope: { from: string; to: string[] }, outcome: SmtpOutcome): Promise<CapturedEmail> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const rawHeaders: Record<string, string[]> = {};
  for (const { key, line } of parsed.headerLines) {
    const colon = line.indexOf(':');
    // unfold: a CRLF followed by white space is just that white space (RFC 5322 2.2.3)
    const value = line.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').trim();
    (rawHeaders[key.toLowerCase()] ??= []).push(value);
  }
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  return {
    outcome,
    envelope,
    raw: raw.toString('utf8'),
    rawHeaders,
    parsed,
    subject: parsed.subject,
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references,
    from: addressesOf(parsed.from),
    to: addressesOf(parsed.to),
    replyTo: addressesOf(parsed.replyTo),
    text: parsed.text,
    html: typeof parsed.html === 'string' ? parsed.html : undefined,
    header(name: string): string | undefined {
      return rawHeaders[name.toLowerCase()]?.[0];
    },
  };
}
