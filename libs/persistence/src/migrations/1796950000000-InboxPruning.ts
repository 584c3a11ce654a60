import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox is pruned below the gap check's watermark (libs/persistence inbox-sequence.ts, pruneApplied): a consumer
 * kept a row per event it applied for ever (~5.5 rows a report across the pipeline's consumers: ~600,000 rows a day
 * for a national campaign of 110,000 reports a day, each row in a uuid index written at random). `pruned_through`
 * says up to which number of a subject the rows are gone: a number at or below it that `inbox_unapplied` does not
 * hold was applied, and a claim refuses it (claimEvents).
 */
export class InboxPruning1796950000000 implements MigrationInterface {
  name = 'InboxPruning1796950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbox_watermark ADD COLUMN pruned_through bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The pruned rows are gone: without the mark, a redelivered event at or below it would be applied again. Down is
    // refused while anything was pruned (rebuild the consumer from the stream first: resetInbox), not silently lossy.
    const [{ n }] = (await q.query(`SELECT count(*)::int AS n FROM inbox_watermark WHERE pruned_through > 0`)) as Array<{ n: number }>;
    if (n > 0) throw new Error(`InboxPruning down: ${n} consumer subject(s) have pruned inbox rows; rebuild them before going back`);
    await q.query(`ALTER TABLE inbox_watermark DROP COLUMN pruned_through`);
  }
}
