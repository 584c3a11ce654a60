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
