import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { isSupportedCountry } from 'libphonenumber-js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Keyring } from '../common/crypto';
import { parseCidr } from '../webhooks/url-guard';

/**
 * The one typed, validated configuration. Built once at boot from the environment; a bad value
 * stops the boot with a message naming every offending variable. Secrets are required only where
 * they are needed (Twilio keys only when SMS goes through Twilio).
 */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  publicUrl: string;
  /** The built recruiter console (index.html and assets/), served at `/`. */
  consoleDir: string;
  /** Unset: an embedded PostgreSQL under dataDir is started by the launcher. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /**
   * HEAP_GROWTH_PERCENT: how far V8 lets the heap grow past what the last full collection kept
   * before it collects again (`--heap-growing-percent`); any value but 0 also turns off V8's
   * allocation-site pretenuring (src/bootstrap/heap-policy.ts). 0 leaves V8's own choice for both.
   */
  heapGrowthPercent: number;
  dataDir: string;
  /**
   * As root, where the embedded PostgreSQL's binaries are copied and its cluster kept when the
   * `postgres` user can't reach the clone (a private folder above it). Absolute.
   */
  embeddedPostgresRuntimeDir: string;
  jwt: { secret: string; issuer: string; audience: string; accessTtlSeconds: number; refreshTtlSeconds: number };
  /** ENCRYPTION_KEY: the current key. */
  encryptionKey: Buffer;
  /** The current key and the old ones (ENCRYPTION_KEYS_OLD), for decrypting and verifying. */
  encryptionKeyring: Keyring;
  smtp: { url: string; from: string } | undefined;
  emailFrom: string;
  twilio:
    | { accountSid: string; authToken: string; messagingServiceSid?: string; from?: string }
    | undefined;
  twilioApiUrl: string | undefined;
  scheduler: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  rateLimit: { perIpPerMinute: number; perTenantPerMinute: number; loginPerMinute: number };
  /**
   * Which proxies' `X-Forwarded-For` is believed (Fastify's trustProxy): `false` (none, the
   * default: the client address is the socket's), a hop count, or a list of addresses and CIDRs.
   */
  trustedProxies: false | number | string[];
  graphql: {
    introspection: boolean;
    maxDepth: number;
    maxComplexity: number;
    maxAliases: number;
    /** Root fields (writes) per GraphQL mutation request. */
    maxMutations: number;
    /** "Did you mean …" in validation errors: never in production, and only to requests that carry credentials. */
    suggestions: boolean;
  };
  /**
   * Who may read /metrics (counts across all tenants). `token`: a bearer token required on every
   * scrape. `port`: /metrics is served on that port only (the API port answers 404). Neither, in
   * production: /metrics is off (404). Neither, elsewhere: open.
   */
  metrics: { token: string | undefined; port: number | undefined; host: string; enabled: boolean; perTenant: boolean };
  dispatch: {
    /** How often the scheduler looks for due follow-ups, in ms. */
    tickMs: number;
    /** Rows claimed per batch, and at most this many per tenant per batch. */
    batchSize: number;
    perTenantBatch: number;
    /** Sends in flight at once per process. */
    concurrency: number;
    /** How long a claim holds a row before another dispatcher may recover it. */
    leaseSeconds: number;
    /** SMS per second per sender (long code or messaging service). */
    smsPerSecondPerSender: number;
  };
  sms: {
    /** ISO 3166 alpha-2 countries texts may go to (any sender); null: any country. */
    countries: string[] | null;
    /** The most SMS one firm may send in a day through the platform's Twilio account (its own cap may only be lower). */
    platformDailyCap: number;
    /** The share (percent) of the platform sender's rate one firm may take, so one firm's burst leaves room for the others. */
    platformFirmSharePercent: number;
  };
  email: {
    /** Mail providers' webhooks: the largest multipart body (SendGrid Inbound Parse, with attachments). */
    webhookBodyLimitBytes: number;
    /** Where SNS signing certificates and SubscribeURLs may be fetched from (AWS's own hosts). */
    snsUrlPattern: RegExp;
  };
  webhooks: {
    /** How long one delivery POST may take before it counts as a timeout, in ms. */
    timeoutMs: number;
    /** How long a claim holds a delivery before another worker may recover it (> the timeout). */
    leaseSeconds: number;
    /**
     * Private ranges a webhook receiver may be in, in production (WEBHOOK_ALLOWED_CIDRS, comma
     * separated; empty: none). Link-local and metadata addresses stay refused whatever is listed.
     */
    allowedCidrs: string[];
  };
}

