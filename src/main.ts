import 'reflect-metadata';
import { failureText } from './common/describe-error';
import { createRootLogger } from './common/logger';
import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './bootstrap/create-app';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { markRunning } from './bootstrap/running-marker';

/**
 * `npm start`: loads and checks the configuration, starts the embedded PostgreSQL when
 * DATABASE_URL is unset, applies pending migrations, and serves REST, /docs and /graphql.
 * SIGINT/SIGTERM close the server, then the database, cleanly.
 */
async function main(): Promise<void> {
  markRunning();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createRootLogger(config.logLevel, undefined, { pretty: !config.isProduction && process.stdout.isTTY === true });
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, (m) => logger.info(m), { runtimeDir: config.embeddedPostgresRuntimeDir });
    databaseUrl = embedded.url;
    logger.info(`embedded PostgreSQL running on port ${embedded.port}${embedded.shared ? ' (started by another process)' : ''}`);
  }
  const { app, dataSource } = await createApp({ config, databaseUrl, logger });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    } finally {
      if (embedded) await embedded.stop();
      logger.info('stopped');
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const base = `http://localhost:${config.port}`;
  logger.info(
    { console: `${base}/`, rest: `${base}/v1`, docs: `${base}/docs`, openapi: `${base}/openapi.json`, graphql: `${base}/graphql` },
    `Touchpoint is up: console ${base}/ · REST ${base}/v1 · docs ${base}/docs · GraphQL ${base}/graphql`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`Touchpoint failed to start: ${failureText(err)}\n`);
  process.exit(1);
});
