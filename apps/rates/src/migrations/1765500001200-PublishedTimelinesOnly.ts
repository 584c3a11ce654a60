import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * rates keeps what it published (rates_published_figures, rates_published_statuses) and no stored copy of its
 * figures and statuses beside it. Since RatesPublished, a flush decides what to publish from what was published;
 * the stored rows were only read to skip rewriting the unchanged ones, so every flush read and rewrote a second
 * timeline of every figure and status it recomputed (~3 rows written a report of ~25, and two of its four
 * timeline reads, in the pipeline benchmark). A figure's publication is its stored row at each change (both
 * compared by every field); a status's holds the whole evaluation of the day its status, forecast or reporting
 * changed. The figures API reads the published figures.
 *
 * Down recreates the tables with the published rows as their rows: each day's value is its latest row on or before
 * it, as it was read, except a status's value and gap on days when only they changed.
 */
export class PublishedTimelinesOnly1765500001200 implements MigrationInterface {
  name = 'PublishedTimelinesOnly1765500001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rates_figures`);
    await q.query(`DROP TABLE rates_target_statuses`);
  }

  async down(q: QueryRunner): Promise<void> {
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
    await q.query(`
      INSERT INTO rates_figures (org_unit_code, cohort, tree, date, headcount, smartphone_holders, installed, bluetooth_on, install_rate,
        bluetooth_rate, population, population_rate, reporting_units, expected_units)
      SELECT org_unit_code, cohort, tree, date, (payload->>'headcount')::int, (payload->>'smartphoneHolders')::int, (payload->>'installed')::int,
        (payload->>'bluetoothOn')::int, (payload->>'installRate')::float8, (payload->>'bluetoothRate')::float8, (payload->>'population')::int,
        (payload->>'populationRate')::float8, (payload->>'reportingUnits')::int, (payload->>'expectedUnits')::int
      FROM rates_published_figures`);
    await q.query(`
      INSERT INTO rates_target_statuses (target_id, org_unit_code, date, status, value, threshold, numerator, denominator, gap, forecast_date,
        reporting, reporting_units, expected_units)
      SELECT target_id, org_unit_code, date, payload->>'status', (payload->>'value')::float8, (payload->>'threshold')::float8,
        (payload->>'numerator')::int, (payload->>'denominator')::int, (payload->>'gap')::int, (payload->>'forecastDate')::date,
        (payload->>'reporting')::bool, (payload->>'reportingUnits')::int, (payload->>'expectedUnits')::int
      FROM rates_published_statuses`);
  }
}
