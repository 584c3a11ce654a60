import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ANALYST_ROLE, generationSchema, readSchema } from '../projection/projection.schema';

/**
 * The compliance read model: generation 1 of the projection tables, the pointer that says which
 * generation is live, the analysts' views, and a read-only role for them (docs/compliance-schema.md).
 *
 * Frozen: the tables are written out here as this migration made them, not taken from the live
 * `projectionTablesDdl()`, so what this migration does never changes when the projection's schema does.
 * A change to projection.schema.ts comes with a migration that alters the existing generations
 * (as ProjectionEventOrder1764633600000 does); `projection.schema.int-spec.ts` checks that the migrated
 * generation 1 and a generation made from the live schema have the same columns and indexes.
 */
export class ComplianceProjection1764547200000 implements MigrationInterface {
  name = 'ComplianceProjection1764547200000';

  async up(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    await q.query(`
      CREATE TABLE projection_pointer (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        generation  integer NOT NULL,
        switched_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO projection_pointer (generation) VALUES (1)`);
    const g1 = generationSchema(base, 1);
    await q.query(`DROP SCHEMA IF EXISTS "${g1}" CASCADE`);
    for (const sql of generationOneDdl(g1)) await q.query(sql);
    const read = readSchema(base);
    await q.query(`CREATE SCHEMA IF NOT EXISTS "${read}"`);
    for (const t of GENERATION_ONE_TABLES) await q.query(`CREATE OR REPLACE VIEW "${read}".${t} AS SELECT * FROM "${g1}".${t}`);
    // Roles are cluster-wide: another database (or a concurrent test) may have made it already.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ANALYST_ROLE}') THEN
          CREATE ROLE ${ANALYST_ROLE} NOLOGIN;
        END IF;
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role ${ANALYST_ROLE}: grant it by hand';
      END $$`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ANALYST_ROLE}') THEN
          EXECUTE 'GRANT USAGE ON SCHEMA "${read}" TO ${ANALYST_ROLE}';
          EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA "${read}" TO ${ANALYST_ROLE}';
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ base }] = (await q.query(`SELECT current_schema() AS base`)) as Array<{ base: string }>;
    await q.query(`DROP SCHEMA IF EXISTS "${readSchema(base)}" CASCADE`);
    const rows: Array<{ nspname: string }> = await q.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
    for (const r of rows) await q.query(`DROP SCHEMA "${r.nspname}" CASCADE`);
    await q.query(`DROP TABLE projection_pointer`);
  }
}

const GENERATION_ONE_TABLES = [
  'units',
  'cohort_denominators',
  'targets',
  'figures',
  'target_statuses',
  'reports',
  'activities',
  'support_points',
  'support_sessions',
  'transport_checks',
  'roster_imports',
  'projection_checkpoint',
] as const;

function generationOneDdl(s: string): string[] {
  const q = `"${s}"`;
  return [
    `CREATE SCHEMA ${q}`,
    `CREATE TABLE ${q}.units (
      code                text PRIMARY KEY,
      name                text,
      type                text,
      bloc                text,
      admin_parent_code   text,
      accountable_to_code text,
      head_name           text,
      head_title          text,
      level               integer,
      active              boolean NOT NULL DEFAULT true,
      retired_on          date,
      revision            integer NOT NULL,
      attributes_revision integer
    )`,
    `CREATE INDEX ON ${q}.units (admin_parent_code)`,
    `CREATE INDEX ON ${q}.units (accountable_to_code)`,
    // The read paths find the province and list units of one type without reading the whole registry.
    `CREATE INDEX units_type_idx ON ${q}.units (type)`,
    `CREATE TABLE ${q}.cohort_denominators (
      org_unit_code text NOT NULL,
      cohort        text NOT NULL,
      as_of         date NOT NULL,
      headcount     integer NOT NULL,
      event_occurred_at timestamptz,
      event_id      uuid,
      PRIMARY KEY (org_unit_code, cohort, as_of)
    )`,
    `CREATE TABLE ${q}.targets (
      target_id             text PRIMARY KEY,
      name                  text NOT NULL,
      metric                text NOT NULL,
      cohorts               text[] NOT NULL,
      tree                  text NOT NULL,
      scope_unit_types      text[] NOT NULL,
      scope_levels          integer[] NOT NULL,
      threshold             double precision NOT NULL,
      deadline              date NOT NULL,
      campaign_start        date,
      reporting_window_days integer NOT NULL,
      revision              integer NOT NULL
    )`,
    `CREATE TABLE ${q}.figures (
      org_unit_code      text NOT NULL,
      cohort             text NOT NULL,
      tree               text NOT NULL,
      date               date NOT NULL,
      headcount          integer NOT NULL,
      smartphone_holders integer NOT NULL,
      installed          integer NOT NULL,
      bluetooth_on       integer NOT NULL,
      population         integer,
      reporting_units    integer NOT NULL,
      expected_units     integer NOT NULL,
      event_occurred_at  timestamptz NOT NULL,
      event_id           uuid NOT NULL,
      PRIMARY KEY (org_unit_code, cohort, tree, date)
    )`,
    `CREATE TABLE ${q}.target_statuses (
      target_id         text NOT NULL,
      org_unit_code     text NOT NULL,
      date              date NOT NULL,
      status            text NOT NULL,
      previous_status   text,
      value             double precision,
      threshold         double precision NOT NULL,
      forecast_date     date,
      gap               integer NOT NULL,
      reporting_units   integer,
      expected_units    integer,
      reporting         boolean,
      event_occurred_at timestamptz NOT NULL,
      event_id          uuid NOT NULL,
      PRIMARY KEY (target_id, org_unit_code, date)
    )`,
    `CREATE TABLE ${q}.reports (
      org_unit_code      text NOT NULL,
      cohort             text NOT NULL,
      as_of              date NOT NULL,
      report_id          uuid NOT NULL,
      revision           integer NOT NULL,
      submitted_at       timestamptz NOT NULL,
      headcount          integer NOT NULL,
      smartphone_holders integer NOT NULL,
      installed          integer NOT NULL,
      bluetooth_on       integer NOT NULL,
      PRIMARY KEY (org_unit_code, cohort, as_of)
    )`,
    `CREATE TABLE ${q}.activities (
      org_unit_code   text NOT NULL,
      kind            text NOT NULL,
      date            date NOT NULL,
      venue_type      text NOT NULL DEFAULT '',
      activity_id     uuid NOT NULL,
      revision        integer NOT NULL,
      submitted_at    timestamptz NOT NULL,
      counts          jsonb NOT NULL,
      PRIMARY KEY (org_unit_code, kind, date, venue_type)
    )`,
    `CREATE INDEX ON ${q}.activities (date, kind)`,
    `CREATE TABLE ${q}.support_points (
      point_id       text PRIMARY KEY,
      operator_code  text NOT NULL,
      commune_code   text NOT NULL,
      address        text,
      hours          text,
      opened_on      date,
      open_revision  integer NOT NULL DEFAULT 0,
      closed_on      date,
      close_revision integer NOT NULL DEFAULT 0
    )`,
    `CREATE TABLE ${q}.support_sessions (
      point_id          text NOT NULL,
      date              date NOT NULL,
      operator_code     text NOT NULL,
      commune_code      text NOT NULL,
      revision          integer NOT NULL,
      assisted          integer NOT NULL,
      installed         integer NOT NULL,
      bluetooth_enabled integer NOT NULL,
      PRIMARY KEY (point_id, date)
    )`,
    `CREATE TABLE ${q}.transport_checks (
      hub_code           text NOT NULL,
      date               date NOT NULL,
      revision           integer NOT NULL,
      passengers_checked integer NOT NULL,
      already_installed  integer NOT NULL,
      installed_on_site  integer NOT NULL,
      refused            integer NOT NULL,
      PRIMARY KEY (hub_code, date)
    )`,
    `CREATE TABLE ${q}.roster_imports (
      enterprise_code    text NOT NULL,
      as_of              date NOT NULL,
      import_id          uuid NOT NULL,
      revision           integer NOT NULL,
      headcount          integer NOT NULL,
      smartphone_holders integer NOT NULL,
      installed          integer NOT NULL,
      bluetooth_on       integer NOT NULL,
      rows_accepted      integer NOT NULL,
      rows_rejected      integer NOT NULL,
      joined             integer NOT NULL,
      "left"             integer NOT NULL,
      newly_installed    integer NOT NULL,
      newly_bluetooth_on integer NOT NULL,
      PRIMARY KEY (enterprise_code, as_of)
    )`,
    // One row: the newest event applied (by occurredAt, then id), whatever order events came in.
    `CREATE TABLE ${q}.projection_checkpoint (
      singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      last_occurred_at   timestamptz NOT NULL,
      last_event_id      uuid NOT NULL
    )`,
  ];
}
