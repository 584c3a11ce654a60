import type { MigrationInterface, QueryRunner } from 'typeorm';
import { generationSchema, readSchema, readViewsDdl } from '../projection/projection.schema';

/**
 * Newest-wins for two rows that had none (so events applied in any order, or a batch at once, give the
 * same tables): `units.attributes_revision` (the revision of the upsert the attributes come from; a
 * retirement moves only `revision`) and the event order of `cohort_denominators`. Existing generations
 * get the columns (attributes taken as of the row's revision, as the old rule did); the analysts' views
 * are re-pointed so they show them.
 */
export class ProjectionEventOrder1764633600000 implements MigrationInterface {
  name = 'ProjectionEventOrder1764633600000';

  async up(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    for (const g of await generations(q, base)) {
      await q.query(`ALTER TABLE "${g}".units ADD COLUMN IF NOT EXISTS attributes_revision integer`);
      await q.query(`UPDATE "${g}".units SET attributes_revision = revision WHERE type IS NOT NULL AND attributes_revision IS NULL`);
      await q.query(
        `ALTER TABLE "${g}".cohort_denominators ADD COLUMN IF NOT EXISTS event_occurred_at timestamptz, ADD COLUMN IF NOT EXISTS event_id uuid`,
      );
    }
    await repointViews(q, base);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    // Views select every column: they go first, and come back without the dropped ones.
    await q.query(`DROP VIEW IF EXISTS "${readSchema(base)}".units, "${readSchema(base)}".cohort_denominators`);
    for (const g of await generations(q, base)) {
      await q.query(`ALTER TABLE "${g}".units DROP COLUMN IF EXISTS attributes_revision`);
      await q.query(`ALTER TABLE "${g}".cohort_denominators DROP COLUMN IF EXISTS event_occurred_at, DROP COLUMN IF EXISTS event_id`);
    }
    await repointViews(q, base);
  }
}

async function generations(q: QueryRunner, base: string): Promise<string[]> {
  const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
  return rows.map((r) => r.nspname);
}

async function repointViews(q: QueryRunner, base: string): Promise<void> {
  const [{ generation }] = (await q.query(`SELECT generation FROM projection_pointer`)) as Array<{ generation: number }>;
  for (const sql of readViewsDdl(readSchema(base), generationSchema(base, generation))) await q.query(sql);
}
