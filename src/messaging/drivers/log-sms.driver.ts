import type { OutboundSms, SendOutcome, SmsDriver } from './driver.types';
import { nestDriverLogger, type DriverLogFn, type LogDriverOptions } from './log-email.driver';

/** What the log SMS driver keeps: the message without the account's auth token. */
export interface SimulatedSms {
  readonly providerId: string;
  readonly at: Date;
  readonly messageId: string;
  readonly to: string;
  readonly body: string;
  readonly accountSid: string;
  readonly messagingServiceSid?: string;
  readonly from?: string;
  readonly statusCallbackUrl?: string;
}

const DEFAULT_KEEP = 1000;

/**
 * The SMS driver used when Twilio is not configured: it sends nothing. It logs the message, keeps
 * it in memory for diagnostics (never the auth token), and reports it as sent with
 * `simulated: true`. The provider id is derived from our message id, so a replay gives the same id.
 */
export class LogSmsDriver implements SmsDriver {
  readonly name = 'log' as const;
  private readonly log: DriverLogFn;
  private readonly keep: number;
  private readonly sentMessages: SimulatedSms[] = [];

  constructor(options: LogDriverOptions = {}) {
    this.log = options.log ?? nestDriverLogger(LogSmsDriver.name);
    this.keep = Math.max(0, options.keep ?? DEFAULT_KEEP);
  }

  /** What this driver "sent", oldest first (at most `keep` entries). A copy: mutating it changes nothing. */
  get sent(): ReadonlyArray<SimulatedSms> {
    return [...this.sentMessages];
  }

  async send(sms: OutboundSms): Promise<SendOutcome> {
    const providerId = `simulated-${sms.messageId}`;
    const entry: SimulatedSms = Object.freeze({
      providerId,
      at: new Date(),
      messageId: sms.messageId,
      to: sms.to,
      body: sms.body,
      accountSid: sms.account.accountSid,
      messagingServiceSid: sms.account.messagingServiceSid,
      from: sms.account.from,
      statusCallbackUrl: sms.statusCallbackUrl,
    });
    this.sentMessages.push(entry);
    if (this.sentMessages.length > this.keep) {
      this.sentMessages.splice(0, this.sentMessages.length - this.keep);
    }
    this.log('info', 'SMS not sent (log driver): recorded as simulated', {
      messageId: sms.messageId,
      providerId,
      to: sms.to,
      accountSid: sms.account.accountSid,
      sender: sms.account.messagingServiceSid ?? sms.account.from,
      bodyLength: sms.body.length,
    });
    return { kind: 'sent', providerId, status: 'simulated', simulated: true };
  }
}
