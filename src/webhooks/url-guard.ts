import { isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * SSRF protection for webhook URLs. In production a URL must be https and every address its
 * host resolves to must be global unicast: IPv4 outside every special-purpose range (loopback,
 * private, link-local 169.254.169.254 the cloud metadata service, CGNAT, documentation, reserved,
 * multicast…), IPv6 inside 2000::/3 and outside every special-purpose range there (6to4 2002::/16,
 * Teredo, documentation, ORCHID, the IETF assignments 2001::/23…). Everything else is refused,
 * which closes the IPv4-in-IPv6 forms (`::7f00:1`, `::ffff:0:7f00:1`, `::ffff:7f00:1`,
 * `64:ff9b::7f00:1`, `2002:7f00:1::`) as a class rather than one by one. The ranges come from
 * ipaddr.js (the IANA special-purpose registries; Fastify's proxy-addr uses it too), not from
 * hand-written parsing. The check runs when a subscription is created or changed AND when each
 * delivery connects (the address is checked in the socket's own lookup, so a DNS answer that
 * changes in between — rebinding — cannot slip a private address in). Development and test allow
 * http and any address, so tests can run a receiver on localhost.
 */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** True when `address` (an IP literal) is not a global unicast address. */
export function isBlockedAddress(address: string): boolean {
  if (isIP(address) === 0) return true; // not an IP literal: refuse rather than guess
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return true;
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).zoneId !== undefined) return true;
  if (parsed.range() !== 'unicast') return true;
  return parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(GLOBAL_UNICAST_V6);
}

export class UnsafeWebhookUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeWebhookUrlError';
  }
}

/** The host of a URL as an IP literal (brackets removed), or undefined for a name. */
function ipLiteral(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) ? bare : undefined;
}

/**
 * Syntax and scheme (and, in production, the resolved addresses) of a webhook URL. Throws
 * UnsafeWebhookUrlError with a message fit for the user.
 */
export async function assertSafeWebhookUrl(raw: string, production: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeWebhookUrlError('must be an absolute URL');
  }
  if (url.username || url.password) throw new UnsafeWebhookUrlError('must not contain credentials');
  if (production ? url.protocol !== 'https:' : !['http:', 'https:'].includes(url.protocol)) {
    throw new UnsafeWebhookUrlError(production ? 'must use https' : 'must use http or https');
  }
  if (!production) return url;
  const literal = ipLiteral(url.hostname);
  const addresses = literal ? [literal] : await resolveAll(url.hostname);
  const bad = addresses.find(isBlockedAddress);
  if (bad !== undefined) throw new UnsafeWebhookUrlError(`resolves to a private, loopback or reserved address (${bad})`);
  return url;
}

async function resolveAll(host: string): Promise<string[]> {
  const answers = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  ).catch(() => {
    throw new UnsafeWebhookUrlError(`host ${host} does not resolve`);
  });
  if (answers.length === 0) throw new UnsafeWebhookUrlError(`host ${host} does not resolve`);
  return answers.map((a) => a.address);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A socket `lookup` for the delivery request: resolves all addresses and refuses the connection
 * when any is blocked. Because the socket connects to the address this returns, the address
 * checked is the address used (no time-of-check/time-of-use gap for DNS rebinding).
 */
export function guardedLookup(hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad || addresses.length === 0) {
      const e: NodeJS.ErrnoException = new UnsafeWebhookUrlError(`${hostname} resolves to a blocked address${bad ? ` (${bad.address})` : ''}`);
      e.code = 'EBLOCKED';
      return callback(e, '');
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}
