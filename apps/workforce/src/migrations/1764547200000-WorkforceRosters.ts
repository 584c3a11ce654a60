import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enterprise rosters. A roster is the set of `roster_rows` of one completed import; `rosters` points at
 * the import in force for (enterprise, asOf). An upload stages its rows under its own import id while it
 * runs, so replacing a roster is one pointer update in one transaction, whatever the roster's size.
 * Employee ids exist here only as HMAC-SHA256 (`employee_hash`); names and phones never reach the database.
 */
export class WorkforceRosters1764547200000 implements MigrationInterface {
  name = 'WorkforceRosters1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE roster_imports (
        id                 uuid PRIMARY KEY,
        enterprise_code    text NOT NULL,
        as_of              date NOT NULL,
        state              text NOT NULL CHECK (state IN ('running', 'completed', 'failed')),
        format             text,
        rows_read          integer NOT NULL DEFAULT 0,
        rows_accepted      integer NOT NULL DEFAULT 0,
        rows_rejected      integer NOT NULL DEFAULT 0,
        rejected           jsonb NOT NULL DEFAULT '[]',
        failure            text,
        revision           integer,
        headcount          integer,
        smartphone_holders integer,
        installed          integer,
        bluetooth_on       integer,
        joined             integer,
        left_count         integer,
        newly_installed    integer,
        newly_bluetooth_on integer,
        previous_import_id uuid,
        superseded         boolean NOT NULL DEFAULT false,
        rows_purged        boolean NOT NULL DEFAULT false,
        started_by_key     text,
        started_at         timestamptz NOT NULL DEFAULT now(),
        heartbeat_at       timestamptz NOT NULL DEFAULT now(),
        finished_at        timestamptz
      )`);
    await q.query(`CREATE INDEX roster_imports_enterprise ON roster_imports (enterprise_code, started_at DESC)`);
    await q.query(`CREATE INDEX roster_imports_running ON roster_imports (heartbeat_at) WHERE state = 'running'`);
    await q.query(`CREATE INDEX roster_imports_to_purge ON roster_imports (id) WHERE NOT rows_purged AND (state = 'failed' OR superseded)`);
    await q.query(`
      CREATE TABLE roster_rows (
        import_id      uuid NOT NULL,
        employee_hash  bytea NOT NULL,
        line           integer NOT NULL,
        has_smartphone boolean NOT NULL,
        installed      boolean NOT NULL,
        bluetooth_on   boolean NOT NULL,
        PRIMARY KEY (import_id, employee_hash)
      )`);
    await q.query(`
      CREATE TABLE rosters (
        enterprise_code    text NOT NULL,
        as_of              date NOT NULL,
        import_id          uuid NOT NULL,
        revision           integer NOT NULL,
        headcount          integer NOT NULL,
        smartphone_holders integer NOT NULL,
        installed          integer NOT NULL,
        bluetooth_on       integer NOT NULL,
        updated_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_code, as_of)
      )`);
    await q.query(`
      CREATE TABLE transport_checks (
        id                 uuid PRIMARY KEY,
        hub_code           text NOT NULL,
        date               date NOT NULL,
        revision           integer NOT NULL,
        passengers_checked integer NOT NULL,
        already_installed  integer NOT NULL,
        installed_on_site  integer NOT NULL,
        refused            integer NOT NULL,
        submitted_at       timestamptz NOT NULL DEFAULT now(),
        submitted_by_key   text NOT NULL,
        idempotency_key    text,
        request_hash       text NOT NULL,
        UNIQUE (hub_code, date, revision),
        CHECK (already_installed + installed_on_site + refused <= passengers_checked)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX transport_checks_idempotency ON transport_checks (submitted_by_key, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transport_checks`);
    await q.query(`DROP TABLE rosters`);
    await q.query(`DROP TABLE roster_rows`);
    await q.query(`DROP TABLE roster_imports`);
  }
}
