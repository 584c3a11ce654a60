import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface ServiceDataSourceOptions {
  /** postgres://… */
  readonly url: string;
  /** The service's own schema; every table of the service lives there, found through `search_path`. */
  readonly schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function | string>;
  readonly poolSize?: number;
  readonly applicationName?: string;
}

export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** One TypeORM data source per service, never `synchronize`: the schema is what the migrations make it. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  if (!SCHEMA_NAME_PATTERN.test(options.schema)) {
    throw new Error(`invalid schema name "${options.schema}": lower-case letters, digits and _ only`);
  }
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? options.schema,
    extra: {
      options: `-c search_path=${options.schema},public`,
      connectionTimeoutMillis: 5000,
    },
  });
}

/** Creates the schema when it is missing, then runs the pending migrations, each in its own transaction. */
export async function initializeAndMigrate(ds: DataSource): Promise<void> {
  if (!ds.isInitialized) await ds.initialize();
  const schema = (ds.options as { schema?: string }).schema;
  // Replicas of a service that start together would race to create the schema and apply the same
  // migration (the loser exits on a duplicate key): one at a time per schema, the others then find
  // nothing left to do. A session lock on a connection of its own, released whatever happens.
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [`bz-migrations:${schema ?? 'public'}`]);
    try {
      if (schema) await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`bz-migrations:${schema ?? 'public'}`]);
    }
  } finally {
    await lock.release();
  }
}
