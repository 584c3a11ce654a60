import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What consumers hold: the last value published for each day. Publications are diffed against this,
 * not against the stored daily rows, so a value re-stated earlier is corrected when it goes stale.
 */
export class RatesPublished1764547200400 implements MigrationInterface {
  name = 'RatesPublished1764547200400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rates_published_figures (
        org_unit_code text NOT NULL,
        cohort        text NOT NULL,
        tree          text NOT NULL,
        date          date NOT NULL,
        payload       jsonb NOT NULL,
        PRIMARY KEY (org_unit_code, cohort, tree, date)
      )`);
    await q.query(`
      CREATE TABLE rates_published_statuses (
        target_id     text NOT NULL,
        org_unit_code text NOT NULL,
        date          date NOT NULL,
        payload       jsonb NOT NULL,
        PRIMARY KEY (target_id, org_unit_code, date)
      )`);
    // Rows published before this table existed: the stored change points are the best record of them.
    await q.query(`
      INSERT INTO rates_published_figures (org_unit_code, cohort, tree, date, payload)
      SELECT org_unit_code, cohort, tree, date, jsonb_build_object(
        'orgUnitCode', org_unit_code, 'cohort', cohort, 'tree', tree, 'date', date::text, 'headcount', headcount,
        'smartphoneHolders', smartphone_holders, 'installed', installed, 'bluetoothOn', bluetooth_on, 'installRate', install_rate,
        'bluetoothRate', bluetooth_rate, 'population', population, 'populationRate', population_rate,
        'reportingUnits', reporting_units, 'expectedUnits', expected_units)
      FROM rates_figures`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rates_published_statuses`);
    await q.query(`DROP TABLE rates_published_figures`);
  }
}
