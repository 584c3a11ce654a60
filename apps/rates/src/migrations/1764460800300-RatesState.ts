import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rates service's state. Inputs (units, reports, denominators, targets, support and transport
 * figures) are kept as the latest per natural key, so any order of arrival gives the same rows;
 * figures and statuses are computed from them and stored per day; `rates_dirty*` say what to recompute.
 */
export class RatesState1764460800300 implements MigrationInterface {
  name = 'RatesState1764460800300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rates_units (
        code                text PRIMARY KEY,
        type                text,
        admin_parent_code   text,
        accountable_to_code text,
        level               integer,
        active              boolean,
        upsert_revision     integer,
        retired_on          date,
        retire_revision     integer
      )`);
    await q.query(`
      CREATE TABLE rates_reports (
        org_unit_code      text NOT NULL,
        cohort             text NOT NULL,
        as_of              date NOT NULL,
        revision           integer NOT NULL,
        report_id          text NOT NULL,
        source             text NOT NULL,
        headcount          integer NOT NULL,
        smartphone_holders integer NOT NULL,
        installed          integer NOT NULL,
        bluetooth_on       integer NOT NULL,
        PRIMARY KEY (org_unit_code, cohort, as_of, revision)
      )`);
    await q.query(`CREATE INDEX rates_reports_cohort ON rates_reports (cohort)`);
    await q.query(`
      CREATE TABLE rates_denominators (
        org_unit_code text NOT NULL,
        cohort        text NOT NULL,
        as_of         date NOT NULL,
        headcount     integer NOT NULL,
        event_id      text NOT NULL,
        PRIMARY KEY (org_unit_code, cohort, as_of)
      )`);
    await q.query(`
      CREATE TABLE rates_targets (
        target_id  text PRIMARY KEY,
        revision   integer NOT NULL,
        definition jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE rates_support_sessions (
        point_id          text NOT NULL,
        date              date NOT NULL,
        revision          integer NOT NULL,
        operator_code     text NOT NULL,
        commune_code      text NOT NULL,
        assisted          integer NOT NULL,
        installed         integer NOT NULL,
        bluetooth_enabled integer NOT NULL,
        PRIMARY KEY (point_id, date)
      )`);
    await q.query(`
      CREATE TABLE rates_transport_checks (
        hub_code           text NOT NULL,
        date               date NOT NULL,
        revision           integer NOT NULL,
        passengers_checked integer NOT NULL,
        already_installed  integer NOT NULL,
        installed_on_site  integer NOT NULL,
        refused            integer NOT NULL,
        PRIMARY KEY (hub_code, date)
      )`);
    await q.query(`
      CREATE TABLE rates_dirty (
        org_unit_code text NOT NULL,
        cohort        text NOT NULL,
        from_date     date NOT NULL,
        PRIMARY KEY (org_unit_code, cohort)
      )`);
    await q.query(`CREATE TABLE rates_dirty_targets (target_id text PRIMARY KEY)`);
    await q.query(`
      CREATE TABLE rates_figures (
        org_unit_code      text NOT NULL,
        cohort             text NOT NULL,
        tree               text NOT NULL,
        date               date NOT NULL,
        headcount          integer NOT NULL,
        smartphone_holders integer NOT NULL,
        installed          integer NOT NULL,
        bluetooth_on       integer NOT NULL,
        install_rate       double precision,
        bluetooth_rate     double precision,
        population         integer,
        population_rate    double precision,
        reporting_units    integer NOT NULL,
        expected_units     integer NOT NULL,
        updated_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_unit_code, cohort, tree, date)
      )`);
    await q.query(`
      CREATE TABLE rates_target_statuses (
        target_id       text NOT NULL,
        org_unit_code   text NOT NULL,
        date            date NOT NULL,
        status          text NOT NULL,
        value           double precision,
        threshold       double precision NOT NULL,
        numerator       integer,
        denominator     integer,
        gap             integer,
        forecast_date   date,
        reporting       boolean NOT NULL,
        reporting_units integer NOT NULL,
        expected_units  integer NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (target_id, org_unit_code, date)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'rates_target_statuses',
      'rates_figures',
      'rates_dirty_targets',
      'rates_dirty',
      'rates_transport_checks',
      'rates_support_sessions',
      'rates_targets',
      'rates_denominators',
      'rates_reports',
      'rates_units',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
