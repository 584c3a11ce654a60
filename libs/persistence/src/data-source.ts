import { Client } from 'pg';
import { DataSource, type MixedList } from 'typeorm';

export interface ServiceDataSourceOptions {
  /** postgres://… */
  readonly url: string;
  /** The service's own schema; every table of the service lives there, found through `search_path`. */
  readonly schema: string;
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

/**
 * When the schema belongs to another role that the connecting user may act as (a superuser running
 * `npm run migration:*`, `rebuild` or `seed` on a database whose services have roles of their own:
 * docs/database-roles.md), the data source acts as that role (`SET ROLE` on every connection), so whatever
 * it creates belongs to the service's role like the rest of its schema, and it reads nothing the service
 * could not. Returns the role taken, or null.
 */
async function actAsSchemaOwner(ds: DataSource, schema: string): Promise<string | null> {
  const options = ds.options as { url?: string; extra?: { options?: string } };
  if (!options.url) return null;
  const c = new Client({ connectionString: options.url, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  let owner: string | null = null;
  try {
    await c.connect();
    const { rows } = await c.query<{ owner: string; me: string; may: boolean }>(
      `SELECT n.nspowner::regrole::text AS owner, current_user::text AS me, pg_has_role(current_user, n.nspowner, 'MEMBER') AS may
       FROM pg_namespace n WHERE n.nspname = $1`,
      [schema],
    );
    const r = rows[0];
    if (r && r.owner !== r.me && r.may && SCHEMA_NAME_PATTERN.test(r.owner)) owner = r.owner;
  } catch {
    return null; // the data source's own connection reports what is wrong
  } finally {
    await c.end().catch(() => undefined);
  }
  if (owner) ds.setOptions({ extra: { ...options.extra, options: `${options.extra?.options ?? ''} -c role=${owner}`.trim() } } as never);
  return owner;
}

/** Creates the schema when it is missing, then runs the pending migrations, each in its own transaction. */
export async function initializeAndMigrate(ds: DataSource): Promise<void> {
  const schema = (ds.options as { schema?: string }).schema;
  if (!ds.isInitialized) {
    if (schema) await actAsSchemaOwner(ds, schema);
    await ds.initialize();
  }
  // Replicas of a service that start together would race to create the schema and apply the same
  // migration (the loser exits on a duplicate key): one at a time per schema, the others then find
  // nothing left to do. A session lock on a connection of its own, released whatever happens.
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [`bz-migrations:${schema ?? 'public'}`]);
    try {
      // Only when missing: a service's role has no right to create schemas (the launcher makes its schema for it).
      const [{ missing }]: Array<{ missing: boolean }> = schema
        ? await ds.query(`SELECT NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS missing`, [schema])
        : [{ missing: false }];
      if (schema && missing) await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`bz-migrations:${schema ?? 'public'}`]);
    }
  } finally {
    await lock.release();
  }
}
