import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { Client } from 'pg';
import { describeError } from '../common/describe-error';

/**
 * The zero-setup database: a real PostgreSQL from the binaries of the `@embedded-postgres/<os>-<cpu>`
 * package, with its cluster under `<dataDir>/pg`. Used when DATABASE_URL is unset. The cluster is
 * initialised once; later starts keep the data. Each start takes a free local port.
 *
 * As root, PostgreSQL (which refuses to run as root) runs as the `postgres` system user, created
 * if missing, and that user is handed only what it needs: its cluster folder (owned by it, 0700)
 * and read access to the binaries. When the clone sits under a folder that user cannot traverse
 * (`/root/…`, a `mktemp -d` folder), the binaries are copied once, and the cluster kept, under
 * `/var/lib/touchpoint` (root's, 0755); embedded-postgres.json in the data dir says where.
 *
 * One cluster, one server: when the cluster is already running (`npm start` in another terminal,
 * and now `npm run import` or `npm run migration:run`), the second process connects to that
 * server (its port is in the cluster's postmaster.pid, the password in embedded-postgres.json)
 * and leaves it running when it ends.
 */
export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** True when another process started this server (this one only connects to it). */
  shared: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The database to create (if missing) and connect to; default `touchpoint`. */
  database?: string;
  /** false: the cluster is deleted on stop (the test suite's throwaway server). Default true. */
  persistent?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  /** As root: where what the postgres user must reach goes when the data dir or the binaries are out of its reach. */
  runtimeDir?: string;
  /** The binaries' folder (bin/, lib/, share/); default this platform's package. For tests. */
  nativeDir?: string;
}

export const DEFAULT_RUNTIME_DIR = '/var/lib/touchpoint';

/** The embedded PostgreSQL could not start: the message is one sentence saying why and what to do. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

interface EmbeddedState {
  password: string;
  /** Where the cluster is, when not `<dataDir>/pg` (root, and the data dir out of the postgres user's reach). */
  clusterDir?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The folder of PostgreSQL's binaries (bin/, lib/, share/) in this platform's package. */
export function nativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${pkg} is not installed): set DATABASE_URL to a PostgreSQL server of your own.`,
    );
  }
  return join(dirname(entry), '..', 'native');
}

/**
 * The server running on `clusterDir`, if any: postmaster.pid holds its pid (line 1) and port
 * (line 4). A pid file left by a crash names a process that is gone: then nothing runs.
 */
export function runningServer(clusterDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, but another user's (the postgres user's, when we are not root).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { pid, port };
}

/** Waits for `child` to print that it is ready; rejects with a sentence (and its last words) if it ends first. */
function whenReady(child: ChildProcess, what: string, output: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      if (output.length > 50) output.shift();
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.on('error', (err) => reject(new EmbeddedPostgresError(`${what} could not be run: ${describeError(err)}.`)));
    child.on('close', (code, signal) => {
      const said = output.join('').trim().split('\n').slice(-5).join(' | ');
      reject(new EmbeddedPostgresError(`${what} ended while starting (${signal ?? `exit code ${code}`})${said ? `: ${said}` : ''}.`));
    });
  });
}

function run(command: string, args: string[], what: string, ids: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const child = spawn(command, args, { ...ids, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    child.on('error', (err) => reject(new EmbeddedPostgresError(`${what} could not be run: ${describeError(err)}.`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new EmbeddedPostgresError(`${what} failed (exit code ${code}): ${output.join('').trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const database = options.database ?? 'touchpoint';
  const persistent = options.persistent ?? true;
  const runtimeDir = options.runtimeDir ?? DEFAULT_RUNTIME_DIR;
  mkdirSync(dataDir, { recursive: true });
  const stateFile = join(dataDir, 'embedded-postgres.json');
  const saved = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as EmbeddedState) : undefined;
  const ids = postgresUser();

  // Where the cluster lives: in the data dir, unless the postgres user can't reach it there.
  let clusterDir = saved?.clusterDir ?? join(dataDir, 'pg');
  if (ids && !saved?.clusterDir) {
    // The secrets in dataDir stay 0600; the folder itself must be traversable by that user.
    chmodSync(dataDir, 0o755);
    if (!reachable(dataDir, ids)) {
      clusterDir = join(ensureRuntimeDir(runtimeDir, ids, dataDir), 'clusters', createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16), 'pg');
      log(`the postgres user cannot reach ${dataDir} (a folder above it is private): the embedded cluster lives in ${clusterDir}`);
    }
  }
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  const state: EmbeddedState = fresh || !saved ? { password: randomBytes(18).toString('base64url') } : saved;
  if (clusterDir !== join(dataDir, 'pg')) state.clusterDir = clusterDir;
  if (state !== saved || saved.clusterDir !== state.clusterDir) writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  const urlOf = (port: number, db: string): string => `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${port}/${db}`;

  const running = fresh ? undefined : runningServer(clusterDir);
  if (running) {
    log(`embedded PostgreSQL already running on port ${running.port} (pid ${running.pid}, started by another process): using it`);
    await ensureDatabase(urlOf(running.port, 'postgres'), database, clusterDir);
    return { url: urlOf(running.port, database), port: running.port, shared: true, stop: async () => undefined };
  }

  let native = options.nativeDir ?? nativeDir();
  if (ids && !reachable(join(native, 'bin'), ids)) native = copyBinaries(native, ensureRuntimeDir(runtimeDir, ids, native), log);
  const bin = join(native, 'bin');
  const spawnIds = ids ?? {};
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${clusterDir}`);
    rmSync(clusterDir, { recursive: true, force: true });
    mkdirSync(dirname(clusterDir), { recursive: true, mode: 0o755 });
    mkdirSync(clusterDir, { mode: 0o700 });
    if (ids) chownSync(clusterDir, ids.uid, ids.gid);
    // The password file sits next to the cluster, where the postgres user can read it.
    const pwDir = join(dirname(clusterDir), `.initdb-${randomBytes(4).toString('hex')}`);
    mkdirSync(pwDir, { mode: 0o700 });
    const pwFile = join(pwDir, 'pw');
    writeFileSync(pwFile, `${state.password}\n`, { mode: 0o600 });
    if (ids) {
      chownSync(pwDir, ids.uid, ids.gid);
      chownSync(pwFile, ids.uid, ids.gid);
    }
    try {
      await run(
        join(bin, 'initdb'),
        [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
        'initdb (creating the embedded PostgreSQL cluster)',
        spawnIds,
      );
    } finally {
      rmSync(pwDir, { recursive: true, force: true });
    }
  }
  const port = await freePort();
  const settings = { listen_addresses: '127.0.0.1', ...options.settings };
  const args = ['-D', clusterDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const output: string[] = [];
  const child = spawn(join(bin, 'postgres'), args, { ...spawnIds, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
  await whenReady(child, 'The embedded PostgreSQL', output);
  // From here its messages are its own (the launcher logs what matters).
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
  child.removeAllListeners('close');
  await ensureDatabase(urlOf(port, 'postgres'), database, clusterDir);
  let stopped = false;
  return {
    url: urlOf(port, database),
    port,
    shared: false,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGINT'); // fast shutdown: sessions are ended, the data is safe
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (!persistent) {
        rmSync(clusterDir, { recursive: true, force: true });
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

async function ensureDatabase(adminUrl: string, database: string, clusterDir: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL of ${clusterDir} does not accept the password in embedded-postgres.json (${describeError(err)}): stop the process that runs it, or set DATABASE_URL.`,
    );
  }
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
}

