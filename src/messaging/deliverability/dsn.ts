import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { parseMessageIds } from '../domain/email-headers';

/**
 * Delivery status notifications (RFC 3464): the `multipart/report; report-type=delivery-status`
 * bounce a mail server sends back to the From (or Return-Path) address. Parsed with mailparser:
 * the message, its `message/delivery-status` part (kept as a part with `keepDeliveryStatus`),
 * whose per-message and per-recipient field blocks are header blocks (parsed by mailparser too),
 * and the returned original's headers (`text/rfc822-headers` or `message/rfc822`) for our Message-ID.
 */
export interface DsnRecipient {
  address: string;
  /** failed | delayed | delivered | relayed | expanded */
  action: string;
  /** The enhanced status code, e.g. 5.1.1 (RFC 3463): 5.x.x permanent, 4.x.x transient. */
  status: string;
  diagnostic: string | null;
}

export interface DsnReport {
  /** The DSN's own Message-ID (its idempotency key). */
  messageId: string | null;
  /** Our Message-ID, from the returned original's headers. */
  originalMessageId: string | null;
  arrivalDate: Date | null;
  recipients: DsnRecipient[];
}

/** True when a parsed message is a delivery status report. */
export function isDeliveryReport(parsed: ParsedMail): boolean {
  const ct = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  return ct?.value?.toLowerCase() === 'multipart/report' && (ct.params?.['report-type'] ?? '').toLowerCase() === 'delivery-status';
}

/** Parses a raw message; null when it is not a DSN. */
export async function parseDsn(raw: string | Buffer): Promise<DsnReport | null> {
  const parsed = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  if (!isDeliveryReport(parsed)) return null;
  const status = parsed.attachments.find((a) => a.contentType === 'message/delivery-status' || a.contentType === 'message/global-delivery-status');
  if (!status) return null;
  const blocks = await fieldBlocks(status.content.toString('utf8'));
  const perMessage = blocks[0] ?? new Map<string, string>();
  const recipients: DsnRecipient[] = [];
  for (const block of blocks.slice(1)) {
    const address = addressOf(block.get('final-recipient') ?? block.get('original-recipient') ?? '');
    if (!address) continue;
    recipients.push({
      address,
      action: (block.get('action') ?? '').trim().toLowerCase(),
      status: (block.get('status') ?? '').trim().split(/\s/)[0] ?? '',
      diagnostic: block.get('diagnostic-code')?.replace(/^\s*smtp\s*;\s*/i, '').replace(/\s+/g, ' ').trim() ?? null,
    });
  }
  const original = parsed.attachments.find((a) => a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822');
  let originalMessageId: string | null = null;
  if (original) {
    const headers = await simpleParser(original.content);
    originalMessageId = headers.messageId ? (parseMessageIds(headers.messageId)[0] ?? null) : null;
  }
  const arrival = perMessage.get('arrival-date');
  const arrivalDate = arrival ? new Date(arrival.replace(/\s*\([^)]*\)\s*$/, '')) : null;
  return {
    messageId: parsed.messageId ?? null,
    originalMessageId,
    arrivalDate: arrivalDate && !Number.isNaN(arrivalDate.getTime()) ? arrivalDate : null,
    recipients,
  };
}

/** The field blocks of a delivery-status body (blank-line separated header blocks), each parsed by mailparser. */
async function fieldBlocks(body: string): Promise<Map<string, string>[]> {
  const out: Map<string, string>[] = [];
  let rest = body.replace(/^\s+/, '');
  for (let i = 0; i < 100 && rest.trim() !== ''; i++) {
    const parsed = await simpleParser(rest, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
    const block = new Map<string, string>();
    for (const { key, line } of parsed.headerLines) block.set(key.toLowerCase(), line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
    if (block.size === 0) break;
    out.push(block);
    rest = (parsed.text ?? '').replace(/^\s+/, '');
  }
  return out;
}

/** `rfc822; jane@example.com` → `jane@example.com`. */
function addressOf(field: string): string | null {
  const value = field.includes(';') ? field.slice(field.indexOf(';') + 1) : field;
  const a = value.trim().replace(/^<|>$/g, '');
  return a.includes('@') ? a : null;
}

/** What a DSN recipient's action and status mean for us. */
export function dsnKind(r: DsnRecipient): 'hard_bounce' | 'soft_bounce' | 'delivered' | null {
  if (r.action === 'failed') return r.status.startsWith('4') ? 'soft_bounce' : 'hard_bounce';
  if (r.action === 'delayed') return 'soft_bounce';
  if (r.action === 'delivered' || r.action === 'relayed') return 'delivered';
  return null;
}
