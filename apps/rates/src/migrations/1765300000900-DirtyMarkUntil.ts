import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A dirty mark says the last day its input can have changed as well as the first: a report changes its unit's
 * own sums from its day until the unit's next report of the cohort, and no further, so a flush recomputes those
 * days (and the days a status looks back over them), not every day to the campaign's end. Null: no last day
 * (a unit's move or retirement, a denominator, and every mark stored before this column).
 */
export class DirtyMarkUntil1765300000900 implements MigrationInterface {
  name = 'DirtyMarkUntil1765300000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rates_dirty ADD COLUMN until_date date`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rates_dirty DROP COLUMN until_date`);
  }
}
