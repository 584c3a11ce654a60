import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A unit's status can be withdrawn (rates.target.status-withdrawn: it retired or left the target): kept as a row with no
 * status, threshold nor gap, so that a unit whose latest row is one is reminded of nothing. Down takes them away (the
 * code before this migration kept the last status for ever).
 */
export class StatusWithdrawals1796900000100 implements MigrationInterface {
  name = 'StatusWithdrawals1796900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE unit_statuses ALTER COLUMN status DROP NOT NULL, ALTER COLUMN threshold DROP NOT NULL, ALTER COLUMN gap DROP NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM unit_statuses WHERE status IS NULL`);
    await q.query(
      `ALTER TABLE unit_statuses ALTER COLUMN status SET NOT NULL, ALTER COLUMN threshold SET NOT NULL, ALTER COLUMN gap SET NOT NULL`,
    );
  }
}
