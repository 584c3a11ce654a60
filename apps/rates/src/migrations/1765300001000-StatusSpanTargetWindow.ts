import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A status's span now lasts until its target's own reporting window has lapsed after the last report, where that
 * window is longer than the figures' (a status past its span holds its last day, which must then be one on which
 * the unit no longer counts as reporting). Stored statuses may end too early: every target is marked for
 * re-evaluation, so the next flush recomputes every status by the rule and publishes the ones that change.
 */
export class StatusSpanTargetWindow1765300001000 implements MigrationInterface {
  name = 'StatusSpanTargetWindow1765300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO rates_dirty_targets (target_id) SELECT target_id FROM rates_targets`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the marks are taken by the next flush, and the rows it wrote are the rule's.
  }
}
