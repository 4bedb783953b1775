/**
 * The two small interfaces through which the follow-up engine (and one-off messages) reach the
 * outside world. Implementations: `smtp` and `log` for email, `twilio` and `log` for SMS.
 * A driver never throws for a provider's answer: it classifies it into a SendOutcome, which the
 * dispatcher turns into sent / retry / failed / unknown. It throws only on programming errors.
 */
export interface OutboundEmail {
  /** Our own message id (uuid); drivers may use it to build the Message-ID. */
  messageId: string;
  to: string;
  toName?: string;
  from: string;
  fromName?: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** Threads a reply: the Message-ID this email answers. */
  inReplyTo?: string;
  /** The thread's Message-IDs, oldest first (References); defaults to `inReplyTo` alone. */
  references?: string[];
  /** An iCalendar invite (text/calendar; method=…), e.g. an interview's (domain/calendar-invite.ts). */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
  /** RFC 8058 one-click unsubscribe URL. Required on automated email. */
  unsubscribeUrl?: string;
  headers?: Record<string, string>;
}

/** The Twilio account to send through: the tenant's own, or the platform default. */
export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  messagingServiceSid?: string;
  from?: string;
}

export interface OutboundSms {
  messageId: string;
  to: string;
  body: string;
  account: TwilioAccount;
  /** Absolute URL Twilio posts status callbacks to; it carries our message id. */
  statusCallbackUrl?: string;
}

export type SendOutcome =
  | {
      kind: 'sent';
      /** Twilio SID or SMTP Message-ID. */
      providerId: string;
      /** Provider's initial status (`queued`, `accepted`, `sent`) or `simulated` for log drivers. */
      status: string;
      simulated: boolean;
    }
  | { kind: 'retryable'; code?: string; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; code?: string; reason: string }
  | { kind: 'unknown'; code?: string; reason: string };

export interface EmailDriver {
  readonly name: 'smtp' | 'log';
  send(email: OutboundEmail): Promise<SendOutcome>;
}

export interface SmsDriver {
  readonly name: 'twilio' | 'log';
  send(sms: OutboundSms): Promise<SendOutcome>;
}

export const EMAIL_DRIVER = Symbol('EMAIL_DRIVER');
export const SMS_DRIVER = Symbol('SMS_DRIVER');
