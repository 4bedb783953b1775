import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AppException, ErrorCode } from '../../common/app.exception';
import type { EmailDeliveryEvent, EmailDeliveryKind } from '../deliverability/delivery-event';
import type { WebhookTenant } from '../senders/senders.service';
import { badPayload, checkUrlSecret, date, optStr, requireUrlSecret, str } from './provider-auth';
import type { EmailProviderAdapter, InboundMail, ProviderPost, ProviderResult } from './provider.types';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';
/** SendGrid posts at most this many events at once (it batches); more is not SendGrid. */
const MAX_EVENTS = 1000;

/** SendGrid's verification key (base64 DER SubjectPublicKeyInfo, ECDSA P-256), or null. */
export function parseSendgridPublicKey(base64: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(base64.trim(), 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}

/**
 * SendGrid Event Webhook (Signed Event Webhook): a JSON array of events, signed with ECDSA P-256
 * over the timestamp header followed by the exact body bytes; the signature (base64 DER) in
 * X-Twilio-Email-Event-Webhook-Signature, checked with the firm's verification key.
 *
 *   delivered                 → delivered
 *   bounce (type "bounce")    → hard bounce;  bounce (type "blocked") → soft bounce
 *   dropped "Bounced Address" / "Invalid" → hard bounce; dropped "Spam Reporting Address" → complaint
 *   spamreport                → complaint
 *   deferred, open, click, …  → ignored (SendGrid itself retries a deferral for 72 h, then reports a bounce)
 * The idempotency key is sg_event_id; smtp-id (the Message-ID we sent) finds our message.
 */
export class SendgridEventsAdapter implements EmailProviderAdapter {
  readonly name = 'sendgrid-events' as const;

  requireCredentials(post: ProviderPost): void {
    if (!header(post, SENDGRID_SIGNATURE_HEADER) || !header(post, SENDGRID_TIMESTAMP_HEADER)) {
      throw new AppException(ErrorCode.Unauthenticated, 'Missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp header');
    }
  }

  authenticate(post: ProviderPost, tenant: WebhookTenant): Promise<void> {
    const signature = header(post, SENDGRID_SIGNATURE_HEADER)!;
    const timestamp = header(post, SENDGRID_TIMESTAMP_HEADER)!;
    const key = tenant.sendgridWebhookPublicKey ? parseSendgridPublicKey(tenant.sendgridWebhookPublicKey) : null;
    if (!key) throw new AppException(ErrorCode.Forbidden, 'No SendGrid verification key is set for this firm (sendgridWebhookPublicKey in /v1/settings/senders)');
    if (!post.rawBody) throw badPayload('body', 'must be the JSON array SendGrid posts');
    const ok = verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), post.rawBody]), key, Buffer.from(signature, 'base64'));
    if (!ok) throw new AppException(ErrorCode.Forbidden, 'Invalid X-Twilio-Email-Event-Webhook-Signature');
    return Promise.resolve();
  }

  parse(post: ProviderPost): Promise<ProviderResult> {
    if (!Array.isArray(post.body)) throw badPayload('body', 'must be a JSON array of events');
    if (post.body.length > MAX_EVENTS) throw badPayload('body', `must hold at most ${MAX_EVENTS} events`);
    const events: EmailDeliveryEvent[] = [];
    post.body.forEach((raw: unknown, i) => {
      if (typeof raw !== 'object' || raw === null) throw badPayload(`[${i}]`, 'must be an object');
      const e = raw as Record<string, unknown>;
      const type = str(e['event'], `[${i}].event`, 50);
      const kind = sendgridKind(type, e);
      if (!kind) return;
      events.push({
        provider: 'sendgrid',
        providerEventId: str(e['sg_event_id'], `[${i}].sg_event_id`, 200),
        kind,
        address: str(e['email'], `[${i}].email`, 320),
        messageRef: optStr(e['smtp-id'], `[${i}].smtp-id`, 998) ?? null,
        diagnostic: [optStr(e['status'], `[${i}].status`, 50), optStr(e['reason'], `[${i}].reason`, 1000)].filter(Boolean).join(' ') || null,
        occurredAt: date(e['timestamp'], `[${i}].timestamp`),
      });
    });
    return Promise.resolve({ events, inbound: [] });
  }
}

function sendgridKind(event: string, e: Record<string, unknown>): EmailDeliveryKind | null {
  switch (event) {
    case 'delivered':
      return 'delivered';
    case 'bounce':
      return e['type'] === 'blocked' ? 'soft_bounce' : 'hard_bounce';
    case 'spamreport':
      return 'complaint';
    case 'dropped': {
      const reason = typeof e['reason'] === 'string' ? e['reason'] : '';
      if (/spam reporting/i.test(reason)) return 'complaint';
      return /bounced address|invalid/i.test(reason) ? 'hard_bounce' : null;
    }
    default:
      return null;
  }
}

/**
 * SendGrid Inbound Parse: multipart/form-data, either the parsed fields (headers, from, to,
 * subject, text, …) or, with "POST the raw, full MIME message", the message in `email`.
 * SendGrid signs nothing here: the firm's secret is the URL's last segment.
 */
export class SendgridInboundAdapter implements EmailProviderAdapter {
  readonly name = 'sendgrid-inbound' as const;

  requireCredentials(post: ProviderPost): void {
    requireUrlSecret(post.urlSecret);
  }

  authenticate(post: ProviderPost, tenant: WebhookTenant): Promise<void> {
    checkUrlSecret(post.urlSecret, tenant);
    return Promise.resolve();
  }

  async parse(post: ProviderPost): Promise<ProviderResult> {
    const type = header(post, 'content-type') ?? '';
    if (!Buffer.isBuffer(post.body) || !/^multipart\/form-data/i.test(type)) throw badPayload('body', 'must be multipart/form-data as SendGrid Inbound Parse posts it');
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(post.body), { headers: { 'content-type': type } }).formData();
    } catch {
      throw badPayload('body', 'is not readable multipart/form-data');
    }
    const field = (name: string): string | undefined => {
      const v = form.get(name);
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const raw = field('email');
    if (raw) return { events: [], inbound: [{ raw }] };
    const headers = field('headers');
    const from = field('from');
    if (!headers || !from) throw badPayload(headers ? 'from' : 'headers', 'is required (or post the raw MIME message in email)');
    // The original headers, read by the same MIME parser as everything else: Message-ID and threading.
    const mail: InboundMail = { raw: `${headers.replace(/\r?\n/g, '\r\n').replace(/(\r\n)*$/, '')}\r\n\r\n` };
    return { events: [], inbound: [{ ...mail, from, to: field('to'), subject: field('subject'), text: field('text') }] };
  }
}

function header(post: ProviderPost, name: string): string | undefined {
  const v = post.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}
