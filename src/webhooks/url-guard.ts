import { BlockList, isIP } from 'node:net';
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
 *
 * WEBHOOK_ALLOWED_CIDRS (off by default) lets chosen private ranges through in production, for
 * an on-premise ATS at 10.x or 192.168.x: an address inside one of them is allowed, unless it is
 * one no allowlist can open (NEVER: link-local, where the cloud metadata services live,
 * 169.254.169.254 and fd00:ec2::254; unspecified; multicast; broadcast).
 */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

const NEVER = new BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4'); // unspecified, "this network"
NEVER.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, cloud metadata
NEVER.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
NEVER.addSubnet('240.0.0.0', 4, 'ipv4'); // reserved, broadcast
NEVER.addAddress('::', 'ipv6'); // unspecified
NEVER.addSubnet('fe80::', 10, 'ipv6'); // link-local
NEVER.addAddress('fd00:ec2::254', 'ipv6'); // the AWS metadata service over IPv6 (inside fc00::/7)
NEVER.addSubnet('ff00::', 8, 'ipv6'); // multicast

/** CIDR ranges let through in production (WEBHOOK_ALLOWED_CIDRS); NEVER ranges stay closed. */
export class AllowedRanges {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (!parsed) throw new Error(`not a CIDR range: ${cidr}`);
      this.list.addSubnet(parsed.network, parsed.prefix, parsed.family);
    }
    this.size = cidrs.length;
  }

  /** True when `address` is inside an allowed range and in no NEVER range. */
  allows(address: string): boolean {
    if (this.size === 0) return false;
    const family = isIP(address);
    const v4 = family === 6 ? embeddedIpv4(address) : undefined;
    const [ip, type] = v4 !== undefined ? [v4, 'ipv4' as const] : family === 4 ? [address, 'ipv4' as const] : family === 6 ? [address, 'ipv6' as const] : [undefined, undefined];
    if (!ip || !type) return false;
    return !NEVER.check(ip, type) && this.list.check(ip, type);
  }
}

/** `10.0.0.0/8` or `fd12:3456::/48` (a bare address is a /32 or /128); undefined when malformed. */
export function parseCidr(cidr: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [network = '', prefixText, extra] = cidr.trim().split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(network);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export const NO_ALLOWED_RANGES = new AllowedRanges([]);

const rangesByConfig = new WeakMap<object, AllowedRanges>();

/** The configuration's WEBHOOK_ALLOWED_CIDRS, parsed once per configuration. */
export function allowedRanges(config: { webhooks: { allowedCidrs: readonly string[] } }): AllowedRanges {
  let ranges = rangesByConfig.get(config);
  if (!ranges) rangesByConfig.set(config, (ranges = config.webhooks.allowedCidrs.length ? new AllowedRanges(config.webhooks.allowedCidrs) : NO_ALLOWED_RANGES));
  return ranges;
}

/** The IPv4 address embedded in an IPv4-mapped, -compatible or NAT64 IPv6 address, if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

/** True when `address` (an IP literal) is not a global unicast address (nor inside an allowed range). */
export function isBlockedAddress(address: string, allowed: AllowedRanges = NO_ALLOWED_RANGES): boolean {
  if (allowed.allows(address)) return false;
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
export async function assertSafeWebhookUrl(raw: string, production: boolean, allowed: AllowedRanges = NO_ALLOWED_RANGES): Promise<URL> {
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
  const bad = addresses.find((a) => isBlockedAddress(a, allowed));
  if (bad !== undefined) {
    throw new UnsafeWebhookUrlError(
      `resolves to a private, loopback or reserved address (${bad})${allowed.size > 0 ? ' outside WEBHOOK_ALLOWED_CIDRS' : ''}`,
    );
  }
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
export function guardedLookup(hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback, allowed: AllowedRanges = NO_ALLOWED_RANGES): void {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const bad = addresses.find((a) => isBlockedAddress(a.address, allowed));
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
