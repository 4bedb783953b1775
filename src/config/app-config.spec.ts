import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, mkdtempSync(join(tmpdir(), 'cfg-')));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  const key = Buffer.alloc(32, 1).toString('base64');

  it('in production, a missing JWT_SECRET or ENCRYPTION_KEY stops the boot naming the variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@h/db' });
    expect(problems.some((p) => p.startsWith('JWT_SECRET is required'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ENCRYPTION_KEY is required'))).toBe(true);
  });

  it('in production, DATABASE_URL is required', () => {
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: key })).toEqual([
      expect.stringMatching(/^DATABASE_URL is required/),
    ]);
  });

  it('in development, secrets are generated once and kept under the data dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const first = loadConfig({ NODE_ENV: 'development' }, dir);
    const second = loadConfig({ NODE_ENV: 'development' }, dir);
    expect(first.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwt.secret).toBe(first.jwt.secret);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, '.data', 'dev-secrets.json'), 'utf8')).jwtSecret).toBe(first.jwt.secret);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT must be an integer/],
    [{ SCHEDULER: 'maybe' }, /^SCHEDULER must be on or off/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must use postgres/],
    [{ SMTP_URL: 'not a url' }, /^SMTP_URL is not a valid URL/],
    [{ TWILIO_ACCOUNT_SID: 'AC123' }, /^TWILIO_ACCOUNT_SID must be set/],
    [{ ENCRYPTION_KEY: 'short', JWT_SECRET: 'x'.repeat(40) }, /^ENCRYPTION_KEY must be 32 bytes/],
    [{ JWT_SECRET: 'short', ENCRYPTION_KEY: key }, /^JWT_SECRET must be at least 32/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ TRUSTED_PROXIES: 'true' }, /^TRUSTED_PROXIES must be a hop count or a comma-separated list/],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, /^TRUSTED_PROXIES must be a hop count or a comma-separated list/],
    [{ SMS_COUNTRIES: 'US,XX' }, /^SMS_COUNTRIES must be comma-separated ISO 3166 country codes.*"XX"/],
    [{ SMS_COUNTRIES: ',' }, /^SMS_COUNTRIES must be comma-separated/],
    [{ SMS_PLATFORM_DAILY_CAP: '-1' }, /^SMS_PLATFORM_DAILY_CAP must be an integer/],
    [{ SMS_PLATFORM_FIRM_SHARE_PERCENT: '0' }, /^SMS_PLATFORM_FIRM_SHARE_PERCENT must be an integer/],
    [{ TRUSTED_PROXIES: '99' }, /^TRUSTED_PROXIES as a hop count must be between 0 and 10/],
  ])('refuses %j', (env, message) => {
    expect(problemsOf({ NODE_ENV: 'development', ...env })).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('defaults PUBLIC_URL from PORT and accepts a full Twilio setup', () => {
    const cfg = loadConfig(
      {
        NODE_ENV: 'development',
        PORT: '4000',
        TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'tok',
        TWILIO_FROM: '+14155550100',
      },
      mkdtempSync(join(tmpdir(), 'cfg-')),
    );
    expect(cfg.publicUrl).toBe('http://localhost:4000');
    expect(cfg.twilio).toEqual({ accountSid: `AC${'a'.repeat(32)}`, authToken: 'tok', from: '+14155550100', messagingServiceSid: undefined });
    expect(cfg.scheduler).toBe(true);
  });

  it('trusts no proxy by default; TRUSTED_PROXIES takes a hop count or addresses and CIDRs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(loadConfig({ NODE_ENV: 'development' }, dir).trustedProxies).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', TRUSTED_PROXIES: '2' }, dir).trustedProxies).toBe(2);
    expect(loadConfig({ NODE_ENV: 'development', TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8' }, dir).trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  });

  it('texts go to US and CA numbers only by default; SMS_COUNTRIES changes the list, "*" allows any', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(loadConfig({ NODE_ENV: 'development' }, dir).sms).toEqual({ countries: ['US', 'CA'], platformDailyCap: 50, platformFirmSharePercent: 25 });
    expect(loadConfig({ NODE_ENV: 'development', SMS_COUNTRIES: 'us, gb' }, dir).sms.countries).toEqual(['US', 'GB']);
    expect(loadConfig({ NODE_ENV: 'development', SMS_COUNTRIES: '*' }, dir).sms.countries).toBeNull();
  });

  it('the heap grows 100% past its live size before V8 collects; HEAP_GROWTH_PERCENT changes it, 0 leaves it to V8', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(loadConfig({ NODE_ENV: 'development' }, dir).heapGrowthPercent).toBe(100);
    expect(loadConfig({ NODE_ENV: 'development', HEAP_GROWTH_PERCENT: '0' }, dir).heapGrowthPercent).toBe(0);
    expect(loadConfig({ NODE_ENV: 'development', HEAP_GROWTH_PERCENT: '50' }, dir).heapGrowthPercent).toBe(50);
    for (const bad of ['-1', '301', '1.5', 'lots']) {
      expect(problemsOf({ NODE_ENV: 'development', HEAP_GROWTH_PERCENT: bad })).toEqual([`HEAP_GROWTH_PERCENT must be an integer between 0 and 300 (got "${bad}")`]);
    }
  });
});

describe('WEBHOOK_ALLOWED_CIDRS', () => {
  it('is off by default, and read as comma-separated CIDR ranges; a malformed one stops the boot naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(loadConfig({ NODE_ENV: 'development' }, dir).webhooks.allowedCidrs).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'development', WEBHOOK_ALLOWED_CIDRS: '10.20.0.0/16, 192.168.5.0/24' }, dir).webhooks.allowedCidrs).toEqual(['10.20.0.0/16', '192.168.5.0/24']);
    expect(problemsOf({ NODE_ENV: 'development', WEBHOOK_ALLOWED_CIDRS: '10.20.0.0/16,10.0.0.0/99' })).toEqual([expect.stringMatching(/^WEBHOOK_ALLOWED_CIDRS must be .*"10\.0\.0\.0\/99"/)]);
  });
});
