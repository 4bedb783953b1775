import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import twilio from 'twilio';

/**
 * A small HTTP server speaking the part of Twilio's REST API that Touchpoint uses:
 *
 *   POST /2010-04-01/Accounts/{AccountSid}/Messages.json   (form-encoded)
 *
 * It checks HTTP Basic auth (AccountSid:AuthToken) against the accounts added with addAccount
 * (401 + Twilio error 20003 otherwise), validates like Twilio (To, Body, From or
 * MessagingServiceSid), records every request, and answers like
 * /work/shared/fixtures/twilio/messages-create-response.json with a fresh `SM…` SID:
 * `accepted` when sent through a messaging service, `queued` when sent from a number.
 *
 * Point the app at it with TWILIO_API_URL = the `url` returned by start().
 *
 * Scriptable, one behaviour per Messages request, in order:
 *   enqueue({ error: 21610 })   400 + Twilio error body (429 for 20429, 401 for 20003)
 *   enqueue({ status: 500 })    that HTTP status, Twilio-shaped body (or `body`)
 *   enqueue({ timeout: true })  read and record the request, never answer
 *   enqueue({ reset: true })    read and record the request, then reset the connection
 *   enqueue({ delayMs: 200 })   answer normally after a delay (combinable with the others)
 *
 * sendStatusCallback() plays Twilio's side of a status callback: a signed form POST to the
 * message's StatusCallback URL.
 */
export type FakeTwilioBehaviour =
  | { error: number; status?: number; message?: string; delayMs?: number }
  | { status: number; body?: unknown; delayMs?: number }
  | { timeout: true }
  | { reset: true; delayMs?: number }
  | { delayMs: number };

export type FormParams = Record<string, string | string[]>;

export interface RecordedTwilioRequest {
  method: string;
  path: string;
  /** The account SID in the URL path, for Messages requests. */
  accountSid: string | undefined;
  /** The user name of the Basic auth header (the account SID the client authenticated as). */
  authAccountSid: string | undefined;
  /** Whether Basic auth matched a configured account. */
  authorized: boolean;
  To: string | undefined;
  From: string | undefined;
  MessagingServiceSid: string | undefined;
  Body: string | undefined;
  StatusCallback: string | undefined;
  /** Every form parameter; repeated names as arrays. */
  params: FormParams;
  headers: IncomingMessage['headers'];
  receivedAt: Date;
  /** The HTTP status answered; undefined when the behaviour was to never answer or to reset. */
  responseStatus: number | undefined;
  /** The SID of the message created, when it was. */
  sid: string | undefined;
}

export interface FakeTwilioStart {
  /** Base URL, e.g. `http://127.0.0.1:54321`: use as TWILIO_API_URL. */
  url: string;
  port: number;
}

export interface StatusCallbackOptions {
  status: string;
  errorCode?: number | string;
  /** Defaults to the StatusCallback the message was created with. */
  url?: string;
  /** Extra or overriding form parameters. */
  params?: Record<string, string>;
  /** Sign with another token (to test rejection). Defaults to the account's token. */
  authToken?: string;
  /** Send this signature instead of the computed one. */
  signature?: string;
}

const ERROR_INFO: Readonly<Record<number, { status: number; message: string }>> = {
  20003: { status: 401, message: 'Authenticate' },
  20404: { status: 404, message: 'The requested resource was not found' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'Internal Server Error' },
  20503: { status: 503, message: 'Service Unavailable' },
  21211: { status: 400, message: "Invalid 'To' Phone Number" },
  21602: { status: 400, message: 'Message body is required.' },
  21603: { status: 400, message: "A 'From' or 'MessagingServiceSid' parameter is required to send a message" },
  21604: { status: 400, message: "A 'To' phone number is required." },
  21610: { status: 400, message: 'Attempt to send to unsubscribed recipient' },
  21614: { status: 400, message: "'To' number is not a valid mobile number" },
  30006: { status: 400, message: 'Landline or unreachable carrier' },
};

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

