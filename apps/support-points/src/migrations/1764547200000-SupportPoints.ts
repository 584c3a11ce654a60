import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Support points, their open/closed history, their daily sessions (every revision kept) and the
 * answers remembered for Idempotency-Key replays. Unqualified names: search_path is the service schema.
 */
export class SupportPoints1764547200000 implements MigrationInterface {
  name = 'SupportPoints1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_points (
        id            text PRIMARY KEY,
        operator_code text NOT NULL,
        commune_code  text NOT NULL,
        address       text NOT NULL,
        hours         text,
        revision      integer NOT NULL CHECK (revision >= 1),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX support_points_commune ON support_points (commune_code)`);
    await q.query(`CREATE INDEX support_points_operator ON support_points (operator_code)`);
    // closed_on is the first day the point is no longer open: a period is [opened_on, closed_on).
    await q.query(`
      CREATE TABLE support_point_periods (
        point_id  text NOT NULL REFERENCES support_points (id) ON DELETE CASCADE,
        opened_on date NOT NULL,
        closed_on date,
        PRIMARY KEY (point_id, opened_on),
        CHECK (closed_on IS NULL OR closed_on > opened_on)
      )`);
    await q.query(`CREATE UNIQUE INDEX support_point_periods_one_open ON support_point_periods (point_id) WHERE closed_on IS NULL`);
    await q.query(`
      CREATE TABLE support_sessions (
        point_id          text NOT NULL REFERENCES support_points (id) ON DELETE CASCADE,
        date              date NOT NULL,
        revision          integer NOT NULL CHECK (revision >= 1),
        assisted          integer NOT NULL CHECK (assisted >= 0),
        installed         integer NOT NULL CHECK (installed >= 0 AND installed <= assisted),
        bluetooth_enabled integer NOT NULL CHECK (bluetooth_enabled >= 0 AND bluetooth_enabled <= installed),
        operator_code     text NOT NULL,
        commune_code      text NOT NULL,
        key_id            text NOT NULL,
        recorded_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (point_id, date, revision)
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        key_id          text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash    text NOT NULL,
        status          integer NOT NULL,
        response        json NOT NULL, -- json, not jsonb: a replay returns the first answer byte for byte
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (key_id, idempotency_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE support_sessions`);
    await q.query(`DROP TABLE support_point_periods`);
    await q.query(`DROP TABLE support_points`);
  }
}
