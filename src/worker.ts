import 'reflect-metadata';
import { failureText } from './common/describe-error';
import { createRootLogger } from './common/logger';
import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './bootstrap/create-app';
import { markRunning } from './bootstrap/running-marker';

/**
 * `npm run start:worker`: a dispatch-only process. It builds the same application (so the
 * dispatcher, planner and drivers are exactly the API's) but serves no HTTP; run as many as
 * needed beside API processes started with SCHEDULER=off. It needs DATABASE_URL: workers join
 * an existing database and never start the embedded one.
 * SIGTERM stops claiming, lets in-flight sends finish (bounded), releases unsent leases, exits.
 */
async function main(): Promise<void> {
  markRunning();
  let config;
  try {
    config = loadConfig({ ...process.env, SCHEDULER: 'on' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (!config.databaseUrl) {
    process.stderr.write('DATABASE_URL is required for a worker: it dispatches from the database the API uses\n');
    process.exit(1);
  }
  const logger = createRootLogger(config.logLevel, undefined, { pretty: !config.isProduction && process.stdout.isTTY === true });
  const { app, dataSource } = await createApp({ config, databaseUrl: config.databaseUrl, logger });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down');
    await app.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  logger.info('Touchpoint worker is dispatching follow-ups');
}

main().catch((err: unknown) => {
  process.stderr.write(`Touchpoint worker failed to start: ${failureText(err)}\n`);
  process.exit(1);
});
