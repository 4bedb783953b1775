import { GraphQLSchemaHost } from '@nestjs/graphql';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { bootTestApp } from './support/test-app';

/**
 * schema.gql is committed for integrators. This test keeps it true: it prints the schema the
 * running app serves and compares. `npm run schema:generate` rewrites the file.
 */
describe('committed schema.gql', () => {
  it('matches the schema the app serves', async () => {
    const t = await bootTestApp();
    try {
      const schema = t.app.get(GraphQLSchemaHost).schema;
      const printed = `# Generated from the code-first resolvers. Do not edit: run \`npm run schema:generate\`.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
      const file = join(__dirname, '..', 'schema.gql');
      if (process.env.UPDATE_SCHEMA === '1') writeFileSync(file, printed);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(printed);
    } finally {
      await t.close();
    }
  });
});
