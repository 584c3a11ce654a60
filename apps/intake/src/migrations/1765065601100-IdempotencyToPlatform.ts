import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key answers move to the platform's `idempotent_requests` (libs/platform/src/idempotency),
 * which the platform migration creates first. The answers already given keep replaying: the fingerprints
 * are unchanged (canonical JSON of the report, batch or activity; the CSV file's bytes), and each endpoint
 * becomes the scope `intake:<endpoint>`. Claims never completed (none survive a commit) are left behind.
 */
export class IdempotencyToPlatform1765065601100 implements MigrationInterface {
  name = 'IdempotencyToPlatform1765065601100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO idempotent_requests (key_id, scope, idempotency_key, fingerprint, status, response, created_at)
      SELECT key_id, 'intake:' || endpoint, idempotency_key, request_hash, status, response::json, created_at
      FROM idempotency_keys WHERE status IS NOT NULL
      ON CONFLICT DO NOTHING`);
    await q.query(`DROP TABLE idempotency_keys`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        key_id          text NOT NULL,
        endpoint        text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash    text NOT NULL,
        status          integer,
        response        jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (key_id, endpoint, idempotency_key)
      )`);
    await q.query(`
      INSERT INTO idempotency_keys (key_id, endpoint, idempotency_key, request_hash, status, response, created_at)
      SELECT key_id, substr(scope, length('intake:') + 1), idempotency_key, fingerprint, status, response::jsonb, created_at
      FROM idempotent_requests WHERE scope LIKE 'intake:%'`);
  }
}
