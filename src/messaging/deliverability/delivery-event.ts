/**
 * A delivery event in Touchpoint's own terms: what every provider adapter (SendGrid, SES,
 * Postmark, the generic JSON, a DSN) turns its provider's notification into.
 */
export const EMAIL_EVENT_PROVIDERS = ['generic', 'sendgrid', 'ses', 'postmark', 'dsn'] as const;
export type EmailEventProvider = (typeof EMAIL_EVENT_PROVIDERS)[number];

export const EMAIL_DELIVERY_KINDS = ['delivered', 'hard_bounce', 'soft_bounce', 'complaint'] as const;
export type EmailDeliveryKind = (typeof EMAIL_DELIVERY_KINDS)[number];

export interface EmailDeliveryEvent {
  provider: EmailEventProvider;
  /** The provider's id of this event (replays carry the same one): the idempotency key. */
  providerEventId: string;
  kind: EmailDeliveryKind;
  /** The recipient address the event is about. */
  address: string;
  /** Our message, when the provider echoes it: our uuid, or our Message-ID `<uuid@domain>`. */
  messageRef?: string | null;
  /** The remote server's words (SMTP status, diagnostic code), for the recruiter. */
  diagnostic?: string | null;
  occurredAt: Date;
}

/** Soft bounces escalate to undeliverable after this many within SOFT_BOUNCE_WINDOW_HOURS. */
export const SOFT_BOUNCE_LIMIT = 3;
export const SOFT_BOUNCE_WINDOW_HOURS = 72;
