import { domainToASCII } from 'node:url';
import type { OutboundEmail } from '../drivers/driver.types';

/**
 * Email headers, built here and only here (the SMTP driver asks this module for every header it
 * sets; the log driver and the thread lookup use the same Message-ID and subject rules).
 *
 *   Message-ID   `<{our uuid}@{domain of the From address}>`; it is also the message's provider id,
 *                so a reply's In-Reply-To finds the message (and the person and lead) it answers.
 *   In-Reply-To  the latest of our Message-IDs in the thread (RFC 5322 3.6.4);
 *   References   the thread's Message-IDs, oldest first (the root kept when trimmed);
 *   Subject      "Re: " + the thread's first subject, once ("Re: Re:" never);
 *   List-Unsubscribe (+ -Post) the RFC 8058 one-click pair on automated mail.
 */

/** Headers the driver sets itself; the same names in `OutboundEmail.headers` are ignored. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'message-id',
  'in-reply-to',
  'references',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** At most this many ids in References: the root and the latest ones (RFC 5322 allows trimming). */
export const MAX_REFERENCES = 10;

/** The domain of an address, in ASCII (punycode for IDNs), or null when there is none. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const domain = at > 0 ? address.slice(at + 1).trim() : '';
  if (/^\[[0-9a-f:.]+\]$/i.test(domain)) {
    return domain;
  }
  const ascii = domain ? domainToASCII(domain) : '';
  return ascii && /^[a-z0-9.-]+$/.test(ascii) ? ascii : null;
}

/** Our Message-ID for a message row, `<uuid@from-domain>`, or null when From has no domain. */
export function messageIdHeader(messageId: string, fromAddress: string): string | null {
  const domain = domainOf(fromAddress);
  if (!domain) return null;
  // the id-left of a Message-ID is a dot-atom: keep our uuid as is, neutralise anything else
  const idLeft = messageId.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-');
  return `<${idLeft}@${domain}>`;
}

/** A Message-ID as we store and compare it: trimmed, in angle brackets. */
export function normalizeMessageId(raw: string): string {
  const t = raw.trim();
  return t.startsWith('<') ? t : `<${t}>`;
}

/** True for a `<left@right>` Message-ID (a log driver's `simulated-…` id is not one). */
export function isMessageId(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^<[^<>\s@]+@[^<>\s@]+>$/.test(value);
}

/** The Message-IDs of a References (or In-Reply-To) header value, in order. */
export function parseMessageIds(value: string | readonly string[] | null | undefined): string[] {
  if (!value) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  return text.match(/<[^<>\s]+>/g) ?? [];
}

/** "Re: " + the original subject, without stacking "Re:" prefixes. */
export function replySubject(original: string): string {
  const bare = original.replace(/^\s*((re|aw|sv)\s*:\s*)+/i, '').trim();
  return `Re: ${bare}`;
}

/**
 * The threading of a reply to `earlier` (our Message-IDs in the thread, oldest first), or
 * undefined when there is nothing to answer.
 */
export function threadHeaders(earlier: readonly string[]): { inReplyTo: string; references: string[] } | undefined {
  const ids = earlier.filter(isMessageId);
  if (ids.length === 0) return undefined;
  const references = ids.length <= MAX_REFERENCES ? [...ids] : [ids[0]!, ...ids.slice(ids.length - (MAX_REFERENCES - 1))];
  return { inReplyTo: ids[ids.length - 1]!, references };
}

/** Every header an outbound email carries besides From/To/Subject/Date and the body's own. */
export interface BuiltHeaders {
  messageId: string;
  inReplyTo?: string;
  references?: string;
  /** The other headers: List-Unsubscribe and the caller's own (reserved names dropped). */
  extra: Record<string, string>;
}

/** The one place an email's headers are assembled. */
export function buildEmailHeaders(email: OutboundEmail, messageId: string): BuiltHeaders {
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(email.headers ?? {})) {
    if (!RESERVED_HEADERS.has(key.toLowerCase()) && /^[!-9;-~]+$/.test(key)) {
      extra[key] = value.replace(/[\r\n]+/g, ' ');
    }
  }
  if (email.unsubscribeUrl) {
    extra['List-Unsubscribe'] = `<${email.unsubscribeUrl.replace(/[\s<>]/g, '')}>`;
    extra['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  const references = email.references && email.references.length > 0 ? email.references.filter(isMessageId) : email.inReplyTo ? [email.inReplyTo] : [];
  return {
    messageId,
    ...(email.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
    ...(references.length > 0 ? { references: references.join(' ') } : {}),
    extra,
  };
}