function errorBody(code: number, status: number, message?: string): Record<string, unknown> {
  return {
    code,
    message: message ?? ERROR_INFO[code]?.message ?? `Error ${code}`,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseForm(body: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const prev = params[name];
    params[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return params;
}

function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!match) {
    return undefined;
  }
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeTwilioServer {
  private server: Server | null = null;
  private readonly accounts = new Map<string, string>();
  private readonly queue: FakeTwilioBehaviour[] = [];
  private readonly recorded: RecordedTwilioRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private baseUrl: string | null = null;

  constructor(accounts: Record<string, string> = {}) {
    for (const [sid, token] of Object.entries(accounts)) {
      this.addAccount(sid, token);
    }
  }

  /** Every request received, oldest first, including refused and unanswered ones. */
  get requests(): readonly RecordedTwilioRequest[] {
    return [...this.recorded];
  }

  /** The requests that created a message. */
  get messages(): readonly RecordedTwilioRequest[] {
    return this.recorded.filter((r) => r.sid !== undefined);
  }

  get url(): string {
    if (!this.baseUrl) {
      throw new Error('FakeTwilioServer not started');
    }
    return this.baseUrl;
  }

  addAccount(accountSid: string, authToken: string): void {
    this.accounts.set(accountSid, authToken);
  }

  enqueue(...behaviours: FakeTwilioBehaviour[]): void {
    this.queue.push(...behaviours);
  }

  /** Forgets recorded requests and queued behaviours; keeps the accounts. */
  reset(): void {
    this.recorded.length = 0;
    this.queue.length = 0;
  }

  async start(): Promise<FakeTwilioStart> {
    if (this.server) {
      throw new Error('FakeTwilioServer already started');
    }
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return { url: this.baseUrl, port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.baseUrl = null;
    if (!server) {
      return;
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves with the first `n` recorded requests once they have arrived; rejects after `timeoutMs`. */
  async waitFor(n: number, timeoutMs = 5000): Promise<RecordedTwilioRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.recorded.length < n) {
      if (Date.now() > deadline) {
        throw new Error(`FakeTwilioServer: expected ${n} requests, got ${this.recorded.length} after ${timeoutMs} ms`);
      }
      await sleep(20);
    }
    return this.recorded.slice(0, n);
  }

  /**
   * Posts a status callback for a message this server created, the way Twilio does: form-encoded,
   * signed with the account's auth token in X-Twilio-Signature (computed by the Twilio SDK).
   */
  async sendStatusCallback(sid: string, options: StatusCallbackOptions): Promise<{ status: number; body: string }> {
    const message = this.recorded.find((r) => r.sid === sid);
    if (!message || !message.accountSid) {
      throw new Error(`FakeTwilioServer: no message ${sid}`);
    }
    const url = options.url ?? message.StatusCallback;
    if (!url) {
      throw new Error(`FakeTwilioServer: message ${sid} has no StatusCallback`);
    }
    const params: Record<string, string> = {
      ApiVersion: '2010-04-01',
      AccountSid: message.accountSid,
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: options.status,
      SmsStatus: options.status,
      To: message.To ?? '',
      ...(message.MessagingServiceSid ? { MessagingServiceSid: message.MessagingServiceSid } : {}),
      ...(message.From ? { From: message.From } : { From: '+14155550100' }),
      ...(options.errorCode !== undefined ? { ErrorCode: String(options.errorCode) } : {}),
      ...options.params,
    };
    const token = options.authToken ?? this.accounts.get(message.accountSid) ?? '';
    const signature = options.signature ?? twilio.getExpectedTwilioSignature(token, url, params);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const contentType = req.headers['content-type'] ?? '';
    const params = contentType.startsWith('application/x-www-form-urlencoded') ? parseForm(raw) : {};
    const path = (req.url ?? '/').split('?')[0]!;
    const match = MESSAGES_PATH.exec(path);
    const auth = parseBasicAuth(req.headers.authorization);
    const authorized = auth !== undefined && this.accounts.get(auth.user) === auth.password;
    const record: RecordedTwilioRequest = {
      method: req.method ?? 'GET',
      path,
      accountSid: match ? decodeURIComponent(match[1]!) : undefined,
      authAccountSid: auth?.user,
      authorized,
      To: first(params.To),
      From: first(params.From),
      MessagingServiceSid: first(params.MessagingServiceSid),
      Body: first(params.Body),
      StatusCallback: first(params.StatusCallback),
      params,
      headers: req.headers,
      receivedAt: new Date(),
      responseStatus: undefined,
      sid: undefined,
    };
    this.recorded.push(record);

    const send = (status: number, body: unknown): void => {
      record.responseStatus = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };

    if (!authorized) {
      return send(401, errorBody(20003, 401));
    }
    if (!match || req.method !== 'POST') {
      return send(404, errorBody(20404, 404));
    }
    if (record.accountSid !== auth?.user) {
      return send(404, errorBody(20404, 404));
    }

    const behaviour = this.queue.shift();
    if (behaviour && 'delayMs' in behaviour && behaviour.delayMs) {
      await sleep(behaviour.delayMs);
    }
    if (behaviour && 'timeout' in behaviour) {
      // recorded, never answered: the socket stays open until the client gives up or stop()
      return;
    }
    if (behaviour && 'reset' in behaviour) {
      req.socket.resetAndDestroy();
      return;
    }
    if (behaviour && 'error' in behaviour) {
      const status = behaviour.status ?? ERROR_INFO[behaviour.error]?.status ?? 400;
      return send(status, errorBody(behaviour.error, status, behaviour.message));
    }
    if (behaviour && 'status' in behaviour) {
      const code = behaviour.status >= 500 ? 20500 : behaviour.status === 429 ? 20429 : 20001;
      return send(behaviour.status, behaviour.body ?? errorBody(code, behaviour.status));
    }

    // Twilio's own validation
    if (!record.To) {
      return send(400, errorBody(21604, 400));
    }
    if (!record.Body && params.MediaUrl === undefined && params.ContentSid === undefined) {
      return send(400, errorBody(21602, 400));
    }
    if (!record.From && !record.MessagingServiceSid) {
      return send(400, errorBody(21603, 400));
    }

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const accountSid = record.accountSid;
    const now = rfc2822(new Date());
    record.sid = sid;
    send(201, {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: record.Body ?? '',
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: record.MessagingServiceSid ? null : record.From,
      messaging_service_sid: record.MessagingServiceSid ?? null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: null,
      sid,
      status: record.MessagingServiceSid ? 'accepted' : 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to: record.To,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  }
}
