import type { EmailDeliveryEvent, EmailDeliveryKind } from '../deliverability/delivery-event';
import type { WebhookTenant } from '../senders/senders.service';
import { badPayload, checkBasicAuth, date, optStr, requireBasicAuth, str } from './provider-auth';
import type { EmailProviderAdapter, InboundMail, ProviderPost, ProviderResult } from './provider.types';

/** Postmark bounce Types (https://postmarkapp.com/developer/api/bounce-api#bounce-types) and what they mean here. */
const HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated', 'Unsubscribe']);
const SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'Blocked', 'SMTPApiError']);

/**
 * Postmark: the Bounce, SpamComplaint and Delivery webhooks and the inbound webhook, one JSON
 * object each, authenticated by HTTP basic auth in the URL Postmark is given
 * (https://touchpoint:<secret>@…): the password is the firm's inbound-email secret.
 *
 *   RecordType Bounce: Type HardBounce / BadEmailAddress / … → hard; SoftBounce / Transient / DnsError / Blocked → soft;
 *                      SpamComplaint → complaint; others (AutoResponder, …) ignored
 *   RecordType SpamComplaint → complaint;  RecordType Delivery → delivered
 *   no RecordType, FromFull and MessageID present → an inbound email (its Message-ID from Headers)
 * Idempotency: Postmark's ID of the bounce (or MessageID + record type).
 */
export class PostmarkAdapter implements EmailProviderAdapter {
  readonly name = 'postmark' as const;

  requireCredentials(post: ProviderPost): void {
    requireBasicAuth(post.headers['authorization']);
  }

  authenticate(post: ProviderPost, tenant: WebhookTenant): Promise<void> {
    checkBasicAuth(post.headers['authorization'], tenant);
    return Promise.resolve();
  }

  parse(post: ProviderPost): Promise<ProviderResult> {
    const b = post.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b) || Buffer.isBuffer(b)) throw badPayload('body', 'must be the JSON object Postmark posts');
    const o = b as Record<string, unknown>;
    const recordType = o['RecordType'];
    if (recordType === undefined || recordType === 'Inbound') return Promise.resolve({ events: [], inbound: [inbound(o)] });
    const type = str(recordType, 'RecordType', 50);
    const events: EmailDeliveryEvent[] = [];
    if (type === 'Bounce' || type === 'SpamComplaint') {
      const bounceType = str(o['Type'], 'Type', 50);
      const kind: EmailDeliveryKind | null = type === 'SpamComplaint' || bounceType === 'SpamComplaint' ? 'complaint' : HARD.has(bounceType) ? 'hard_bounce' : SOFT.has(bounceType) ? 'soft_bounce' : null;
      const id = o['ID'];
      if (typeof id !== 'number' && typeof id !== 'string') throw badPayload('ID', 'is required');
      if (kind) {
        events.push({
          provider: 'postmark',
          providerEventId: `${type}:${String(id)}`,
          kind,
          address: str(o['Email'], 'Email', 320),
          messageRef: null,
          diagnostic: [optStr(o['Description'], 'Description', 1000), optStr(o['Details'], 'Details', 1000)].filter(Boolean).join(' ') || bounceType,
          occurredAt: date(o['BouncedAt'], 'BouncedAt'),
        });
      }
    } else if (type === 'Delivery') {
      events.push({
        provider: 'postmark',
        providerEventId: `Delivery:${str(o['MessageID'], 'MessageID', 200)}:${str(o['Recipient'], 'Recipient', 320).toLowerCase()}`,
        kind: 'delivered',
        address: str(o['Recipient'], 'Recipient', 320),
        messageRef: null,
        diagnostic: null,
        occurredAt: date(o['DeliveredAt'], 'DeliveredAt'),
      });
    }
    return Promise.resolve({ events, inbound: [] });
  }
}

function inbound(o: Record<string, unknown>): InboundMail {
  const fromFull = o['FromFull'] as { Email?: unknown; Name?: unknown } | undefined;
  const email = str(fromFull?.Email ?? o['From'], 'FromFull.Email', 320);
  const name = typeof fromFull?.Name === 'string' && fromFull.Name ? fromFull.Name : undefined;
  const headers = Array.isArray(o['Headers']) ? (o['Headers'] as { Name?: unknown; Value?: unknown }[]) : [];
  const h = (n: string): string | undefined => {
    const v = headers.find((x) => typeof x.Name === 'string' && x.Name.toLowerCase() === n)?.Value;
    return typeof v === 'string' && v ? v : undefined;
  };
  const postmarkId = str(o['MessageID'], 'MessageID', 200);
  return {
    from: name ? `${name} <${email}>` : email,
    to: optStr(o['To'], 'To', 2000),
    subject: optStr(o['Subject'], 'Subject', 1000),
    text: optStr(o['StrippedTextReply'], 'StrippedTextReply', 200_000) ?? optStr(o['TextBody'], 'TextBody', 200_000),
    messageId: h('message-id') ?? `<${postmarkId}@inbound.postmarkapp.com>`,
    inReplyTo: h('in-reply-to'),
    references: h('references'),
  };
}
