import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The answers remembered for `Idempotency-Key` (libs/platform/src/idempotency), the same table in every
 * service's schema, beside the outbox and the inbox. A key belongs to the API key that sent it and to one
 * operation (`scope`), so two clients, or two routes, never share one. `response` is `json`, not `jsonb`:
 * a replay returns the first answer as it was written.
 */
export class IdempotentRequests1765065601000 implements MigrationInterface {
  name = 'IdempotentRequests1765065601000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotent_requests (
        key_id          text NOT NULL,
        scope           text NOT NULL,
        idempotency_key text NOT NULL,
        fingerprint     text NOT NULL,
        status          integer,
        response        json,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (key_id, scope, idempotency_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotent_requests`);
  }
}
