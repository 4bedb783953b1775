import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { bootTestApp, createApiKey, signup, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/test-app';

const root = resolve(__dirname, '..', '..');
const script = join(root, 'dist', 'src', 'cli', 'import.js');

/** The environment `npm run import` runs in on a developer's machine: no DATABASE_URL, the folder's data dir. */
function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...extra };
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

describe('npm run import while npm start runs', () => {
  const dataDir = mkdtempSync(join(root, '.data', 'cli-running-'));
  let db: EmbeddedDatabase;

  beforeAll(async () => {
    // What `npm start` does first: the folder's embedded PostgreSQL, kept running.
    db = await startEmbeddedPostgres(dataDir, () => undefined, { persistent: false });
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('imports into the embedded database that is already running, and leaves it running', async () => {
    expect(existsSync(script)).toBe(true);
    const t = await bootTestApp({ databaseUrl: db.url });
    const a = await signup(t);
    const key = (await createApiKey(t, a, ['candidates:write'])).secret;
    await t.close();
    const file = join(dataDir, 'candidates.csv');
    writeFileSync(file, 'externalId,name,email\nRUN-1,Running One,running.one@example.com\n');

    const res = spawnSync(process.execPath, [script, '--api-key', key, file], { env: cliEnv(dataDir), encoding: 'utf8', timeout: 90_000 });
    expect(res.stderr).toContain(`embedded PostgreSQL already running on port ${db.port}`);
    expect(res.stderr).not.toMatch(/^undefined$/m);
    expect([res.status, res.stdout]).toEqual([0, expect.stringContaining('candidates: 1 created')]);

    // The server the first process started is still up, with the row in it.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      expect((await c.query(`SELECT name FROM candidates WHERE external_id = 'RUN-1'`)).rows).toEqual([{ name: 'Running One' }]);
    } finally {
      await c.end();
    }
  }, 120_000);
});

describe('a CLI that fails says why, never "undefined"', () => {
  const dataDir = mkdtempSync(join(root, '.data', 'cli-errors-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('import, against a database that is not there: exit 1 and one line naming the problem', () => {
    const file = join(dataDir, 'candidates.csv');
    writeFileSync(file, 'name\nNobody\n');
    const res = spawnSync(process.execPath, [script, '--api-key', 'tp_whatever', file], {
      env: cliEnv(dataDir, { DATABASE_URL: 'postgres://postgres:nothing@127.0.0.1:1/none' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^import failed: .*ECONNREFUSED 127\.0\.0\.1:1/m);
    expect(res.stderr).not.toMatch(/\bundefined\b/);
  }, 90_000);

  it('import and migrate, with a setting that is wrong: exit 1 and the setting named, no stack', () => {
    const env = cliEnv(dataDir, { EMBEDDED_POSTGRES_RUNTIME_DIR: 'relative/path' });
    const imp = spawnSync(process.execPath, [script, '--api-key', 'tp_whatever', 'x.csv'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(imp.status).toBe(1);
    expect(imp.stderr).toMatch(/^import failed: Invalid configuration:\n\s+- EMBEDDED_POSTGRES_RUNTIME_DIR must be an absolute path/m);
    expect(imp.stderr).not.toMatch(/\bundefined\b|\n\s+at /);
    const migrate = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'migrate.js'), 'run'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toMatch(/^migrate failed: Invalid configuration:\n\s+- EMBEDDED_POSTGRES_RUNTIME_DIR/m);
    expect(migrate.stderr).not.toMatch(/\bundefined\b|\n\s+at /);
  }, 90_000);
});