/** A comma-separated list of CIDR ranges (`10.20.0.0/16, 192.168.5.0/24`); empty when unset. */
function cidrs(env: Env, name: string, problems: string[]): string[] {
  const list = (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const cidr of list) {
    if (!parseCidr(cidr)) problems.push(`${name} must be comma-separated CIDR ranges such as 10.20.0.0/16 (got "${cidr}")`);
  }
  return list;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface DevSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

/**
 * In development, JWT_SECRET and ENCRYPTION_KEY are generated once and kept under the data dir,
 * so tokens and encrypted tenant secrets survive restarts. Production never does this.
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  return secrets;
}

function parseKey(raw: string): Buffer | undefined {
  const trimmed = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const b = Buffer.from(trimmed, 'base64');
  return b.length === 32 ? b : undefined;
}

function int(env: Env, name: string, def: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    return def;
  }
  return n;
}

function onOff(env: Env, name: string, def: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!['on', 'off'].includes(raw.toLowerCase())) {
    problems.push(`${name} must be on or off (got "${raw}")`);
    return def;
  }
  return raw.toLowerCase() === 'on';
}

/**
 * TRUSTED_PROXIES: empty (trust nobody), a hop count ("1": one proxy in front), or a comma-separated
 * list of addresses and CIDRs ("10.0.0.0/8, 192.168.1.7"). "true"/"*" is refused on purpose:
 * trusting every hop lets each client pick its own address and walk around every per-IP limit.
 */
export function parseTrustedProxies(raw: string | undefined, problems: string[]): false | number | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === '0' || value.toLowerCase() === 'false' || value.toLowerCase() === 'none') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) {
      problems.push(`TRUSTED_PROXIES as a hop count must be between 0 and 10 (got "${raw}")`);
      return false;
    }
    return hops;
  }
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (bad.length > 0) {
    problems.push(`TRUSTED_PROXIES must be a hop count or a comma-separated list of IP addresses and CIDRs; not understood: ${bad.map((b) => `"${b}"`).join(', ')}`);
    return false;
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [addr, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || addr === undefined) return false;
  const kind = isIP(addr);
  if (kind === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (kind === 4 ? 32 : 128);
}

/** SMS_COUNTRIES: comma-separated ISO 3166 alpha-2 codes ("US,CA"), or "*" for any country. */
export function parseSmsCountries(raw: string | undefined, problems: string[]): string[] | null {
  const value = (raw ?? 'US,CA').trim();
  if (value === '*') return null;
  const codes = value.split(',').map((c) => c.trim().toUpperCase()).filter((c) => c !== '');
  const bad = codes.filter((c) => !/^[A-Z]{2}$/.test(c) || !isSupportedCountry(c));
  if (codes.length === 0 || bad.length > 0) {
    problems.push(`SMS_COUNTRIES must be comma-separated ISO 3166 country codes such as "US,CA" (or "*" for any)${bad.length > 0 ? `; not understood: ${bad.map((b) => `"${b}"`).join(', ')}` : ''}`);
    return ['US', 'CA'];
  }
  return [...new Set(codes)];
}

function url(env: Env, name: string, protocols: string[], problems: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) {
      problems.push(`${name} must use ${protocols.join(' or ')} (got "${u.protocol}")`);
      return undefined;
    }
    return raw;
  } catch {
    problems.push(`${name} is not a valid URL`);
    return undefined;
  }
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    problems.push(`NODE_ENV must be development, production or test (got "${nodeEnv}")`);
  }
  const isProduction = nodeEnv === 'production';
  const port = int(env, 'PORT', 3000, 0, 65535, problems);
  const dataDirRaw = env.DATA_DIR ?? '.data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const embeddedPostgresRuntimeDir = env.EMBEDDED_POSTGRES_RUNTIME_DIR ?? '/var/lib/touchpoint';
  if (!isAbsolute(embeddedPostgresRuntimeDir)) problems.push(`EMBEDDED_POSTGRES_RUNTIME_DIR must be an absolute path (got "${embeddedPostgresRuntimeDir}")`);

  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems);
  if (isProduction && !env.DATABASE_URL) {
    problems.push('DATABASE_URL is required in production (the embedded PostgreSQL is for development)');
  }
  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:'], problems) ?? `http://localhost:${port}`).replace(/\/+$/, '');

  let jwtSecret = env.JWT_SECRET;
  let encryptionKeyRaw = env.ENCRYPTION_KEY;
  if (isProduction) {
    if (!jwtSecret) problems.push('JWT_SECRET is required in production (at least 32 characters)');
    if (!encryptionKeyRaw) problems.push('ENCRYPTION_KEY is required in production (32 bytes, base64 or 64 hex characters)');
  } else if (!jwtSecret || !encryptionKeyRaw) {
    const dev = loadOrCreateDevSecrets(dataDir);
    jwtSecret ??= dev.jwtSecret;
    encryptionKeyRaw ??= dev.encryptionKey;
  }
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters');
  }
  let encryptionKey: Buffer = Buffer.alloc(0);
  if (encryptionKeyRaw !== undefined) {
    const parsed = parseKey(encryptionKeyRaw);
    if (!parsed) problems.push('ENCRYPTION_KEY must be 32 bytes, given as base64 or 64 hex characters');
    else encryptionKey = parsed;
  }
  const oldKeys: Buffer[] = [];
  (env.ENCRYPTION_KEYS_OLD ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0)
    .forEach((raw, i) => {
      const parsed = parseKey(raw);
      if (!parsed) problems.push(`ENCRYPTION_KEYS_OLD: key ${i + 1} must be 32 bytes, given as base64 or 64 hex characters (keys separated by commas)`);
      else oldKeys.push(parsed);
    });

  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:'], problems);
  const emailFrom = env.EMAIL_FROM ?? 'Touchpoint <no-reply@touchpoint.local>';
  if (env.EMAIL_FROM !== undefined && !/@[^@\s>]+\.[^@\s>]+>?$/.test(env.EMAIL_FROM.trim())) {
    problems.push('EMAIL_FROM must be an email address, optionally with a name ("Firm <hello@firm.com>")');
  }

  let twilio: AppConfig['twilio'];
  const sid = env.TWILIO_ACCOUNT_SID;
  const token = env.TWILIO_AUTH_TOKEN;
  if (sid || token || env.TWILIO_MESSAGING_SERVICE_SID || env.TWILIO_FROM) {
    if (!sid || !/^AC[0-9a-fA-F]{32}$/.test(sid)) problems.push('TWILIO_ACCOUNT_SID must be set and look like AC followed by 32 hex characters');
    if (!token) problems.push('TWILIO_AUTH_TOKEN is required when TWILIO_ACCOUNT_SID is set');
    if (!env.TWILIO_MESSAGING_SERVICE_SID && !env.TWILIO_FROM) {
      problems.push('TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM is required when Twilio is configured');
    }
    if (env.TWILIO_FROM && !/^\+[1-9]\d{6,14}$/.test(env.TWILIO_FROM)) problems.push('TWILIO_FROM must be an E.164 number such as +14155550100');
    if (sid && token) {
      twilio = {
        accountSid: sid,
        authToken: token,
        messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID || undefined,
        from: env.TWILIO_FROM || undefined,
      };
    }
  }
  const twilioApiUrl = url(env, 'TWILIO_API_URL', ['http:', 'https:'], problems)?.replace(/\/+$/, '');

  const schedulerRaw = (env.SCHEDULER ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(schedulerRaw)) problems.push(`SCHEDULER must be on or off (got "${env.SCHEDULER}")`);

  const logLevelRaw = (env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info')).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }

  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 24) problems.push('METRICS_TOKEN must be at least 24 characters');
  if (isProduction && env.GRAPHQL_SUGGESTIONS?.toLowerCase() === 'on') problems.push('GRAPHQL_SUGGESTIONS cannot be on in production (they reveal the schema)');

  const consoleDirRaw = env.CONSOLE_DIR;
  const consoleDir = consoleDirRaw ? (isAbsolute(consoleDirRaw) ? consoleDirRaw : resolve(cwd, consoleDirRaw)) : join(packageRoot(), 'dist', 'console');

  const config: AppConfig = {
    env: nodeEnv as AppConfig['env'],
    isProduction,
    port,
    host: env.HOST ?? '0.0.0.0',
    publicUrl,
    consoleDir,
    databaseUrl,
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200, problems),
    heapGrowthPercent: int(env, 'HEAP_GROWTH_PERCENT', 100, 0, 300, problems),
    dataDir,
    embeddedPostgresRuntimeDir,
    jwt: {
      secret: jwtSecret ?? '',
      issuer: 'touchpoint',
      audience: 'touchpoint-api',
      accessTtlSeconds: int(env, 'JWT_ACCESS_TTL_SECONDS', 900, 60, 86400, problems),
      refreshTtlSeconds: int(env, 'JWT_REFRESH_TTL_SECONDS', 30 * 86400, 3600, 365 * 86400, problems),
    },
    encryptionKey,
    encryptionKeyring: new Keyring(encryptionKey, oldKeys),
    smtp: smtpUrl ? { url: smtpUrl, from: emailFrom } : undefined,
    emailFrom,
    twilio,
    twilioApiUrl,
    scheduler: schedulerRaw !== 'off',
    logLevel: logLevelRaw as AppConfig['logLevel'],
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 50 * 1024 * 1024, problems),
    rateLimit: {
      perIpPerMinute: int(env, 'RATE_LIMIT_PER_IP_PER_MINUTE', 1200, 1, 10_000_000, problems),
      perTenantPerMinute: int(env, 'RATE_LIMIT_PER_TENANT_PER_MINUTE', 3000, 1, 10_000_000, problems),
      loginPerMinute: int(env, 'RATE_LIMIT_LOGIN_PER_MINUTE', 10, 1, 10_000, problems),
    },
    trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES, problems),
    graphql: {
      introspection: !isProduction,
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 8, 2, 50, problems),
      maxComplexity: int(env, 'GRAPHQL_MAX_COMPLEXITY', 5000, 10, 1_000_000, problems),
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 30, 1, 1000, problems),
      maxMutations: int(env, 'GRAPHQL_MAX_MUTATIONS', 10, 1, 1000, problems),
      suggestions: onOff(env, 'GRAPHQL_SUGGESTIONS', !isProduction, problems),
    },
    metrics: {
      token: metricsToken,
      port: env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 1, 65535, problems) : undefined,
      host: env.METRICS_HOST ?? '127.0.0.1',
      enabled: !isProduction || metricsToken !== undefined || !!env.METRICS_PORT,
      // Analytics gauges labelled with each tenant's id (off: summed across tenants, no tenant in /metrics).
      perTenant: onOff(env, 'METRICS_PER_TENANT', false, problems),
    },
    dispatch: {
      tickMs: int(env, 'DISPATCH_TICK_MS', 1000, 10, 60_000, problems),
      batchSize: int(env, 'DISPATCH_BATCH_SIZE', 50, 1, 1000, problems),
      perTenantBatch: int(env, 'DISPATCH_PER_TENANT_BATCH', 20, 1, 1000, problems),
      concurrency: int(env, 'DISPATCH_CONCURRENCY', 20, 1, 256, problems),
      leaseSeconds: int(env, 'DISPATCH_LEASE_SECONDS', 120, 5, 3600, problems),
      smsPerSecondPerSender: int(env, 'SMS_PER_SECOND_PER_SENDER', 1, 1, 1000, problems),
    },
    sms: {
      countries: parseSmsCountries(env.SMS_COUNTRIES, problems),
      platformDailyCap: int(env, 'SMS_PLATFORM_DAILY_CAP', 50, 0, 100_000, problems),
      platformFirmSharePercent: int(env, 'SMS_PLATFORM_FIRM_SHARE_PERCENT', 25, 1, 100, problems),
    },
    email: {
      webhookBodyLimitBytes: int(env, 'EMAIL_WEBHOOK_BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 50 * 1024 * 1024, problems),
      snsUrlPattern: regex(env, 'SNS_URL_PATTERN', DEFAULT_SNS_URL_PATTERN, problems),
    },
    webhooks: {
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000, problems),
      leaseSeconds: int(env, 'WEBHOOK_LEASE_SECONDS', 60, 5, 3600, problems),
      allowedCidrs: cidrs(env, 'WEBHOOK_ALLOWED_CIDRS', problems),
    },
  };
  if (config.webhooks.leaseSeconds * 1000 < config.webhooks.timeoutMs * 2) {
    problems.push('WEBHOOK_LEASE_SECONDS must be at least twice WEBHOOK_TIMEOUT_MS, so a slow delivery is never recovered while in flight');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** SNS certificates and subscription URLs: https on sns.<region>.amazonaws.com (or .com.cn). */
export const DEFAULT_SNS_URL_PATTERN = '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/';

function regex(env: Env, name: string, def: string, problems: string[]): RegExp {
  const raw = env[name] || def;
  if (!raw.startsWith('^')) {
    problems.push(`${name} must be anchored at the start (^): it decides which URLs are fetched`);
    return new RegExp(def);
  }
  try {
    return new RegExp(raw);
  } catch {
    problems.push(`${name} is not a valid regular expression`);
    return new RegExp(def);
  }
}

/** The folder holding this package's package.json (from src/config or dist/src/config alike). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
