import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key answers move to the platform's `idempotent_requests` (libs/platform/src/idempotency),
 * which the platform migration creates first, under the scope `support-points:sessions`. The platform's
 * fingerprint is the SHA-256 of the request's canonical JSON ({assisted, bluetoothEnabled, date, installed,
 * pointId}, keys sorted); every stored answer echoes those five fields, so the fingerprint of each answer
 * already given is computed from it here and a retry after the upgrade still replays.
 */
export class IdempotencyToPlatform1765065601200 implements MigrationInterface {
  name = 'IdempotencyToPlatform1765065601200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO idempotent_requests (key_id, scope, idempotency_key, fingerprint, status, response, created_at)
      SELECT key_id, 'support-points:sessions', idempotency_key,
             encode(sha256(convert_to(format('{"assisted":%s,"bluetoothEnabled":%s,"date":%s,"installed":%s,"pointId":%s}',
               response->'assisted', response->'bluetoothEnabled', response->'date', response->'installed', response->'pointId'), 'UTF8')), 'hex'),
             status, response, created_at
      FROM idempotency_keys
      ON CONFLICT DO NOTHING`);
    await q.query(`DROP TABLE idempotency_keys`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        key_id          text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash    text NOT NULL,
        status          integer NOT NULL,
        response        json NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (key_id, idempotency_key)
      )`);
    // The old code's hash: JSON.stringify({op, pointId, date, assisted, installed, bluetoothEnabled}), in that order.
    await q.query(`
      INSERT INTO idempotency_keys (key_id, idempotency_key, request_hash, status, response, created_at)
      SELECT key_id, idempotency_key, encode(sha256(convert_to(format('{"op":"support.session","pointId":%s,"date":%s,"assisted":%s,"installed":%s,"bluetoothEnabled":%s}',
               response->'pointId', response->'date', response->'assisted', response->'installed', response->'bluetoothEnabled'), 'UTF8')), 'hex'),
             status, response, created_at
      FROM idempotent_requests WHERE scope = 'support-points:sessions' AND status IS NOT NULL`);
  }
}
