import 'reflect-metadata';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../bootstrap/create-app';
import { ConfigError, loadConfig } from '../config/app-config';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../database/embedded-postgres';

/**
 * `npm run schema:generate`: boots the application exactly as `npm start` does (against
 * DATABASE_URL, or the embedded PostgreSQL), prints the code-first GraphQL schema, sorted,
 * and writes it to ./schema.gql (or the path given) for integrators. The file is committed.
 */
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? 'schema.gql');
  const config = loadConfig({ ...process.env, SCHEDULER: 'off', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  let embedded: EmbeddedDatabase | undefined;
  const url = config.databaseUrl ?? (embedded = await startEmbeddedPostgres(config.dataDir, (m) => process.stdout.write(`${m}\n`))).url;
  const { app, dataSource } = await createApp({ config, databaseUrl: url });
  try {
    const { schema } = app.get(GraphQLSchemaHost);
    // The same text test/schema.e2e-spec.ts compares against.
    writeFileSync(out, `# Generated from the code-first resolvers. Do not edit: run \`npm run schema:generate\`.\n\n${printSchema(lexicographicSortSchema(schema))}\n`);
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await app.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    if (embedded) await embedded.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
