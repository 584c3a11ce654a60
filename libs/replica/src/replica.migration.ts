import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The registry data a service needs to authorise and validate locally, kept up to date from registry events. */
export class RegistryReplica1764460800001 implements MigrationInterface {
  name = 'RegistryReplica1764460800001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE replica_org_units (
        code                text PRIMARY KEY,
        name                text NOT NULL,
        type                text NOT NULL,
        bloc                text,
        admin_parent_code   text,
        accountable_to_code text,
        head_name           text,
        head_title          text,
        level               integer,
        active              boolean NOT NULL,
        revision            integer NOT NULL
      )`);
    await q.query(`CREATE INDEX replica_org_units_admin_parent ON replica_org_units (admin_parent_code)`);
    await q.query(`CREATE INDEX replica_org_units_accountable_to ON replica_org_units (accountable_to_code)`);
    await q.query(`CREATE INDEX replica_org_units_type ON replica_org_units (type)`);
    await q.query(`
      CREATE TABLE replica_api_keys (
        key_id        text PRIMARY KEY,
        key_hash      text UNIQUE,
        role          text,
        org_unit_code text,
        issued_at     timestamptz,
        revoked_at    timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replica_api_keys`);
    await q.query(`DROP TABLE replica_org_units`);
  }
}

/**
 * `replica_version.version` goes up in every transaction that changes replica_org_units, inside that
 * transaction, so a process keeping the units in memory (ReplicaTree) can tell with one cheap read whether
 * its copy is still the committed state. The triggers are deferred to commit time: the version row is
 * locked only for the last instant of a replica transaction, after its unit rows, so two consumers writing
 * units never wait on it while holding each other's rows. Changes in one transaction raise it once.
 */
export class RegistryReplicaVersion1764460800002 implements MigrationInterface {
  name = 'RegistryReplicaVersion1764460800002';

  async up(q: QueryRunner): Promise<void> {
    const [{ schema }]: Array<{ schema: string }> = await q.query(`SELECT current_schema() AS schema`);
    const table = `"${schema}".replica_version`;
    await q.query(`
      CREATE TABLE replica_version (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        version   bigint NOT NULL DEFAULT 1,
        last_xact xid8
      )`);
    await q.query(`INSERT INTO replica_version DEFAULT VALUES`);
    await q.query(`
      CREATE FUNCTION replica_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ${table} SET version = version + 1, last_xact = pg_current_xact_id()
        WHERE last_xact IS DISTINCT FROM pg_current_xact_id();
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER replica_org_units_version_write AFTER INSERT OR DELETE ON replica_org_units
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION replica_version_bump()`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER replica_org_units_version_update AFTER UPDATE ON replica_org_units
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION replica_version_bump()`);
    await q.query(`
      CREATE TRIGGER replica_org_units_version_truncate AFTER TRUNCATE ON replica_org_units
      FOR EACH STATEMENT EXECUTE FUNCTION replica_version_bump()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER replica_org_units_version_truncate ON replica_org_units`);
    await q.query(`DROP TRIGGER replica_org_units_version_update ON replica_org_units`);
    await q.query(`DROP TRIGGER replica_org_units_version_write ON replica_org_units`);
    await q.query(`DROP FUNCTION replica_version_bump()`);
    await q.query(`DROP TABLE replica_version`);
  }
}

/**
 * A unit's retirement kept at its own revision, as the domain keeps it (`UnitRecord.retirement`), so a
 * retirement that arrives before the unit's first upsert is not lost, and a retirement does not hide the
 * attributes of an older upsert that arrives after it.
 */
export class RegistryReplicaRetirements1796601600001 implements MigrationInterface {
  name = 'RegistryReplicaRetirements1796601600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE replica_org_unit_retirements (code text PRIMARY KEY, revision integer NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replica_org_unit_retirements`);
  }
}

/** The migrations of the registry replica every consuming service runs (in timestamp order, between its own). */
export const REGISTRY_REPLICA_MIGRATIONS = [RegistryReplica1764460800001, RegistryReplicaRetirements1796601600001];
