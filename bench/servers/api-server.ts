import 'reflect-metadata';
import { createApp } from '../../src/bootstrap/create-app';
import { loadConfig } from '../../src/config/app-config';

/**
 * The real API as `npm start` serves it (same createApp), on a free port, for B5–B7 and for the
 * other benches' setup. Sends {type:'ready', port} over IPC; SIGTERM closes it.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { app, dataSource } = await createApp({ config, databaseUrl: config.databaseUrl ?? '' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'ready', port });
  process.on('message', (raw) => {
    const msg = raw as { id: number; cmd: string };
    if (msg.cmd === 'rss') process.send?.({ id: msg.id, rssMb: process.memoryUsage().rss / 2 ** 20 });
  });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => dataSource.destroy())
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
