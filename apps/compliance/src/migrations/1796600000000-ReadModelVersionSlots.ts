import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15: the read-model version no longer serialises the replicas of a consumer.
 *
 * The trigger bumped one row per consumer when a transaction claimed events, that is at the first statement
 * of a batch's apply, and the row stayed locked until the batch committed: two replicas of the projection
 * (or of quality) waited on it for each other's whole batch, so a second replica added nothing (the inbox
 * insert, where the trigger runs, was the costliest statement of the two-replica pipeline benchmark, 351 ms a
 * call). Each transaction now bumps one of 16 rows of its consumer (`consumer#slot`, by its connection),
 * so two replicas' connections meet on one row once in 16 (and then wait as before). A reader still
 * aggregates every row, so its version changes whenever any claim commits: nothing is read differently.
 * The old rows (`consumer` alone) stay as they were and keep their place in the aggregate.
 */
export class ReadModelVersionSlots1796600000000 implements MigrationInterface {
  name = 'ReadModelVersionSlots1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(bumpFunction(await baseSchema(q), `consumer || '#' || (pg_backend_pid() % 16)`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(bumpFunction(await baseSchema(q), 'consumer'));
    await q.query(`DELETE FROM read_model_version WHERE consumer LIKE '%#%'`);
  }
}

async function baseSchema(q: QueryRunner): Promise<string> {
  const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
  return base;
}

/** The trigger's function, bumping the row named by `row` (an expression over the claimed rows' consumer). */
function bumpFunction(base: string, row: string): string {
  return `
    CREATE OR REPLACE FUNCTION "${base}".bump_read_model_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO "${base}".read_model_version AS v (consumer, version)
      SELECT ${row}, 1 FROM claimed GROUP BY consumer
      ON CONFLICT (consumer) DO UPDATE SET version = v.version + 1;
      RETURN NULL;
    END $$`;
}
