// The only file in src/ that imports the Twilio SDK (STYLE: "The Twilio SDK is imported in exactly one file").
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient';
import TwilioServiceException from 'twilio/lib/base/TwilioServiceException';
import type TwilioResponse from 'twilio/lib/http/response';
import type { OutboundSms, SendOutcome, SmsDriver, TwilioAccount } from './driver.types';
import { nestDriverLogger, type DriverLogFn } from './log-email.driver';
import { describeError } from '../../common/describe-error';

export interface TwilioSmsDriverOptions {
  /**
   * Base URL of Twilio's REST API (env `TWILIO_API_URL`), e.g. `http://127.0.0.1:4010` for a local
   * Twilio-speaking server. Every REST call the SDK makes is sent there instead of
   * `https://*.twilio.com`, keeping its path: `POST {apiUrl}/2010-04-01/Accounts/{sid}/Messages.json`.
   * A path in apiUrl is kept as a prefix. Unset: Twilio's own.
   */
  apiUrl?: string;
  /** Timeout of one REST request, connect included, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Reuse HTTP connections. Default true. */
  keepAlive?: boolean;
  log?: DriverLogFn;
}

type TwilioClient = ReturnType<typeof twilio>;
type RequestOptions<T> = TwilioRequestClient.RequestOptions<T>;

/** SDK clients kept (one per account + token); the oldest is dropped beyond this. */
const MAX_CACHED_CLIENTS = 1000;

/** Twilio error codes that mean "try again later" whatever the HTTP status. */
const RETRYABLE_TWILIO_CODES = new Set([20429]);

/**
 * Network error codes that can only happen before a request reached the server: nothing was
 * sent, so sending again cannot duplicate the message.
 */
const NOT_SENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Twilio's RequestClient (axios underneath) with every URL rewritten onto `apiBase`. This is the
 * SDK's documented extension point (`ClientOpts.httpClient`): the SDK builds
 * `https://api.twilio.com/2010-04-01/...` (after applying edge/region), and this client sends
 * it to `{apiBase}/2010-04-01/...` with the same method, headers, basic auth and form body.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiBase: URL | null,
    options: TwilioRequestClient.RequestClientOptions,
  ) {
    super(options);
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    if (!this.apiBase) {
      return super.request(opts);
    }
    const original = new URL(opts.uri);
    const target = new URL(this.apiBase.href);
    target.pathname = this.apiBase.pathname.replace(/\/+$/, '') + original.pathname;
    target.search = original.search;
    return super.request({ ...opts, uri: target.href });
  }
}

/**
 * The Twilio SMS driver. It sends through the account carried by each message (a tenant's own
 * or the platform default), with `MessagingServiceSid` when the account has one, else `From`,
 * and `StatusCallback` = `sms.statusCallbackUrl`. One SDK client is cached per account sid +
 * auth token; all share one HTTP client (connection pool, timeout, API base URL).
 *
 * Outcomes (a send never throws for Twilio's answer):
 * - 2xx with a SID: `sent`, providerId = SID, status = Twilio's (`accepted`, `queued`);
 * - Twilio error 20429, HTTP 429, HTTP 5xx: `retryable`;
 * - any other HTTP 4xx (21211, 21610, 21614, 20003, ...): `permanent`, code = Twilio's error
 *   code (or `HTTP_<status>` when the body carries none);
 * - the request could not be sent (connection refused, DNS failure, connect timeout, TLS
 *   failure): `retryable`;
 * - the request was sent but no answer came (response timeout, connection reset or closed
 *   while waiting): `unknown`. The message may exist at Twilio: it is never resent blindly,
 *   the status callback or a recruiter reconciles it.
 *
 * "Was the request sent" is read from the Node `ClientRequest` attached to the error by axios:
 * `writableFinished` is true once the whole request (headers and form body) was handed to the
 * socket. A connect timeout or refusal leaves it false (the request is still buffered in Node),
 * so Twilio cannot have received a complete request. When in doubt the answer is `unknown`.
 */
export class TwilioSmsDriver implements SmsDriver {
  readonly name = 'twilio' as const;
  private readonly httpClient: RedirectingRequestClient;
  private readonly clients = new Map<string, TwilioClient>();
  private readonly log: DriverLogFn;

  constructor(options: TwilioSmsDriverOptions = {}) {
    this.log = options.log ?? nestDriverLogger(TwilioSmsDriver.name);
    let apiBase: URL | null = null;
    if (options.apiUrl) {
      try {
        apiBase = new URL(options.apiUrl);
      } catch {
        throw new Error(`TWILIO_API_URL is not a valid URL: ${options.apiUrl}`);
      }
      if (apiBase.protocol !== 'http:' && apiBase.protocol !== 'https:') {
        throw new Error(`TWILIO_API_URL must be an http(s) URL: ${options.apiUrl}`);
      }
    }
    this.httpClient = new RedirectingRequestClient(apiBase, {
      timeout: options.timeoutMs ?? 10_000,
      keepAlive: options.keepAlive ?? true,
      // the SDK's own retries would resend 429s behind our back; the dispatcher decides retries
      autoRetry: false,
    });
  }

