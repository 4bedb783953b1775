import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { freePort } from '../src/database/embedded-postgres';
import { STRONG_PASSWORD, uniqueEmail } from './support/test-app';

const root = resolve(__dirname, '..');
const main = join(root, 'dist', 'src', 'main.js');

interface Running {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts the built server exactly as `npm start` does: no DATABASE_URL, a data dir of its own. */
async function start(dataDir: string): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'info' };
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

function stop(r: Running): Promise<number | null> {
  return new Promise((res) => {
    r.proc.once('exit', (code) => res(code));
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
