import { Logger } from '@nestjs/common';
import type { EmailDriver, OutboundEmail, SendOutcome } from './driver.types';

export type DriverLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * How drivers log: one function, injected, so the app can route it to its own logger (pino,
 * Nest `Logger`) and tests can capture it. Drivers never write to the console themselves.
 * `fields` never carries secrets (auth tokens, SMTP passwords).
 */
export type DriverLogFn = (level: DriverLogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** A DriverLogFn that writes through Nest's `Logger` under the given context. */
export function nestDriverLogger(context: string): DriverLogFn {
  const logger = new Logger(context);
  return (level, message, fields) => {
    const line = fields ? `${message} ${JSON.stringify(fields)}` : message;
    switch (level) {
      case 'debug':
        logger.debug(line);
        break;
      case 'info':
        logger.log(line);
        break;
      case 'warn':
        logger.warn(line);
        break;
      case 'error':
        logger.error(line);
        break;
    }
  };
}

export interface SimulatedEmail {
  readonly providerId: string;
  readonly at: Date;
  readonly email: Readonly<OutboundEmail>;
}

export interface LogDriverOptions {
  log?: DriverLogFn;
  /** How many simulated messages to keep for diagnostics (oldest dropped first). Default 1000. */
  keep?: number;
}

const DEFAULT_KEEP = 1000;

/**
 * The email driver used when no SMTP_URL is configured: it sends nothing. It logs the message,
 * keeps it in memory for diagnostics, and reports it as sent with `simulated: true`, so the
 * follow-up engine behaves exactly as it would with a real server.
 * The provider id is derived from our message id, so a replay gives the same id.
 */
export class LogEmailDriver implements EmailDriver {
  readonly name = 'log' as const;
  private readonly log: DriverLogFn;
  private readonly keep: number;
  private readonly sentMessages: SimulatedEmail[] = [];

  constructor(options: LogDriverOptions = {}) {
    this.log = options.log ?? nestDriverLogger(LogEmailDriver.name);
    this.keep = Math.max(0, options.keep ?? DEFAULT_KEEP);
  }

  /** What this driver "sent", oldest first (at most `keep` entries). A copy: mutating it changes nothing. */
  get sent(): ReadonlyArray<SimulatedEmail> {
    return [...this.sentMessages];
  }

  async send(email: OutboundEmail): Promise<SendOutcome> {
    const providerId = `simulated-${email.messageId}`;
    const entry: SimulatedEmail = {
      providerId,
      at: new Date(),
      email: Object.freeze({ ...email, headers: email.headers ? { ...email.headers } : undefined }),
    };
    this.sentMessages.push(entry);
    if (this.sentMessages.length > this.keep) {
      this.sentMessages.splice(0, this.sentMessages.length - this.keep);
    }
    this.log('info', 'email not sent (log driver): recorded as simulated', {
      messageId: email.messageId,
      providerId,
      to: email.to,
      subject: email.subject,
      textLength: email.text.length,
      unsubscribeUrl: email.unsubscribeUrl,
    });
    return { kind: 'sent', providerId, status: 'simulated', simulated: true };
  }
}
