import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseLegacyQuery, stringify as stringifyLegacyQuery } from 'node:querystring';

/**
 * Verification of Twilio's `X-Twilio-Signature` webhook header, without the Twilio SDK (which is
 * imported only by the Twilio SMS driver).
 *
 *   signature = base64(HMAC-SHA1(authToken, url + concat over sorted names of (name + value)))
 *
 * A parameter that repeats (`a=1&a=2`, parsed as an array) contributes `name + value` once per
 * distinct value, values sorted, exactly like `twilio.getExpectedTwilioSignature`. Names are
 * sorted by UTF-16 code unit (plain `Array.prototype.sort`), as Twilio does.
 *
 * `isValidTwilioSignature` accepts the same URL variants as `twilio.validateRequest`: the URL as
 * given with and without its port (Twilio may sign `https://host/...` or `https://host:443/...`),
 * then, for URLs Twilio signed in escaped form, the WHATWG-normalised URL and its legacy
 * querystring encoding. The comparison is constant-time.
 *
 * JSON webhooks signed with `bodySHA256` are not supported (SMS webhooks are form-encoded).
 */
export type TwilioParamValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;
export type TwilioParams = Readonly<Record<string, TwilioParamValue>>;

function paramString(name: string, value: TwilioParamValue): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (Array.isArray(value)) {
    const distinct = Array.from(new Set((value as ReadonlyArray<string | number | boolean>).map((v) => String(v)))).sort();
    return distinct.map((v) => name + v).join('');
  }
  return name + String(value);
}

export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + paramString(name, params[name]), url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

export function isValidTwilioSignature(
  authToken: string,
  signature: string | string[] | null | undefined,
  url: string,
  params: TwilioParams = {},
): boolean {
  if (typeof signature !== 'string' || signature.length === 0 || !authToken) {
    return false;
  }
  const given = Buffer.from(signature, 'utf-8');
  for (const candidate of candidateUrls(url)) {
    const expected = Buffer.from(computeTwilioSignature(authToken, candidate, params), 'utf-8');
    // timingSafeEqual throws on a length mismatch; the length of a valid signature is public
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return true;
    }
  }
  return false;
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalising it, so the path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | null {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) {
    return null;
  }
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // a colon starts the port only after the closing bracket of an IPv6 literal
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withoutPort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.userInfo + p.host + p.rest : url;
}

function withPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) {
    return url;
  }
  const port = p.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return p.scheme + p.userInfo + p.host + port + p.rest;
}

function withLegacyQuerystring(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) {
    return url;
  }
  return url.slice(0, q) + '?' + stringifyLegacyQuery(parseLegacyQuery(url.slice(q + 1)));
}

function candidateUrls(url: string): string[] {
  const candidates = [withoutPort(url), withPort(url)];
  let normalized: string | null = null;
  try {
    normalized = new URL(url).toString();
  } catch {
    normalized = null;
  }
  if (normalized !== null) {
    const a = withoutPort(normalized);
    const b = withPort(normalized);
    candidates.push(a, b, withLegacyQuerystring(a), withLegacyQuerystring(b));
  }
  return Array.from(new Set(candidates));
}
