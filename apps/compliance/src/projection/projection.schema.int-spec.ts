import type { DataSource } from 'typeorm';
import { createServiceDataSource, initializeAndMigrate, OutboxInbox1764460800000 } from '@app/persistence';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { COMPLIANCE_MIGRATIONS } from '../compliance.module';
import { generationSchema, projectionTablesDdl } from './projection.schema';

/**
 * The first migration is frozen; the live schema makes every later generation (a rebuild). The two must
 * agree after the migrations: a change to projection.schema.ts without a migration that alters the
 * existing generations fails here.
 */
describe('compliance projection schema: migrated generation 1 equals a generation made from the live schema', () => {
  let url: string;
  let ds: DataSource;

  beforeAll(async () => {
    url = await freshDatabase('cmpschema');
    ds = createServiceDataSource({ url, schema: 'cmp', migrations: [OutboxInbox1764460800000, ...COMPLIANCE_MIGRATIONS] });
    await initializeAndMigrate(ds);
    for (const sql of projectionTablesDdl(generationSchema('cmp', 99))) await ds.query(sql);
  });
  afterAll(async () => {
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  const shape = async (schema: string) => ({
    columns: await ds.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = $1 ORDER BY table_name, column_name`,
      [schema],
    ),
    indexes: (
      (await ds.query(`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY tablename, indexdef`, [schema])) as Array<{
        tablename: string;
        indexdef: string;
      }>
    ).map((i) => ({ table: i.tablename, def: i.indexdef.replaceAll(`"${schema}".`, '').replaceAll(`${schema}.`, '') })),
  });

  it('has the same tables, columns and indexes', async () => {
    const migrated = await shape(generationSchema('cmp', 1));
    expect(migrated.columns.length).toBeGreaterThan(50);
    expect(migrated).toEqual(await shape(generationSchema('cmp', 99)));
  });
});
