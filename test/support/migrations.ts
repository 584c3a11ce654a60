import type { DataSource, MigrationInterface } from 'typeorm';
import { createServiceDataSource, initializeAndMigrate } from '@app/persistence';
import { dropDatabase, freshDatabase } from './int-env';

type MigrationClass = new () => MigrationInterface;

/**
 * A fresh database for a migration test (one per test file), and `migrate(schema, migrations)`: a data
 * source on that schema with exactly those migrations run, closed with the database after the file.
 */
export function useMigrationDatabase(label: string): { migrate(schema: string, migrations: MigrationClass[]): Promise<DataSource> } {
  let dbUrl: string;
  const sources: DataSource[] = [];
  beforeAll(async () => {
    dbUrl = await freshDatabase(label);
  });
  afterAll(async () => {
    for (const ds of sources) await ds.destroy().catch(() => undefined);
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  });
  return {
    async migrate(schema, migrations) {
      const ds = createServiceDataSource({
        url: dbUrl,
        schema,
        migrations,
        poolSize: 2,
        applicationName: `migrate-${label}`,
      });
      sources.push(ds);
      await initializeAndMigrate(ds);
      return ds;
    },
  };
}
