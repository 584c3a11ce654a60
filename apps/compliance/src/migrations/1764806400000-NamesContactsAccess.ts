import type { MigrationInterface, QueryRunner } from 'typeorm';
import { generationSchema, readSchema, readViewsDdl } from '../projection/projection.schema';

/**
 * Issue 16: targets' Vietnamese and English names and heads' phone and e-mail in every existing generation
 * (new generations get them from projectionTablesDdl, as the last columns, so the analysts' views keep
 * their column order), the views re-pointed so they show them, and the record of who read heads'
 * contacts (docs/data-protection.md), which belongs to no generation: a rebuild must not erase it.
 */
export class NamesContactsAccess1764806400000 implements MigrationInterface {
  name = 'NamesContactsAccess1764806400000';

  async up(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
    for (const r of rows) {
      if (!/^\d+$/.test(r.nspname.slice(base.length + 2))) continue;
      await q.query(`ALTER TABLE "${r.nspname}".units ADD COLUMN IF NOT EXISTS head_phone text, ADD COLUMN IF NOT EXISTS head_email text`);
      await q.query(`ALTER TABLE "${r.nspname}".targets ADD COLUMN IF NOT EXISTS name_vi text, ADD COLUMN IF NOT EXISTS name_en text`);
    }
    const [live] = (await q.query(`SELECT generation FROM projection_pointer`)) as Array<{ generation: number }>;
    if (live) for (const sql of readViewsDdl(readSchema(base), generationSchema(base, live.generation))) await q.query(sql);
    await q.query(`
      CREATE TABLE contact_access (
        id          bigserial PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        key_id      text NOT NULL,
        role        text NOT NULL,
        key_unit    text,
        route       text NOT NULL,
        units       integer NOT NULL,
        unit_codes  text[] NOT NULL
      )`);
    await q.query(`CREATE INDEX contact_access_at_idx ON contact_access (at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contact_access`);
  }
}
