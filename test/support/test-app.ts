import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap/create-app';
import { Clock, SystemClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/app-config';

/** Fixed for the suite so negative tests can forge tokens with the right or wrong key. */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789abcdef';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const STRONG_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: NestFastifyApplication;
  /** The database this app uses (the suite's shared one, or an isolated one). */
  databaseUrl: string;
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  dataSource: DataSource;
  clock: Clock;
  close(): Promise<void>;
}

export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through jest (test/global-setup.mjs)');
  return url;
}

/**
 * A database of its own, migrated by the first app that boots on it, dropped by `drop()`.
 * Suites that run the (cross-tenant) dispatcher use one, so they never send other suites'
 * follow-ups, and other suites never send theirs.
 */
export async function createIsolatedDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.TOUCHPOINT_TEST_SERVER_URL;
  if (!server) throw new Error('TOUCHPOINT_TEST_SERVER_URL is not set: run the tests through jest (test/global-setup.mjs)');
  const name = `${process.env.TOUCHPOINT_TEST_DB_NAME ?? 'touchpoint_test'}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * For suites that run the dispatcher: the whole file uses a database of its own (bootTestApp,
 * withAdminDb and countRows follow DATABASE_URL), restored and dropped after the file.
 * Files in one Jest worker run one after the other, so swapping the variable is safe.
 * Call it at the top level of the file (outside describe), so its afterAll runs after the
 * suite's own (which close the apps).
 */
export function useIsolatedDatabase(): void {
  let previous: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await createIsolatedDatabase();
    previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db.url;
    drop = db.drop;
  });
  afterAll(async () => {
    process.env.DATABASE_URL = previous;
    await drop?.();
  });
}

/** Boots the real application (same createApp as `npm start`) against the suite's database. */
export async function bootTestApp(options: { clock?: Clock; env?: Record<string, string>; databaseUrl?: string; logger?: Logger } = {}): Promise<TestApp> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'touchpoint-test-')),
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_TENANT_PER_MINUTE: '1000000',
    DATABASE_POOL_SIZE: '5',
    // Tests drive the dispatcher themselves (runOnce/drain with a manual clock).
    SCHEDULER: 'off',
    ...options.env,
  });
  const clock = options.clock ?? new SystemClock();
  const { app, dataSource } = await createApp({ config, databaseUrl: options.databaseUrl ?? testDatabaseUrl(), clock, ...(options.logger ? { logger: options.logger } : {}) });
  return {
    app,
    http: app.getHttpServer(),
    dataSource,
    databaseUrl: options.databaseUrl ?? testDatabaseUrl(),
    clock,
    close: async () => {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

export interface SignedUp {
  tenantId: string;
  userId: string;
  email: string;
  token: string;
  refreshToken: string;
  webhookKey: string;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${randomBytes(5).toString('hex')}@example.com`;
}

export async function signup(t: TestApp, overrides: Partial<{ firmName: string; name: string; email: string; timeZone: string }> = {}): Promise<SignedUp> {
  const email = overrides.email ?? uniqueEmail('admin');
  const res = await request(t.http)
    .post('/v1/auth/signup')
    .send({ firmName: overrides.firmName ?? `Firm ${randomUUID().slice(0, 6)}`, name: overrides.name ?? 'Pat Admin', email, password: STRONG_PASSWORD, ...(overrides.timeZone ? { timeZone: overrides.timeZone } : {}) })
    .expect(201);
  return {
    tenantId: res.body.tenant.id,
    userId: res.body.user.id,
    email,
    token: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    webhookKey: res.body.tenant.webhookKey,
  };
}

/**
 * Marks a firm's signup email verified, as its admin's emailed link does (test/security/email-privacy
 * uses the link itself). For suites about something else that need a verified firm: the platform's
 * SMS sender waits for it.
 */
export async function markEmailVerified(who: SignedUp): Promise<void> {
  await withAdminDb(async (c) => {
    await c.query(`UPDATE tenants SET email_verified_at = now() WHERE id = $1`, [who.tenantId]);
    await c.query(`UPDATE users SET email_verified_at = now(), email_verification_token_hash = NULL WHERE tenant_id = $1 AND id = $2`, [who.tenantId, who.userId]);
  });
}

export async function createApiKey(t: TestApp, admin: SignedUp, scopes: string[]): Promise<{ id: string; secret: string }> {
  const res = await request(t.http)
    .post('/v1/api-keys')
    .set('Authorization', `Bearer ${admin.token}`)
    .send({ name: 'integration', scopes })
    .expect(201);
  return { id: res.body.apiKey.id, secret: res.body.secret };
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; extensions?: Record<string, unknown> }[] | undefined;
}

export async function gql<T = Record<string, unknown>>(
  t: TestApp,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult<T>> {
  const req = request(t.http).post('/graphql').set('Content-Type', 'application/json');
  if (token) req.set('Authorization', `Bearer ${token}`);
  const res = await req.send({ query, variables });
  return { status: res.status, data: res.body.data, errors: res.body.errors };
}

/** A superuser connection for assertions about what is really stored (bypasses RLS on purpose). */
export async function withAdminDb<T>(fn: (c: Client) => Promise<T>, databaseUrl: string = testDatabaseUrl()): Promise<T> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function countRows(table: string, where = 'true', params: unknown[] = []): Promise<number> {
  return withAdminDb(async (c) => {
    const r = await c.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
    return r.rows[0].n as number;
  });
}
