import { ChildProcess, spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { freePort, nativeDir, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { STRONG_PASSWORD, uniqueEmail } from './support/test-app';

const root = resolve(__dirname, '..');
const main = join(root, 'dist', 'src', 'main.js');

interface Running {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts the built server exactly as `npm start` does: no DATABASE_URL, a data dir of its own. */
async function start(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'info', ...extraEnv };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  delete env.ENCRYPTION_KEY;
  const proc = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}):\n${out}`);
    const ok = await request(url)
      .get('/health/ready')
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { proc, url, output: () => out };
}

/** Sends SIGINT; the exit code, or the signal that ended the process with its output (to diagnose a failure). */
function stop(r: Running): Promise<number | string> {
  return new Promise((res) => {
    r.proc.once('exit', (code, signal) => res(code ?? `${signal}:\n${r.output()}`));
    r.proc.kill('SIGINT');
  });
}

describe('npm start on a fresh data dir', () => {
  const dataDir = mkdtempSync(join(root, '.data', 'boot-test-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('boots on embedded PostgreSQL, serves, stops cleanly, and keeps the data for the next start', async () => {
    expect(existsSync(main)).toBe(true);
    const first = await start(dataDir);
    const email = uniqueEmail('boot');
    try {
      expect(first.output()).toMatch(/\/docs/);
      expect(first.output()).toMatch(/\/graphql/);
      await request(first.url).post('/v1/auth/signup').send({ firmName: 'Boot Co', name: 'Bo Ot', email, password: STRONG_PASSWORD }).expect(201);
    } finally {
      expect(await stop(first)).toBe(0);
    }
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    const second = await start(dataDir);
    try {
      await request(second.url).post('/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(200);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 180_000);
});

/**
 * As root, PostgreSQL runs as the `postgres` user, which can't traverse a mode-700 folder (a clone
 * under /root, or under `mktemp -d`). What it must reach goes where it can: the cluster (and, when
 * the clone's node_modules is private too, a copy of the binaries) under the runtime folder.
 */
const asRoot = process.getuid?.() === 0;
(asRoot ? describe : describe.skip)('as root, from a mode-700 folder', () => {
  const priv = mkdtempSync(join(tmpdir(), 'touchpoint-private-'));
  const runtime = mkdtempSync(join('/var/tmp', 'touchpoint-runtime-'));
  chmodSync(runtime, 0o755);
  afterAll(() => {
    rmSync(priv, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  });

  it('the folder is private (mode 700), as mktemp -d makes it', () => {
    expect(statSync(priv).mode & 0o777).toBe(0o700);
  });

  it('npm start boots with its data dir inside it, keeps the data for the next start, and stops cleanly', async () => {
    const dataDir = join(priv, 'clone', '.data');
    const env = { EMBEDDED_POSTGRES_RUNTIME_DIR: join(runtime, 'rt') };
    const first = await start(dataDir, env);
    const email = uniqueEmail('private');
    try {
      expect(first.output()).toContain('the postgres user cannot reach');
      await request(first.url).post('/v1/auth/signup').send({ firmName: 'Private Co', name: 'Pri Vate', email, password: STRONG_PASSWORD }).expect(201);
    } finally {
      expect(await stop(first)).toBe(0);
    }
    const { clusterDir } = JSON.parse(readFileSync(join(dataDir, 'embedded-postgres.json'), 'utf8')) as { clusterDir: string };
    expect(clusterDir.startsWith(join(runtime, 'rt'))).toBe(true);
    expect(statSync(clusterDir).mode & 0o777).toBe(0o700);
    const second = await start(dataDir, env);
    try {
      await request(second.url).post('/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(200);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 180_000);

  it('with the binaries in a private folder too (node_modules inside the clone): they are copied once', async () => {
    const native = join(priv, 'node_modules-native');
    cpSync(nativeDir(), native, { recursive: true, verbatimSymlinks: true });
    const logs: string[] = [];
    const db = await startEmbeddedPostgres(join(priv, 'other-clone', '.data'), (m) => logs.push(m), { nativeDir: native, runtimeDir: join(runtime, 'rt'), persistent: false });
    try {
      expect(logs.join('\n')).toMatch(/copying the PostgreSQL binaries to/);
      const c = new Client({ connectionString: db.url });
      await c.connect();
      expect((await c.query('SELECT current_user AS who')).rows).toEqual([{ who: 'postgres' }]);
      await c.end();
    } finally {
      await db.stop();
    }
  }, 120_000);

  it('where it truly cannot work (the runtime folder is private too): one sentence saying why and what to do, no stack', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: join(priv, 'third', '.data'), NODE_ENV: 'development', EMBEDDED_POSTGRES_RUNTIME_DIR: join(priv, 'rt') };
    delete env.DATABASE_URL;
    delete env.JWT_SECRET;
    delete env.ENCRYPTION_KEY;
    const res = spawnSync(process.execPath, [main], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toMatch(/^Touchpoint failed to start: The postgres user can reach neither .* \(a folder above each is private\): clone into a folder others can traverse .*, or set DATABASE_URL\.$/);
    expect(res.stderr).not.toMatch(/EACCES|\n\s+at /);
  }, 90_000);
});
