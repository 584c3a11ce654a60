import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * quality_violations by report: (unit_code, cohort, as_of) in place of (unit_code). A batch of reports judged reads
 * the stored violations of each report (`existingViolations`); the unique key leads with the rule, so the planner
 * chose a hash join over every violation ever raised (20,000 rows and ~30 ms a batch after a minute of the pipeline
 * benchmark, growing with the table) rather than six descents of it per report. Led by the unit, the new index
 * serves the follow-up list's reads by unit as the old one did.
 */
export class QualityViolationsByReport1796800000000 implements MigrationInterface {
  name = 'QualityViolationsByReport1796800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS quality_violations_report ON quality_violations (unit_code, cohort, as_of)`);
    await q.query(`DROP INDEX IF EXISTS quality_violations_unit`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS quality_violations_unit ON quality_violations (unit_code)`);
    await q.query(`DROP INDEX IF EXISTS quality_violations_report`);
  }
}