interface Ids {
  uid: number;
  gid: number;
}

function idOf(flag: '-u' | '-g'): number | undefined {
  try {
    const n = Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` system user (created if missing). */
function postgresUser(): Ids | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let uid = idOf('-u');
  if (uid === undefined) {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    } catch (err) {
      throw new EmbeddedPostgresError(
        `PostgreSQL refuses to run as root and there is no postgres user to run it as (useradd failed: ${describeError(err)}): create one (useradd --system postgres), run as another user, or set DATABASE_URL.`,
      );
    }
    uid = idOf('-u');
  }
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) {
    throw new EmbeddedPostgresError('PostgreSQL refuses to run as root and the postgres user could not be found after creating it: run as another user, or set DATABASE_URL.');
  }
  return { uid, gid };
}

/** Whether `ids` can traverse every folder from / down to `path` (and `path` itself). */
export function reachable(path: string, ids: Ids): boolean {
  const full = resolve(path);
  const parts = full.split(sep).filter(Boolean);
  let at = parse(full).root;
  for (const dir of [at, ...parts.map((p) => (at = join(at, p)))]) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      return false;
    }
    const bit = st.uid === ids.uid ? 0o100 : st.gid === ids.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
  }
  return true;
}

/** The runtime folder (root's, 0755): created if missing; it must be reachable itself. */
function ensureRuntimeDir(runtimeDir: string, ids: Ids, forWhat: string): string {
  try {
    mkdirSync(runtimeDir, { recursive: true, mode: 0o755 });
    chmodSync(runtimeDir, 0o755);
  } catch (err) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot reach ${forWhat} (a folder above it is private) and ${runtimeDir} cannot be created (${describeError(err)}): clone into a folder others can traverse (chmod o+x on the folders above it), or set DATABASE_URL.`,
    );
  }
  if (!reachable(runtimeDir, ids)) {
    throw new EmbeddedPostgresError(
      `The postgres user can reach neither ${forWhat} nor ${runtimeDir} (a folder above each is private): clone into a folder others can traverse (chmod o+x on the folders above it), or set DATABASE_URL.`,
    );
  }
  return runtimeDir;
}

/** A copy of the binaries under `runtimeDir` (made once per version; readable by everyone). */
function copyBinaries(native: string, runtimeDir: string, log: (msg: string) => void): string {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // a native folder without its package (a test's copy): keyed by its path instead
    version = createHash('sha256').update(native).digest('hex').slice(0, 12);
  }
  const target = join(runtimeDir, `postgres-${version}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  log(`the postgres user cannot reach ${native} (a folder above it is private): copying the PostgreSQL binaries to ${target}`);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
  chmodTree(partial);
  renameSync(partial, target);
  return target;
}

/** Folders 0755, files readable by all (executables stay executable). */
function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) chmodTree(path);
    else chmodSync(path, statSync(path).mode & 0o111 ? 0o755 : 0o644);
  }
}
