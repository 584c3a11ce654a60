import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental roll-ups: each unit's subtree sums per lane (`cohort:<cohort>` for figures, `target:<id>` for
 * statuses) as a step function of the day (a row holds from its date until the next one), and the span
 * they extend over. A flush recomputes a unit from its children's rows instead of walking its subtree.
 * The rows are built here by marking every unit's every cohort and every target: the next flush computes
 * them all (once, as a replay would), and every flush after it is incremental.
 */
export class Rollups1765100000700 implements MigrationInterface {
  name = 'Rollups1765100000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rates_rollups (
        org_unit_code      text NOT NULL,
        lane               text NOT NULL,
        date               date NOT NULL,
        headcount          integer NOT NULL,
        smartphone_holders integer NOT NULL,
        installed          integer NOT NULL,
        bluetooth_on       integer NOT NULL,
        contributors       integer NOT NULL,
        reporting          integer NOT NULL,
        reported_that_day  integer NOT NULL,
        expected           integer NOT NULL,
        PRIMARY KEY (org_unit_code, lane, date)
      )`);
    await q.query(`
      CREATE TABLE rates_rollup_spans (
        org_unit_code text NOT NULL,
        lane          text NOT NULL,
        first_report  date,
        last_report   date,
        last_retired  date,
        in_scope      boolean NOT NULL,
        PRIMARY KEY (org_unit_code, lane)
      )`);
    // A flush reads the children of the units it recomputes.
    await q.query(`CREATE INDEX rates_units_admin_parent ON rates_units (admin_parent_code)`);
    await q.query(`CREATE INDEX rates_units_accountable_to ON rates_units (accountable_to_code)`);
    // The cohorts as of this migration (a migration never reads live code).
    await q.query(
      `INSERT INTO rates_dirty (org_unit_code, cohort, from_date)
       SELECT u.code, c.cohort, '0001-01-01' FROM rates_units u
       CROSS JOIN unnest(ARRAY['staff', 'students', 'youth_members', 'association_members', 'enterprise_workers', 'residents']) AS c(cohort)
       WHERE u.type IS NOT NULL`,
    );
    await q.query(`INSERT INTO rates_dirty_targets (target_id) SELECT target_id FROM rates_targets`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rates_units_accountable_to`);
    await q.query(`DROP INDEX rates_units_admin_parent`);
    await q.query(`DROP TABLE rates_rollup_spans`);
    await q.query(`DROP TABLE rates_rollups`);
  }
}
