import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20 (exchange with DHIS2): the mapping table between DHIS2/ADX codes and ours. One row per count of a
 * cohort (the data element, category option combo and ADX disaggregation that carry it), one row per
 * org-unit code of the other system. Removed rows stay as tombstones so their revision keeps counting
 * (replicas keep the highest revision).
 */
export class ExchangeMapping1796526000100 implements MigrationInterface {
  name = 'ExchangeMapping1796526000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange_elements (
        cohort                text NOT NULL,
        field                 text NOT NULL CHECK (field IN ('headcount', 'smartphoneHolders', 'installed', 'bluetoothOn')),
        data_element          text NOT NULL,
        category_option_combo text NOT NULL DEFAULT '',
        adx_disaggregation    jsonb NOT NULL DEFAULT '{}'::jsonb,
        removed               boolean NOT NULL DEFAULT false,
        revision              integer NOT NULL,
        updated_at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (cohort, field)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX exchange_elements_combo ON exchange_elements (data_element, category_option_combo) WHERE NOT removed`,
    );
    await q.query(`CREATE UNIQUE INDEX exchange_elements_adx ON exchange_elements (data_element, adx_disaggregation) WHERE NOT removed`);
    await q.query(`
      CREATE TABLE exchange_units (
        external_code text PRIMARY KEY,
        org_unit_code text REFERENCES org_units (code),
        revision      integer NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX exchange_units_org_unit ON exchange_units (org_unit_code) WHERE org_unit_code IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange_units`);
    await q.query(`DROP TABLE exchange_elements`);
  }
}
