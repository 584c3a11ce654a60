import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * rates_reports keeps one row per (unit, cohort, day): the version a day's sums take (the highest revision, and of
 * two tied on it the greatest report id and counts), not every revision ever received. Nothing read the others:
 * every read took the latest revision per day, and a flush read and sorted all of them first, so its cost grew
 * with every correction of a day (the benchmark's steady load stored ~11 versions a day by the end of a run).
 * The versions a day's sums do not take are deleted; the primary key becomes the day's.
 */
export class ReportsLatestVersion1765400001100 implements MigrationInterface {
  name = 'ReportsLatestVersion1765400001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM rates_reports r USING (
        SELECT DISTINCT ON (org_unit_code, cohort, as_of) org_unit_code, cohort, as_of, revision FROM rates_reports
         ORDER BY org_unit_code, cohort, as_of, revision DESC
      ) kept
      WHERE r.org_unit_code = kept.org_unit_code AND r.cohort = kept.cohort AND r.as_of = kept.as_of AND r.revision <> kept.revision`);
    await q.query(`ALTER TABLE rates_reports DROP CONSTRAINT rates_reports_pkey`);
    await q.query(`ALTER TABLE rates_reports ADD PRIMARY KEY (org_unit_code, cohort, as_of)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The deleted versions are not restored: nothing computed from them.
    await q.query(`ALTER TABLE rates_reports DROP CONSTRAINT rates_reports_pkey`);
    await q.query(`ALTER TABLE rates_reports ADD PRIMARY KEY (org_unit_code, cohort, as_of, revision)`);
  }
}
