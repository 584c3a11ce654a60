import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deployment that ran before StatusWithdrawals holds statuses for units that had already retired, merged away or left
 * a target's scope: the last status each was told stands for ever in every consumer (a retired department among the
 * units without data, an emptied district among those failing, its head reminded). Nothing reaches those units again
 * unless their target is re-evaluated, so every target is marked: the next flush re-evaluates every unit, and every
 * unit that had a status it should no longer have is withdrawn (rates.target.status-withdrawn), from the day it should.
 * On a deployment that never held such a status the flush publishes nothing new.
 */
export class WithdrawStaleStatuses1765600001400 implements MigrationInterface {
  name = 'WithdrawStaleStatuses1765600001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO rates_dirty_targets (target_id) SELECT target_id FROM rates_targets`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the marks are taken by the next flush, and what it publishes is the rule's.
  }
}
