import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * quality_reports' (cohort, as_of) index served no query: every read of the table goes by unit (the primary key
 * (unit_code, cohort, as_of): a report's history, its siblings' days, an enterprise's reports under a roster). It
 * was kept up to date on every report judged, and with statistics behind the fast-growing table the planner once
 * took it for the siblings' read and filtered every unit's reports of the window for each sibling.
 */
export class DropQualityReportsDayIndex1796700000000 implements MigrationInterface {
  name = 'DropQualityReportsDayIndex1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS quality_reports_cohort_date`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS quality_reports_cohort_date ON quality_reports (cohort, as_of)`);
  }
}
