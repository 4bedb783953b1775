import 'reflect-metadata';
import { failureText } from '../common/describe-error';
import { loadConfig } from '../config/app-config';
import { buildDataSource } from '../database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../database/embedded-postgres';
import { revertLastMigration, runMigrations } from '../database/migrator';
import { markRunning } from '../bootstrap/running-marker';

/**
 * `npm run migration:run` / `npm run migration:revert` against DATABASE_URL (or, when unset,
 * the embedded PostgreSQL under the data dir, as `npm start` uses).
 */
async function main(): Promise<void> {
  markRunning();
  const command = process.argv[2];
  if (command !== 'run' && command !== 'revert') {
    process.stderr.write('usage: migrate run|revert\n');
    process.exit(2);
  }
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  const url = config.databaseUrl ?? (embedded = await startEmbeddedPostgres(config.dataDir, (m) => process.stdout.write(`${m}\n`), { runtimeDir: config.embeddedPostgresRuntimeDir })).url;
  const dataSource = buildDataSource({ url, poolSize: 2, applicationName: 'touchpoint-migrate' });
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const applied = await runMigrations(dataSource);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
    } else {
      await revertLastMigration(dataSource);
      process.stdout.write('reverted the last migration\n');
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    if (embedded) await embedded.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate failed: ${failureText(err)}\n`);
  process.exit(1);
});
