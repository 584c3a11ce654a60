import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ANALYST_ROLE, generationSchema, projectionTablesDdl, readSchema, readViewsDdl } from '../projection/projection.schema';

/**
 * The compliance read model: generation 1 of the projection tables, the pointer that says which
 * generation is live, the analysts' views, and a read-only role for them (docs/compliance-schema.md).
 */
export class ComplianceProjection1764547200000 implements MigrationInterface {
  name = 'ComplianceProjection1764547200000';

  async up(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    await q.query(`
      CREATE TABLE projection_pointer (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        generation  integer NOT NULL,
        switched_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO projection_pointer (generation) VALUES (1)`);
    const g1 = generationSchema(base, 1);
    await q.query(`DROP SCHEMA IF EXISTS "${g1}" CASCADE`);
    for (const sql of projectionTablesDdl(g1)) await q.query(sql);
    const read = readSchema(base);
    await q.query(`CREATE SCHEMA IF NOT EXISTS "${read}"`);
    for (const sql of readViewsDdl(read, g1)) await q.query(sql);
    // Roles are cluster-wide: another database (or a concurrent test) may have made it already.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ANALYST_ROLE}') THEN
          CREATE ROLE ${ANALYST_ROLE} NOLOGIN;
        END IF;
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role ${ANALYST_ROLE}: grant it by hand';
      END $$`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ANALYST_ROLE}') THEN
          EXECUTE 'GRANT USAGE ON SCHEMA "${read}" TO ${ANALYST_ROLE}';
          EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA "${read}" TO ${ANALYST_ROLE}';
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    await q.query(`DROP SCHEMA IF EXISTS "${readSchema(base)}" CASCADE`);
    const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
    for (const r of rows) await q.query(`DROP SCHEMA "${r.nspname}" CASCADE`);
    await q.query(`DROP TABLE projection_pointer`);
  }
}
