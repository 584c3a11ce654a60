import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transport checks' Idempotency-Key answers move to the platform's `idempotent_requests`
 * (libs/platform/src/idempotency), which the platform migration creates first, under the scope
 * `workforce:transport-checks`. Each check stored with a key becomes the answer it gave (the check as
 * TransportService presents it) with the platform's fingerprint of its request (SHA-256 of the canonical
 * JSON {alreadyInstalled, date, hubCode, installedOnSite, passengersChecked, refused}), so a retry after the
 * upgrade still replays; then the column and its index go. `request_hash` stays: it recognises a
 * submission identical to the latest revision, which is not an idempotency question.
 */
export class TransportIdempotencyToPlatform1765065601300 implements MigrationInterface {
  name = 'TransportIdempotencyToPlatform1765065601300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO idempotent_requests (key_id, scope, idempotency_key, fingerprint, status, response, created_at)
      SELECT submitted_by_key, 'workforce:transport-checks', idempotency_key,
             encode(sha256(convert_to(format(
               '{"alreadyInstalled":%s,"date":%s,"hubCode":%s,"installedOnSite":%s,"passengersChecked":%s,"refused":%s}',
               already_installed, to_json(date::text), to_json(hub_code), installed_on_site, passengers_checked, refused), 'UTF8')), 'hex'),
             202,
             json_build_object('checkId', id, 'hubCode', hub_code, 'date', date::text, 'revision', revision,
               'passengersChecked', passengers_checked, 'alreadyInstalled', already_installed, 'installedOnSite', installed_on_site,
               'refused', refused, 'submittedAt', to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
             submitted_at
      FROM transport_checks WHERE idempotency_key IS NOT NULL
      ON CONFLICT DO NOTHING`);
    await q.query(`DROP INDEX transport_checks_idempotency`);
    await q.query(`ALTER TABLE transport_checks DROP COLUMN idempotency_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transport_checks ADD COLUMN idempotency_key text`);
    await q.query(`
      UPDATE transport_checks t SET idempotency_key = r.idempotency_key
      FROM idempotent_requests r
      WHERE r.scope = 'workforce:transport-checks' AND r.key_id = t.submitted_by_key AND (r.response->>'checkId')::uuid = t.id`);
    await q.query(
      `CREATE UNIQUE INDEX transport_checks_idempotency ON transport_checks (submitted_by_key, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
  }
}
