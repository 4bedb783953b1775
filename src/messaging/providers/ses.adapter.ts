import { createVerify } from 'node:crypto';
import { AppException, ErrorCode } from '../../common/app.exception';
import type { EmailDeliveryEvent } from '../deliverability/delivery-event';
import type { WebhookTenant } from '../senders/senders.service';
import { badPayload, checkUrlSecret, date, optStr, requireUrlSecret, str } from './provider-auth';
import type { EmailProviderAdapter, ProviderPost, ProviderResult } from './provider.types';

const SNS_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
type SnsType = (typeof SNS_TYPES)[number];

/** An SNS message as posted (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html). */
interface SnsMessage {
  Type: SnsType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
}

/**
 * Amazon SES notifications through SNS. SNS signs each message (SignatureVersion 1: SHA1withRSA,
 * 2: SHA256withRSA) over its fields in a documented order, with the certificate at
 * SigningCertURL; the certificate is fetched only from a URL matching SNS_URL_PATTERN (AWS's own
 * hosts by default) and kept in memory. A SubscriptionConfirmation is confirmed by visiting its
 * SubscribeURL (same pattern). The SNS signature proves the sender is SNS, not whose topic it
 * is: the firm's secret is also required as the URL's last segment.
 *
 * SES notification (notificationType, or eventType for configuration-set events):
 *   Bounce Permanent → hard bounce; Transient/Undetermined → soft bounce (each bounced recipient)
 *   Complaint → complaint (each complained recipient);  Delivery → delivered
 * Idempotency: the SNS MessageId (+ the recipient); our message by the sent Message-ID header.
 */
export class SesAdapter implements EmailProviderAdapter {
  readonly name = 'ses' as const;
  private readonly certs = new Map<string, Promise<string>>();

  constructor(
    private readonly urlPattern: RegExp,
    private readonly fetchTimeoutMs = 5000,
  ) {}

  requireCredentials(post: ProviderPost): void {
    requireUrlSecret(post.urlSecret);
  }

  async authenticate(post: ProviderPost, tenant: WebhookTenant): Promise<void> {
    checkUrlSecret(post.urlSecret, tenant);
    const m = snsMessage(post.body);
    if (!this.urlPattern.test(m.SigningCertURL)) throw new AppException(ErrorCode.Forbidden, 'SigningCertURL is not an Amazon SNS certificate URL');
    const cert = await this.cert(m.SigningCertURL);
    const verifier = createVerify(m.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1');
    verifier.update(stringToSign(m), 'utf8');
    let ok = false;
    try {
      ok = verifier.verify(cert, m.Signature, 'base64');
    } catch {
      ok = false;
    }
    if (!ok) throw new AppException(ErrorCode.Forbidden, 'Invalid SNS signature');
  }

  parse(post: ProviderPost): Promise<ProviderResult> {
    const m = snsMessage(post.body);
    if (m.Type === 'SubscriptionConfirmation') {
      const url = str(m.SubscribeURL, 'SubscribeURL', 2000);
      if (!this.urlPattern.test(url)) throw badPayload('SubscribeURL', 'is not an Amazon SNS URL');
      return Promise.resolve({ events: [], inbound: [], subscribeUrl: url });
    }
    if (m.Type === 'UnsubscribeConfirmation') return Promise.resolve({ events: [], inbound: [] });
    let n: Record<string, unknown>;
    try {
      n = JSON.parse(m.Message) as Record<string, unknown>;
    } catch {
      throw badPayload('Message', 'must be an SES notification (JSON)');
    }
    if (typeof n !== 'object' || n === null) throw badPayload('Message', 'must be an SES notification (JSON)');
    const type = str(n['notificationType'] ?? n['eventType'], 'Message.notificationType', 50);
    const mail = (n['mail'] ?? {}) as Record<string, unknown>;
    const messageRef = sentMessageId(mail);
    const events: EmailDeliveryEvent[] = [];
    const id = (address: string): string => `${m.MessageId}:${address.toLowerCase()}`;
    if (type === 'Bounce') {
      const b = object(n['bounce'], 'Message.bounce');
      const hard = b['bounceType'] === 'Permanent';
      for (const [i, r] of array(b['bouncedRecipients'], 'Message.bounce.bouncedRecipients').entries()) {
        const address = str(r['emailAddress'], `Message.bounce.bouncedRecipients[${i}].emailAddress`, 320);
        const diagnostic = [optStr(r['status'], 'status', 50), optStr(r['diagnosticCode'], 'diagnosticCode', 1000)?.replace(/^smtp;\s*/i, '')].filter(Boolean).join(' ');
        events.push({ provider: 'ses', providerEventId: id(address), kind: hard ? 'hard_bounce' : 'soft_bounce', address, messageRef, diagnostic: diagnostic || `${String(b['bounceType'])}/${String(b['bounceSubType'])}`, occurredAt: date(b['timestamp'], 'Message.bounce.timestamp') });
      }
    } else if (type === 'Complaint') {
      const c = object(n['complaint'], 'Message.complaint');
      for (const [i, r] of array(c['complainedRecipients'], 'Message.complaint.complainedRecipients').entries()) {
        const address = str(r['emailAddress'], `Message.complaint.complainedRecipients[${i}].emailAddress`, 320);
        events.push({ provider: 'ses', providerEventId: id(address), kind: 'complaint', address, messageRef, diagnostic: optStr(c['complaintFeedbackType'], 'complaintFeedbackType', 100) ?? null, occurredAt: date(c['timestamp'], 'Message.complaint.timestamp') });
      }
    } else if (type === 'Delivery') {
      const d = object(n['delivery'], 'Message.delivery');
      for (const [i, r] of (Array.isArray(d['recipients']) ? d['recipients'] : []).entries()) {
        const address = str(r, `Message.delivery.recipients[${i}]`, 320);
        events.push({ provider: 'ses', providerEventId: id(address), kind: 'delivered', address, messageRef, diagnostic: null, occurredAt: date(d['timestamp'], 'Message.delivery.timestamp') });
      }
    }
    return Promise.resolve({ events, inbound: [] });
  }

  /** The signing certificate (PEM), fetched once per URL. */
  private cert(url: string): Promise<string> {
    let pending = this.certs.get(url);
    if (!pending) {
      pending = fetch(url, { signal: AbortSignal.timeout(this.fetchTimeoutMs), redirect: 'error' }).then(async (res) => {
        const text = await res.text();
        if (!res.ok || !text.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`certificate fetch answered ${res.status}`);
        return text;
      });
      pending.catch(() => this.certs.delete(url));
      this.certs.set(url, pending);
    }
    return pending.catch(() => {
      // Unavailable (503): SNS retries, and the next attempt fetches again.
      throw new AppException(ErrorCode.Unavailable, 'The SNS signing certificate could not be fetched');
    });
  }
}

/** Visits an SNS SubscribeURL (the subscription is confirmed when SNS answers 200). */
export async function confirmSnsSubscription(url: string, timeoutMs = 5000): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) throw new AppException(ErrorCode.Unavailable, `SNS answered ${res.status} to the subscription confirmation`);
}

