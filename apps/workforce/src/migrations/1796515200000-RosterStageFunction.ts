import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How a chunk of an upload is staged (RosterImportStore.stage): a plain insert first, and only when a repeated
 * employee breaks the primary key, the same rows again with ON CONFLICT DO NOTHING. ON CONFLICT makes every row
 * a speculative insertion (an index probe, the insert, a confirmation record): about a quarter of the
 * statement's CPU, for repeats a roster seldom has. The violation is caught here, in the function, because
 * an error that reached the client would be written to the server's log with its key: a worker's hash,
 * which erasure and retention (docs/data-protection.md) could not reach there. Only the import itself writes
 * its rows, one chunk at a time, so the violation can only be a repeat. Rows go in hash order (the index's
 * leaf pages in turn), equal hashes in file order, so the first line of a repeated id is the one taken.
 */
export class RosterStageFunction1796515200000 implements MigrationInterface {
  name = 'RosterStageFunction1796515200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION roster_stage(p_import uuid, p_hashes bytea, p_lines integer[], p_flags integer[]) RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE
        taken integer;
      BEGIN
        BEGIN
          INSERT INTO roster_rows (import_id, employee_hash, line, has_smartphone, installed, bluetooth_on)
          SELECT p_import, h, t.l, (t.f & 1) <> 0, (t.f & 2) <> 0, (t.f & 4) <> 0
          FROM unnest(p_lines, p_flags) WITH ORDINALITY AS t(l, f, o),
            substring(p_hashes FROM (t.o::int - 1) * 32 + 1 FOR 32) AS h
          ORDER BY h, t.o;
          GET DIAGNOSTICS taken = ROW_COUNT;
        EXCEPTION WHEN unique_violation THEN
          INSERT INTO roster_rows (import_id, employee_hash, line, has_smartphone, installed, bluetooth_on)
          SELECT p_import, h, t.l, (t.f & 1) <> 0, (t.f & 2) <> 0, (t.f & 4) <> 0
          FROM unnest(p_lines, p_flags) WITH ORDINALITY AS t(l, f, o),
            substring(p_hashes FROM (t.o::int - 1) * 32 + 1 FOR 32) AS h
          ORDER BY h, t.o
          ON CONFLICT (import_id, employee_hash) DO NOTHING;
          GET DIAGNOSTICS taken = ROW_COUNT;
        END;
        RETURN taken;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION roster_stage(uuid, bytea, integer[], integer[])`);
  }
}
