import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the read paths need to answer from the database, not from a whole-country snapshot:
 * - `units_type_idx` on every existing generation (new generations get it from projectionTablesDdl);
 * - `read_model_version`: one counter per inbox consumer, bumped in the transaction that claims new
 *   events, so a reader knows in its own snapshot whether anything was applied since an answer was
 *   cached. The projection checkpoint cannot tell: it only moves forward in occurredAt, so an older
 *   event applied late changes the tables without moving it.
 */
export class ReadPaths1764720000000 implements MigrationInterface {
  name = 'ReadPaths1764720000000';

  async up(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
    for (const r of rows) {
      if (!/^\d+$/.test(r.nspname.slice(base.length + 2))) continue;
      await q.query(`CREATE INDEX IF NOT EXISTS units_type_idx ON "${r.nspname}".units (type)`);
    }
    await q.query(`
      CREATE TABLE read_model_version (
        consumer text PRIMARY KEY,
        version  bigint NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION "${base}".bump_read_model_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "${base}".read_model_version AS v (consumer, version)
        SELECT consumer, 1 FROM claimed GROUP BY consumer
        ON CONFLICT (consumer) DO UPDATE SET version = v.version + 1;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER inbox_read_model_version AFTER INSERT ON "${base}".inbox
      REFERENCING NEW TABLE AS claimed FOR EACH STATEMENT EXECUTE FUNCTION "${base}".bump_read_model_version()`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    await q.query(`DROP TRIGGER inbox_read_model_version ON "${base}".inbox`);
    await q.query(`DROP FUNCTION "${base}".bump_read_model_version()`);
    await q.query(`DROP TABLE read_model_version`);
    const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
    for (const r of rows) await q.query(`DROP INDEX IF EXISTS "${r.nspname}".units_type_idx`);
  }
}
