import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A status publication is either the evaluation of its day or a withdrawal (`{"date": …, "withdrawn": true}`): the unit
 * retired that day or left the target's scope, and consumers hold no status for it from then on
 * (rates.target.status-withdrawn). Before, such a unit kept the last status it was told of, for ever (a retired
 * department counted among the units without data, an emptied district among those it last failed).
 *
 * Up states the two forms as a check on the table. Down takes the withdrawals away (the code before this migration
 * reads every publication as an evaluation; without them it behaves as it did: the last status stands), so that
 * PublishedTimelinesOnly's down can rebuild its tables from the evaluations.
 */
export class StatusWithdrawals1765600001300 implements MigrationInterface {
  name = 'StatusWithdrawals1765600001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE rates_published_statuses ADD CONSTRAINT rates_published_statuses_payload_form
         CHECK (payload ? 'status' OR payload @> '{"withdrawn": true}')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rates_published_statuses DROP CONSTRAINT rates_published_statuses_payload_form`);
    await q.query(`DELETE FROM rates_published_statuses WHERE payload @> '{"withdrawn": true}'`);
  }
}
