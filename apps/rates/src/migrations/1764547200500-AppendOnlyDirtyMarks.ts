import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dirty marks become append-only: handlers only INSERT and the flusher deletes the marks it saw. An
 * upsert on (unit, cohort) made consumer batches and the flusher lock the same rows in different
 * orders, and deadlock under load.
 */
export class AppendOnlyDirtyMarks1764547200500 implements MigrationInterface {
  name = 'AppendOnlyDirtyMarks1764547200500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rates_dirty DROP CONSTRAINT rates_dirty_pkey`);
    await q.query(`ALTER TABLE rates_dirty ADD COLUMN id bigserial PRIMARY KEY`);
    await q.query(`ALTER TABLE rates_dirty_targets DROP CONSTRAINT rates_dirty_targets_pkey`);
    await q.query(`ALTER TABLE rates_dirty_targets ADD COLUMN id bigserial PRIMARY KEY`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM rates_dirty a USING rates_dirty b WHERE a.org_unit_code = b.org_unit_code AND a.cohort = b.cohort AND a.id > b.id`,
    );
    await q.query(`ALTER TABLE rates_dirty DROP COLUMN id`);
    await q.query(`ALTER TABLE rates_dirty ADD PRIMARY KEY (org_unit_code, cohort)`);
    await q.query(`DELETE FROM rates_dirty_targets a USING rates_dirty_targets b WHERE a.target_id = b.target_id AND a.id > b.id`);
    await q.query(`ALTER TABLE rates_dirty_targets DROP COLUMN id`);
    await q.query(`ALTER TABLE rates_dirty_targets ADD PRIMARY KEY (target_id)`);
  }
}
