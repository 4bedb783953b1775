import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment every bench process runs the real app with (production-like, quiet). */
export function appEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'touchpoint-bench-')),
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789abcdef',
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    PUBLIC_URL: 'http://127.0.0.1',
    SCHEDULER: 'off',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_PER_IP_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_TENANT_PER_MINUTE: '10000000',
    // Diagnostics switches (BENCH_COUNT_QUERIES…) reach the children too, and so does a
    // HEAP_GROWTH_PERCENT to compare against the app's default.
    ...Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => (e[0].startsWith('BENCH_') || e[0] === 'HEAP_GROWTH_PERCENT') && e[1] !== undefined),
    ),
    ...extra,
  };
}

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}
