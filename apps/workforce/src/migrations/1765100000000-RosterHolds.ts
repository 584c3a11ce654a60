import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roster uploads that are read and judged but not put in force: a dry run (`preview`) and a replacement
 * removing more than ROSTER_MAX_REMOVAL_SHARE of the previous roster (`pending`). Both keep their staged rows
 * and a confirmation token until confirmed (then `completed`), rejected, superseded by a newer upload of the
 * enterprise, or expired (ROSTER_HOLD_HOURS); `before_figures` are the counts in force when it was judged.
 */
export class RosterHolds1765100000000 implements MigrationInterface {
  name = 'RosterHolds1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_state_check`);
    await q.query(
      `ALTER TABLE roster_imports ADD CONSTRAINT roster_imports_state_check
         CHECK (state IN ('running', 'completed', 'failed', 'preview', 'pending', 'rejected', 'superseded', 'expired'))`,
    );
    await q.query(`ALTER TABLE roster_imports ADD COLUMN preview_token text`);
    await q.query(`ALTER TABLE roster_imports ADD COLUMN before_figures jsonb`);
    await q.query(`ALTER TABLE roster_imports ADD COLUMN removal_share double precision`);
    await q.query(`ALTER TABLE roster_imports ADD COLUMN decided_by_key text`);
    await q.query(`ALTER TABLE roster_imports ADD COLUMN decided_at timestamptz`);
    await q.query(
      `CREATE INDEX roster_imports_held ON roster_imports (enterprise_code, finished_at) WHERE state IN ('preview', 'pending')`,
    );
    await q.query(`DROP INDEX roster_imports_to_purge`);
    await q.query(
      `CREATE INDEX roster_imports_to_purge ON roster_imports (id)
         WHERE NOT rows_purged AND (state IN ('failed', 'rejected', 'superseded', 'expired') OR superseded)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX roster_imports_to_purge`);
    await q.query(`CREATE INDEX roster_imports_to_purge ON roster_imports (id) WHERE NOT rows_purged AND (state = 'failed' OR superseded)`);
    await q.query(`DROP INDEX roster_imports_held`);
    for (const c of ['decided_at', 'decided_by_key', 'removal_share', 'before_figures', 'preview_token'])
      await q.query(`ALTER TABLE roster_imports DROP COLUMN ${c}`);
    await q.query(`DELETE FROM roster_imports WHERE state NOT IN ('running', 'completed', 'failed')`);
    await q.query(`ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_state_check`);
    await q.query(
      `ALTER TABLE roster_imports ADD CONSTRAINT roster_imports_state_check CHECK (state IN ('running', 'completed', 'failed'))`,
    );
  }
}
