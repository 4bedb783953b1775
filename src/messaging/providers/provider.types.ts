import type { IncomingHttpHeaders } from 'node:http';
import type { EmailDeliveryEvent } from '../deliverability/delivery-event';
import type { WebhookTenant } from '../senders/senders.service';

/**
 * The one interface behind which each mail provider's webhooks are adapted (issue 16): SendGrid
 * (Event Webhook, Inbound Parse), Amazon SES through SNS, Postmark. An adapter checks the
 * provider's own authentication the way the provider documents it, then turns its payload into
 * delivery events and inbound mails in Touchpoint's terms. It writes nothing: the controller
 * records the result only when the whole post was understood (bad input: a 400, nothing written).
 * Touchpoint's own JSON (/v1/webhooks/email/:key/inbound and /events) stays the generic option.
 */
export interface ProviderPost {
  headers: IncomingHttpHeaders;
  /** As parsed by the app: JSON, a string (text/plain), or a Buffer (multipart/form-data). */
  body: unknown;
  /** The exact bytes received (JSON bodies), for signatures over the payload. */
  rawBody: Buffer | undefined;
  /** The `:secret` path segment, where the provider offers no authentication of its own. */
  urlSecret: string | undefined;
}

/** An inbound email as a provider delivers it: the whole MIME message, or its fields. */
export interface InboundMail {
  raw?: string;
  from?: string;
  to?: string;
  subject?: string;
  text?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
}

export interface ProviderResult {
  events: EmailDeliveryEvent[];
  inbound: InboundMail[];
  /** SNS SubscriptionConfirmation: the URL to visit to confirm the subscription. */
  subscribeUrl?: string;
}

export interface EmailProviderAdapter {
  /** The route segment and the provider recorded on the events. */
  readonly name: 'sendgrid-events' | 'sendgrid-inbound' | 'ses' | 'postmark';
  /** Throws 401 when the provider's credentials are absent: checked before the firm is looked up. */
  requireCredentials(post: ProviderPost): void;
  /** Throws 403 (wrong) or 400 (unreadable) unless the request is the provider's, for this firm. */
  authenticate(post: ProviderPost, tenant: WebhookTenant): Promise<void>;
  /** The payload in Touchpoint's terms; throws a 400 naming the problem. */
  parse(post: ProviderPost): Promise<ProviderResult>;
}
