import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's own tables. Parents are foreign keys checked at commit (DEFERRABLE), so an import may
 * write a child before its parent inside one transaction; org_units keeps the column names of
 * replica_org_units so the shared TableUnitScope can answer scope questions from it.
 */
export class Registry1764460800100 implements MigrationInterface {
  name = 'Registry1764460800100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE org_units (
        code                text PRIMARY KEY,
        name                text NOT NULL,
        type                text NOT NULL,
        bloc                text,
        admin_parent_code   text REFERENCES org_units (code) DEFERRABLE INITIALLY DEFERRED,
        accountable_to_code text REFERENCES org_units (code) DEFERRABLE INITIALLY DEFERRED,
        head_name           text,
        head_title          text,
        level               integer,
        active              boolean NOT NULL DEFAULT true,
        retired_on          date,
        revision            integer NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX org_units_admin_parent ON org_units (admin_parent_code)`);
    await q.query(`CREATE INDEX org_units_accountable_to ON org_units (accountable_to_code)`);
    await q.query(`CREATE INDEX org_units_type ON org_units (type)`);
    await q.query(`CREATE INDEX org_units_level ON org_units (level)`);
    // Every state a unit has had: retiring or changing a unit never loses what it was.
    await q.query(`
      CREATE TABLE org_unit_revisions (
        code        text NOT NULL REFERENCES org_units (code) DEFERRABLE INITIALLY DEFERRED,
        revision    integer NOT NULL,
        state       jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (code, revision)
      )`);
    await q.query(`
      CREATE TABLE cohort_denominators (
        org_unit_code text NOT NULL REFERENCES org_units (code),
        cohort        text NOT NULL,
        as_of         date NOT NULL,
        headcount     integer NOT NULL CHECK (headcount >= 0),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_unit_code, cohort, as_of)
      )`);
    await q.query(`
      CREATE TABLE targets (
        id                    text PRIMARY KEY,
        name                  text NOT NULL,
        metric                text NOT NULL,
        cohorts               text[] NOT NULL,
        tree                  text NOT NULL,
        scope_unit_types      text[] NOT NULL DEFAULT '{}',
        scope_levels          integer[] NOT NULL DEFAULT '{}',
        threshold             double precision NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
        deadline              date NOT NULL,
        campaign_start        date,
        reporting_window_days integer NOT NULL,
        revision              integer NOT NULL,
        updated_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id            text PRIMARY KEY,
        key_hash      char(64) NOT NULL UNIQUE,
        role          text NOT NULL,
        org_unit_code text REFERENCES org_units (code),
        label         text,
        issued_at     timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_org_unit ON api_keys (org_unit_code)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE targets`);
    await q.query(`DROP TABLE cohort_denominators`);
    await q.query(`DROP TABLE org_unit_revisions`);
    await q.query(`DROP TABLE org_units`);
  }
}
