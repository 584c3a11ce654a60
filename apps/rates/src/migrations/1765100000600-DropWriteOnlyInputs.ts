import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rates no longer keeps support sessions and passenger checks: it stored them and never read them. The
 * compliance read model holds both from the same events and serves support coverage and passenger checks
 * (README, Design notes, What rates computes from).
 */
export class DropWriteOnlyInputs1765100000600 implements MigrationInterface {
  name = 'DropWriteOnlyInputs1765100000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rates_support_sessions`);
    await q.query(`DROP TABLE rates_transport_checks`);
  }

  async down(q: QueryRunner): Promise<void> {
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
  }
}
