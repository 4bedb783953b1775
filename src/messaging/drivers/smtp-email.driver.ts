import { createTransport } from 'nodemailer';
import type { MailMessage, NodemailerError, SendMailOptions, Transporter } from 'nodemailer';
import type { Readable } from 'node:stream';
import { buildEmailHeaders, domainOf, messageIdHeader as messageIdHeader_, type BuiltHeaders } from '../domain/email-headers';
import type { EmailDriver, OutboundEmail, SendOutcome } from './driver.types';
import { nestDriverLogger, type DriverLogFn } from './log-email.driver';
import { describeError } from '../../common/describe-error';

export interface SmtpEmailDriverOptions {
  /** `smtp://user:pass@host:587`, `smtps://host:465`, ... Query parameters override the timeouts below. */
  url: string;
  log?: DriverLogFn;
  /** TCP (and TLS) connect, DNS included. Default 10 s. */
  connectionTimeoutMs?: number;
  /** Waiting for the server's 220 greeting after connecting. Default 10 s. */
  greetingTimeoutMs?: number;
  /** Inactivity on an open connection, including the wait for the reply to the message. Default 60 s. */
  socketTimeoutMs?: number;
  /** DNS lookup. Default 10 s. */
  dnsTimeoutMs?: number;
}

/** nodemailer codes for failures that cannot succeed by sending the same message again. */
const PERMANENT_LOCAL_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EFILEACCESS', 'EURLACCESS', 'EMAXRECIPIENTS', 'ENOAUTH', 'ERR_ACCESS_DENIED']);

interface SendProgress {
  /** The stream plugin found this send and watches its message stream. */
  tracked: boolean;
  /** The whole message was handed to the SMTP data stream, after the server's 354 to DATA. */
  dataSent: boolean;
}

/**
 * The SMTP email driver (nodemailer, one connection per message).
 *
 * Headers come from domain/email-headers.ts (the one place they are built): it sets the Message-ID itself, `<{messageId}@{domain of the from address}>`, and
 * returns it as the providerId, so replies can be threaded by `In-Reply-To`. From and To carry
 * display names (RFC 2047-encoded when not ASCII), Reply-To, In-Reply-To/References when the
 * email answers one, and the RFC 8058 one-click pair `List-Unsubscribe: <url>` +
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` when `unsubscribeUrl` is given.
 *
 * Outcome classification (a send never throws for the server's answer):
 * - a reply code 4xx, or 503 (bad sequence): `retryable`, code = the reply code;
 * - any other 5xx: `permanent`, code = the reply code (e.g. `550`);
 * - no reply, before the message was sent (connection refused or reset, DNS failure, connect or
 *   greeting timeout, TLS failure, a timeout while waiting for MAIL/RCPT/DATA replies): `retryable`;
 * - no reply, after the message was sent (socket timeout or connection lost while waiting for the
 *   server's answer to the end of DATA): `unknown` — the server may have accepted it, so it must
 *   not be resent blindly.
 *
 * How "after the message was sent" is detected: nodemailer does not tell (every timeout error has
 * `command: 'CONN'`). The driver adds a nodemailer `stream` plugin that watches the end of the
 * compiled message stream. That stream is only read once the server answered 354 to DATA, and it
 * ends when the SMTP data stream has consumed all of it, i.e. the whole message has been handed
 * to the socket (the terminating `.` follows immediately). If the connection fails after that
 * point the outcome is unknown; before it, the server cannot have accepted the message.
 */
export class SmtpEmailDriver implements EmailDriver {
  readonly name = 'smtp' as const;
  private readonly transport: Transporter;
  private readonly log: DriverLogFn;
  /**
   * Progress of each send in flight, keyed by the `headers` object of its mail options: nodemailer
   * keeps that very object as `mail.data.headers`, and each send builds a new one, so two
   * concurrent sends (even of the same message id) never share an entry.
   */
  private readonly inFlight = new WeakMap<object, SendProgress>();