  async send(sms: OutboundSms): Promise<SendOutcome> {
    const { account } = sms;
    if (!account.messagingServiceSid && !account.from) {
      return { kind: 'permanent', code: 'no_sender', reason: 'The Twilio account has neither a messaging service SID nor a From number' };
    }
    let outcome: SendOutcome;
    try {
      const client = this.clientFor(account);
      const message = await client.messages.create({
        to: sms.to,
        body: sms.body,
        ...(account.messagingServiceSid ? { messagingServiceSid: account.messagingServiceSid } : { from: account.from }),
        ...(sms.statusCallbackUrl ? { statusCallback: sms.statusCallbackUrl } : {}),
      });
      outcome = message.sid
        ? { kind: 'sent', providerId: message.sid, status: message.status ?? 'queued', simulated: false }
        : { kind: 'unknown', reason: 'Twilio answered 2xx without a message SID' };
    } catch (error: unknown) {
      outcome = classifyTwilioError(error);
    }
    if (outcome.kind === 'sent') {
      this.log('info', 'SMS accepted by Twilio', { messageId: sms.messageId, sid: outcome.providerId, status: outcome.status });
    } else {
      this.log(outcome.kind === 'unknown' ? 'error' : 'warn', `SMS not sent: ${outcome.kind}`, {
        messageId: sms.messageId,
        accountSid: account.accountSid,
        code: outcome.code,
        reason: outcome.reason,
      });
    }
    return outcome;
  }

  private clientFor(account: TwilioAccount): TwilioClient {
    const key = `${account.accountSid}:${createHash('sha256').update(account.authToken).digest('base64url')}`;
    let client = this.clients.get(key);
    if (!client) {
      client = twilio(account.accountSid, account.authToken, {
        httpClient: this.httpClient,
        autoRetry: false,
        // at 'debug' (TWILIO_LOG_LEVEL) the SDK prints every request to stdout; never here
        logLevel: 'info',
      });
      if (this.clients.size >= MAX_CACHED_CLIENTS) {
        const oldest = this.clients.keys().next();
        if (!oldest.done) {
          this.clients.delete(oldest.value);
        }
      }
      this.clients.set(key, client);
    }
    return client;
  }
}

interface NetworkErrorShape {
  code?: unknown;
  message?: unknown;
  isAxiosError?: unknown;
  request?: { writableFinished?: unknown } | null;
}

/** Turns what `client.messages.create` threw into a SendOutcome (see TwilioSmsDriver). */
export function classifyTwilioError(error: unknown): Exclude<SendOutcome, { kind: 'sent' }> {
  if (error instanceof twilio.RestException || error instanceof TwilioServiceException) {
    const status = error.status;
    const twilioCode = typeof error.code === 'number' ? error.code : undefined;
    const code = twilioCode !== undefined ? String(twilioCode) : `HTTP_${status}`;
    const detail = error instanceof TwilioServiceException ? (error.detail ?? error.title) : error.message;
    const reason = `Twilio HTTP ${status}${twilioCode !== undefined ? ` error ${twilioCode}` : ''}: ${detail ?? 'no message'}`;
    if ((twilioCode !== undefined && RETRYABLE_TWILIO_CODES.has(twilioCode)) || status === 429 || status >= 500) {
      return { kind: 'retryable', code, reason };
    }
    return { kind: 'permanent', code, reason };
  }

  const e = (typeof error === 'object' && error !== null ? error : {}) as NetworkErrorShape;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reason = typeof e.message === 'string' ? e.message : describeError(error);
  if (code !== undefined && NOT_SENT_NETWORK_CODES.has(code)) {
    return { kind: 'retryable', code, reason: `request not sent: ${reason}` };
  }
  const request = e.request;
  if (request && typeof request === 'object') {
    if (request.writableFinished === false) {
      // still buffered in Node (e.g. the connect timed out): Twilio never got a complete request
      return { kind: 'retryable', code: timeoutCode(code), reason: `request not sent: ${reason}` };
    }
    // sent, then the answer never came (timeout, reset, hang-up): the message may exist
    return { kind: 'unknown', code: timeoutCode(code), reason: `no answer after the request was sent: ${reason}` };
  }
  if (e.isAxiosError === true || code !== undefined) {
    // a transport error without a request to inspect: assume it may have been sent
    return { kind: 'unknown', code, reason };
  }
  // thrown by the SDK before any request (argument validation, a malformed account SID)
  return { kind: 'permanent', code: 'invalid_request', reason };
}

/** axios reports its own timeout as ECONNABORTED; name it for what it is. */
function timeoutCode(code: string | undefined): string | undefined {
  return code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'ETIMEDOUT' : code;
}
