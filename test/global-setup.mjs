// Provides the whole suite with one real PostgreSQL and a fresh database for this run.
// - DATABASE_URL unset (a fresh machine): an embedded PostgreSQL under ./.data/, thrown away after.
// - DATABASE_URL set: a scratch database on that server, dropped after the run.
// Migrations are applied by the app itself when each test boots it (under an advisory lock),
// so the tests run exactly the migrations production runs.
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const root = new URL('..', import.meta.url).pathname;

export default async function globalSetup() {
  const dbName = `touchpoint_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let serverUrl;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    // The app's own launcher (dist: `npm test` builds first), so the suite starts PostgreSQL the
    // way `npm start` does: as root, as the postgres user, wherever the clone is.
    const launcher = join(root, 'dist', 'src', 'database', 'embedded-postgres.js');
    if (!existsSync(launcher)) throw new Error(`${launcher} is missing: run \`npm run build\` first (npm test does), or set DATABASE_URL`);
    const { startEmbeddedPostgres } = await import(launcher);
    const dir = join(root, '.data', `test-pg-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(root, '.data'), { recursive: true });
    const embedded = await startEmbeddedPostgres(dir, () => {}, {
      database: 'postgres',
      persistent: false,
      settings: { max_connections: '200', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    globalThis.__TOUCHPOINT_EMBEDDED__ = embedded;
    serverUrl = embedded.url;
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
