import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data of rosters (docs/data-protection.md): when retention erased an upload's rows
 * (`rows_erased_at`; its counts stay), and a record of each erasure on request, without the employee id.
 */
export class RosterRetention1765000000000 implements MigrationInterface {
  name = 'RosterRetention1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_imports ADD COLUMN rows_erased_at timestamptz`);
    await q.query(
      `CREATE INDEX roster_imports_retention ON roster_imports (finished_at) WHERE state = 'completed' AND NOT rows_purged AND rows_erased_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE roster_erasures (
        id               uuid PRIMARY KEY,
        enterprise_code  text NOT NULL,
        rows_erased      integer NOT NULL,
        import_ids       uuid[] NOT NULL,
        requested_by_key text NOT NULL,
        erased_at        timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE roster_erasures`);
    await q.query(`DROP INDEX roster_imports_retention`);
    await q.query(`ALTER TABLE roster_imports DROP COLUMN rows_erased_at`);
  }
}
