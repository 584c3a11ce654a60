import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A status's forecast date is made up to its target's deadline only (after it the status is met or breached,
 * whatever the trend). Stored statuses after a deadline may still carry one: every target is marked for
 * re-evaluation, so the next flush recomputes every status by the rule and publishes the ones that change.
 */
export class ForecastUntilDeadline1765200000800 implements MigrationInterface {
  name = 'ForecastUntilDeadline1765200000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO rates_dirty_targets (target_id) SELECT target_id FROM rates_targets`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the marks are taken by the next flush, and the rows it wrote are the rule's.
  }
}
