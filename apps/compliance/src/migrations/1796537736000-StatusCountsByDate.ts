import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: the summary's units by status kept by the projection (projection/status-counts.ts) in every
 * existing generation, filled from each generation's statuses; new generations get the table from
 * projectionTablesDdl and fill it as they are projected. Written out here, not taken from the live code,
 * so that what this migration does never changes.
 */
export class StatusCountsByDate1796537736000 implements MigrationInterface {
  name = 'StatusCountsByDate1796537736000';

  async up(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
    for (const r of rows) {
      if (!/^\d+$/.test(r.nspname.slice(base.length + 2))) continue;
      const s = `"${r.nspname}"`;
      await q.query(`
        CREATE TABLE ${s}.status_count_deltas (
          target_id text NOT NULL,
          date      date NOT NULL,
          status    text NOT NULL,
          delta     integer NOT NULL,
          PRIMARY KEY (target_id, date, status)
        )`);
      // Each unit's first status counts +1 on its day; each later one +1 for itself and -1 for the one before.
      await q.query(`
        WITH h AS (
          SELECT target_id, date, status, lag(status) OVER (PARTITION BY target_id, org_unit_code ORDER BY date) AS prev
          FROM ${s}.target_statuses
        ), d AS (
          SELECT target_id, date, status, 1 AS n FROM h
          UNION ALL
          SELECT target_id, date, prev, -1 FROM h WHERE prev IS NOT NULL
        )
        INSERT INTO ${s}.status_count_deltas (target_id, date, status, delta)
        SELECT target_id, date, status, sum(n)::int FROM d GROUP BY target_id, date, status HAVING sum(n) <> 0`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
    for (const r of rows) await q.query(`DROP TABLE IF EXISTS "${r.nspname}".status_count_deltas`);
  }
}