function snsMessage(body: unknown): SnsMessage {
  let m: unknown = body;
  if (typeof body === 'string') {
    try {
      m = JSON.parse(body);
    } catch {
      throw badPayload('body', 'must be the JSON SNS posts');
    }
  } else if (Buffer.isBuffer(body)) {
    throw badPayload('body', 'must be the JSON SNS posts');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw badPayload('body', 'must be the JSON SNS posts');
  const o = m as Record<string, unknown>;
  const type = str(o['Type'], 'Type', 50);
  if (!(SNS_TYPES as readonly string[]).includes(type)) throw badPayload('Type', `must be one of ${SNS_TYPES.join(', ')}`);
  const version = str(o['SignatureVersion'], 'SignatureVersion', 2);
  if (version !== '1' && version !== '2') throw badPayload('SignatureVersion', 'must be 1 or 2');
  return {
    Type: type as SnsType,
    MessageId: str(o['MessageId'], 'MessageId', 200),
    TopicArn: str(o['TopicArn'], 'TopicArn', 500),
    Message: str(o['Message'], 'Message', 1_000_000),
    Timestamp: str(o['Timestamp'], 'Timestamp', 50),
    SignatureVersion: version,
    Signature: str(o['Signature'], 'Signature', 2000),
    SigningCertURL: str(o['SigningCertURL'], 'SigningCertURL', 2000),
    ...(o['Subject'] !== undefined && o['Subject'] !== null ? { Subject: str(o['Subject'], 'Subject', 1000) } : {}),
    ...(type !== 'Notification' ? { Token: str(o['Token'], 'Token', 2000), SubscribeURL: str(o['SubscribeURL'], 'SubscribeURL', 2000) } : {}),
  };
}

/** The canonical string SNS signs (the fields in this order, each "Name\nvalue\n"). */
export function stringToSign(m: SnsMessage): string {
  const fields: (keyof SnsMessage)[] =
    m.Type === 'Notification' ? ['Message', 'MessageId', ...(m.Subject !== undefined ? (['Subject'] as const) : []), 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields.map((f) => `${f}\n${String(m[f])}\n`).join('');
}

/** The Message-ID we sent: the original header when SES kept it, else commonHeaders.messageId. */
function sentMessageId(mail: Record<string, unknown>): string | null {
  const headers = Array.isArray(mail['headers']) ? (mail['headers'] as { name?: unknown; value?: unknown }[]) : [];
  const h = headers.find((x) => typeof x.name === 'string' && x.name.toLowerCase() === 'message-id');
  if (typeof h?.value === 'string') return h.value;
  const common = mail['commonHeaders'] as Record<string, unknown> | undefined;
  return typeof common?.['messageId'] === 'string' ? common['messageId'] : null;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badPayload(field, 'must be an object');
  return v as Record<string, unknown>;
}

function array(v: unknown, field: string): Record<string, unknown>[] {
  if (!Array.isArray(v) || v.length === 0) throw badPayload(field, 'must be a non-empty array');
  return v.map((x, i) => object(x, `${field}[${i}]`));
}
