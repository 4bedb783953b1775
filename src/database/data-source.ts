import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

export interface DataSourceOptions {
  url: string;
  poolSize: number;
  applicationName?: string;
}

/** The one way a DataSource is built: same entities and migrations in the app, CLI and tests. */
export function buildDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' },
    extra: {
      max: options.poolSize,
      application_name: options.applicationName ?? 'touchpoint',
      connectionTimeoutMillis: 5000,
    },
  });
}
