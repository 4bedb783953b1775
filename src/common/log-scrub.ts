/**
 * What no log line may carry (issue 18), removed from the serialized line itself (pino's
 * `hooks.streamWrite`), so it holds for every writer alike: Fastify's request log, Nest's Logger,
 * the log drivers' simulated messages, error messages and stacks.
 *   - tokens in URLs: an unsubscribe link's token, a firm's webhook key in /v1/webhooks/…/<key>/,
 *     and the value of any query parameter whose name says token, key, secret, signature,
 *     password or code;
 *   - credentials wherever they appear: API keys (`tp_…`), JWTs (`eyJ….….…`), refresh tokens;
 *   - personal data: email addresses (`j***@e***.com`, URL-encoded too) and phone numbers (`+1*******67`, in E.164
 *     as stored, or URL-encoded `%2B…`).
 * The line is JSON; every replacement keeps it valid (no quotes or backslashes are introduced or
 * removed).
 */
const REDACTED = '[redacted]';

const RULES: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  [/(\/v1\/unsubscribe\/)[A-Za-z0-9_.~-]+/g, `$1${REDACTED}`],
  [/(\/v1\/webhooks\/(?:twilio|email)\/)[A-Za-z0-9_.~-]+/g, `$1${REDACTED}`],
  [/([?&][^=&\s"\\#]*(?:token|key|secret|signature|password|passwd|code|sig)[^=&\s"\\#]*=)[^&\s"\\#]+/gi, `$1${REDACTED}`],
  [/\btp_[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, REDACTED],
  [/\brt\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/([\p{L}\p{N}_%+-])[\p{L}\p{N}._%+-]*@([\p{L}\p{N}])[\p{L}\p{N}-]*(?:\.[\p{L}\p{N}-]+)*(\.[\p{L}]{2,})\b/gu, (_m, first, domainFirst, tld) => `${first}***@${domainFirst}***${tld}`],
  [/([\p{L}\p{N}_+-])[\p{L}\p{N}._+-]*%40([\p{L}\p{N}])[\p{L}\p{N}-]*(?:\.[\p{L}\p{N}-]+)*(\.[\p{L}]{2,})\b/giu, (_m, first, domainFirst, tld) => `${first}***%40${domainFirst}***${tld}`],
  [/(\+|%2B)(\d)[\d]{4,12}(\d{2})\b/gi, (_m, plus, cc, last) => `${plus}${cc}*******${last}`],
];

export function scrubLogLine(line: string): string {
  let out = line;
  for (const [re, to] of RULES) out = out.replace(re, to as string);
  return out;
}
