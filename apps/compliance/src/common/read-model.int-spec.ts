import { DataSource } from 'typeorm';
import type { CampaignCalendar } from '@app/platform';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { generationSchema, projectionTablesDdl } from '../projection/projection.schema';
import { PREPARED_TEXTS_MAX, ReadModelService } from './read-model.service';

/** The connection's prepared statements, read by the statement itself (it is listed while it runs when it is one). */
const PREPARED = () => `SELECT coalesce(json_agg(name ORDER BY name), '[]') FROM pg_prepared_statements`;

describe('ReadModelService.readOne: one prepared statement per text, on the live generation', () => {
  let url: string;
  let ds: DataSource;
  let reads: ReadModelService;
  const base = 'rm';

  beforeAll(async () => {
    url = await freshDatabase('readone');
    ds = new DataSource({ type: 'postgres', url, schema: base, extra: { options: `-c search_path=${base}` } });
    await ds.initialize();
    await ds.query(`CREATE SCHEMA ${base}`);
    await ds.query(`CREATE TABLE ${base}.projection_pointer (generation integer NOT NULL)`);
    await ds.query(`INSERT INTO ${base}.projection_pointer VALUES (1)`);
    for (const sql of projectionTablesDdl(generationSchema(base, 1))) await ds.query(sql);
    // No checkpoint row: the calendar is never asked for a time.
    reads = new ReadModelService(ds, {} as CampaignCalendar);
  });
  afterAll(async () => {
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  it('runs a read route’s statement as a named prepared statement, planned once per connection', async () => {
    const { data } = await reads.readOne<string[]>(PREPARED, []);
    expect(data.filter((n) => n.startsWith('rm_'))).toHaveLength(1);
  });

  it('answers from the new generation once the old one is switched and dropped', async () => {
    const count = (s: string) => `SELECT count(*)::int FROM "${s}".units`;
    expect((await reads.readOne<number>(count, [])).data).toBe(0);
    for (const sql of projectionTablesDdl(generationSchema(base, 2))) await ds.query(sql);
    await ds.query(`INSERT INTO "${generationSchema(base, 2)}".units (code, revision) VALUES ('X', 1)`);
    await ds.query(`UPDATE ${base}.projection_pointer SET generation = 2`);
    await ds.query(`DROP SCHEMA "${generationSchema(base, 1)}" CASCADE`);
    expect((await reads.readOne<number>(count, [])).data).toBe(1);
  });

  it(`prepares no more than ${PREPARED_TEXTS_MAX} texts; the others are planned on each run`, async () => {
    for (let i = 0; i < PREPARED_TEXTS_MAX; i++) await reads.readOne<number>(() => `SELECT ${i}`, []);
    const { data } = await reads.readOne<string[]>(() => `${PREPARED()} /* past the bound */`, []);
    expect(data.length).toBeGreaterThan(0);
    expect(data.length).toBeLessThanOrEqual(PREPARED_TEXTS_MAX);
    const again = await reads.readOne<string[]>(() => `${PREPARED()} /* past the bound */`, []);
    expect(again.data).toEqual(data);
  });
});