  constructor(options: SmtpEmailDriverOptions) {
    if (!options.url) {
      throw new Error('SmtpEmailDriver: url is required');
    }
    this.log = options.log ?? nestDriverLogger(SmtpEmailDriver.name);
    this.transport = createTransport({
      url: options.url,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      dnsTimeout: options.dnsTimeoutMs ?? 10_000,
      // message content never reads local files or fetches URLs
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
    this.transport.use('stream', (mail: MailMessage, done) => {
      const headers = mail.data.headers;
      const progress = typeof headers === 'object' && headers !== null ? this.inFlight.get(headers) : undefined;
      if (progress) {
        progress.tracked = true;
        mail.message.processFunc((input: Readable) => {
          input.once('end', () => {
            progress.dataSent = true;
          });
          return input;
        });
      }
      done();
    });
  }

  async send(email: OutboundEmail): Promise<SendOutcome> {
    const messageIdHeader = messageIdHeader_(email.messageId, email.from);
    if (!messageIdHeader || !domainOf(email.to)) {
      return { kind: 'permanent', code: 'invalid_address', reason: 'from and to must be email addresses' };
    }
    const progress: SendProgress = { tracked: false, dataSent: false };
    const built = buildEmailHeaders(email, messageIdHeader);
    // A new object per send: it is also the key of the send's progress (see inFlight).
    const headers = { ...built.extra };
    this.inFlight.set(headers, progress);
    try {
      const info = await this.transport.sendMail(this.toMailOptions(email, built, headers));
      this.log('info', 'email accepted by SMTP server', {
        messageId: email.messageId,
        providerId: messageIdHeader,
        response: info.response,
      });
      return { kind: 'sent', providerId: messageIdHeader, status: 'sent', simulated: false };
    } catch (error: unknown) {
      const phase = !progress.tracked ? 'untracked' : progress.dataSent ? 'after_data' : 'before_data';
      const outcome = classifySmtpError(error, phase);
      this.log(outcome.kind === 'unknown' ? 'error' : 'warn', `email not sent: ${outcome.kind}`, {
        messageId: email.messageId,
        code: outcome.code,
        reason: outcome.reason,
      });
      return outcome;
    } finally {
      this.inFlight.delete(headers);
    }
  }

  /** Closes the transport (and its connections, if the URL asked for a pool). */
  close(): void {
    this.transport.close();
  }

  private toMailOptions(email: OutboundEmail, built: BuiltHeaders, headers: Record<string, string>): SendMailOptions {
    return {
      messageId: built.messageId,
      from: email.fromName ? { name: email.fromName, address: email.from } : email.from,
      to: email.toName ? { name: email.toName, address: email.to } : email.to,
      replyTo: email.replyTo,
      subject: email.subject,
      text: email.text,
      html: email.html,
      // A text/calendar alternative with its method: mail clients show it as an invite.
      ...(email.calendar ? { icalEvent: { method: email.calendar.method, content: email.calendar.content, filename: 'invite.ics' } } : {}),
      inReplyTo: built.inReplyTo,
      references: built.references,
      headers,
    };
  }
}

/** Duck-typed: errors from node core may come from another realm (Jest's VM), so no instanceof. */
function isNodemailerError(error: unknown): error is NodemailerError {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/**
 * Where a failed send had got to: `before_data` (the message had not been handed to the server),
 * `after_data` (it had, and no answer came), or `untracked` (the driver could not watch this
 * send, so it cannot tell — treated like `after_data` for anything that is not a local error).
 */
export type SmtpSendPhase = 'before_data' | 'after_data' | 'untracked';

/** Turns a nodemailer failure into a SendOutcome (see SmtpEmailDriver). */
export function classifySmtpError(error: unknown, phase: SmtpSendPhase): Exclude<SendOutcome, { kind: 'sent' }> {
  if (!isNodemailerError(error)) {
    return phase === 'before_data'
      ? { kind: 'retryable', reason: `SMTP send failed: ${describeError(error)}` }
      : { kind: 'unknown', reason: `SMTP send failed: ${describeError(error)}` };
  }
  const reason = error.message || 'SMTP send failed';
  const responseCode = typeof error.responseCode === 'number' ? error.responseCode : undefined;
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    const code = String(responseCode);
    // 503 is "bad sequence of commands": the session's fault, not the message's
    if (responseCode >= 500 && responseCode !== 503) {
      return { kind: 'permanent', code, reason };
    }
    return { kind: 'retryable', code, reason };
  }
  const code = error.originalCode ?? error.code ?? undefined;
  if (phase !== 'after_data' && error.code && PERMANENT_LOCAL_CODES.has(error.code)) {
    // refused locally (no recipient, bad configuration, ...): sending again changes nothing
    return { kind: 'permanent', code, reason };
  }
  if (phase === 'before_data') {
    // connection refused/reset, DNS, connect/greeting/socket timeout before DATA, TLS: nothing was accepted
    return { kind: 'retryable', code, reason };
  }
  // the message went out (or may have) and the answer did not come back: it may have been accepted
  return { kind: 'unknown', code, reason };
}
