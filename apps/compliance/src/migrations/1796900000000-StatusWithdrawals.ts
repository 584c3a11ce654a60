import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A unit's status against a target can be withdrawn (rates.target.status-withdrawn: it retired, or left the target's
 * scope): the projection stores the withdrawal as a status row with no status, threshold nor gap, and every read takes
 * a unit whose latest row is one as having no status (a retired department no longer counted among the units without
 * data, an emptied district no longer among those failing). In every existing generation; new generations get the
 * columns from projectionTablesDdl.
 *
 * Down takes the withdrawals away and counts the units by status again from the rows left (as StatusCountsByDate
 * filled them): the code before this migration holds a unit's last status for ever. Written out here, not taken from
 * the live code, so that what this migration does never changes.
 */
export class StatusWithdrawals1796900000000 implements MigrationInterface {
  name = 'StatusWithdrawals1796900000000';

  async up(q: QueryRunner): Promise<void> {
    for (const s of await generations(q)) {
      await q.query(
        `ALTER TABLE ${s}.target_statuses ALTER COLUMN status DROP NOT NULL, ALTER COLUMN threshold DROP NOT NULL, ALTER COLUMN gap DROP NOT NULL`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const s of await generations(q)) {
      await q.query(`DELETE FROM ${s}.target_statuses WHERE status IS NULL`);
      await q.query(
        `ALTER TABLE ${s}.target_statuses ALTER COLUMN status SET NOT NULL, ALTER COLUMN threshold SET NOT NULL, ALTER COLUMN gap SET NOT NULL`,
      );
      await q.query(`DELETE FROM ${s}.status_count_deltas`);
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
}

/** The quoted schema of every generation of the read model. */
async function generations(q: QueryRunner): Promise<string[]> {
  const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
  const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
  return rows.filter((r) => /^\d+$/.test(r.nspname.slice(base.length + 2))).map((r) => `"${r.nspname}"`);
}
