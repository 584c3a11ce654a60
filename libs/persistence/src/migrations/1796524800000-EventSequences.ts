import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gap-free sequences per (producer, subject), so that a consumer can tell an event the broker lost from one it
 * simply does not read (docs/architecture.md, Delivery: loss by the broker is detected and repaired).
 *
 * Producer side: `outbox_sequence` holds the last number given out per subject; the relay numbers rows
 * (`outbox.subject_seq`) under its lock and commits the numbers before it publishes them, so a number is never
 * given twice nor skipped, across replicas and restarts. Consumer side: the inbox records the number of each
 * event it applied, `inbox_unapplied` the numbers it will not apply (dead-lettered, or lost beyond the
 * producer's retention), and `inbox_watermark` how far the numbers of a subject are known to be complete.
 */
export class EventSequences1796524800000 implements MigrationInterface {
  name = 'EventSequences1796524800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_sequence (
        subject  text PRIMARY KEY,
        last_seq bigint NOT NULL
      )`);
    await q.query(`ALTER TABLE outbox ADD COLUMN subject_seq bigint`);
    await q.query(`CREATE UNIQUE INDEX outbox_subject_seq ON outbox (subject, subject_seq) WHERE subject_seq IS NOT NULL`);
    await q.query(`ALTER TABLE inbox ADD COLUMN subject text, ADD COLUMN subject_seq bigint`);
    await q.query(`CREATE INDEX inbox_subject_seq ON inbox (consumer, subject, subject_seq) WHERE subject_seq IS NOT NULL`);
    await q.query(`
      CREATE TABLE inbox_unapplied (
        consumer    text NOT NULL,
        subject     text NOT NULL,
        subject_seq bigint NOT NULL,
        reason      text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, subject, subject_seq)
      )`);
    await q.query(`
      CREATE TABLE inbox_watermark (
        consumer   text NOT NULL,
        subject    text NOT NULL,
        complete   bigint NOT NULL,
        checked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, subject)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbox_watermark`);
    await q.query(`DROP TABLE inbox_unapplied`);
    await q.query(`DROP INDEX inbox_subject_seq`);
    await q.query(`ALTER TABLE inbox DROP COLUMN subject, DROP COLUMN subject_seq`);
    await q.query(`DROP INDEX outbox_subject_seq`);
    await q.query(`ALTER TABLE outbox DROP COLUMN subject_seq`);
    await q.query(`DROP TABLE outbox_sequence`);
  }
}
