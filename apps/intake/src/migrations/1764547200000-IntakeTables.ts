import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intake's own tables. Every revision of a report or activity is kept (corrections never overwrite);
 * the `*_heads` tables hold the latest revision per natural key and are the row each writer locks, so two
 * concurrent submissions for the same key are serialised and cannot both become revision n+1.
 */
export class IntakeTables1764547200000 implements MigrationInterface {
  name = 'IntakeTables1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reports (
        report_id          uuid PRIMARY KEY,
        org_unit_code      text NOT NULL,
        cohort             text NOT NULL,
        as_of              date NOT NULL,
        revision           integer NOT NULL CHECK (revision >= 1),
        headcount          integer NOT NULL,
        smartphone_holders integer NOT NULL,
        installed          integer NOT NULL,
        bluetooth_on       integer NOT NULL,
        submitted_at       timestamptz NOT NULL DEFAULT now(),
        submitted_by       text NOT NULL,
        CONSTRAINT reports_counts_ordered CHECK (
          0 <= bluetooth_on AND bluetooth_on <= installed AND installed <= smartphone_holders AND smartphone_holders <= headcount),
        CONSTRAINT reports_revision_unique UNIQUE (org_unit_code, cohort, as_of, revision)
      )`);
    await q.query(`CREATE INDEX reports_as_of ON reports (as_of)`);
    await q.query(`
      CREATE TABLE report_heads (
        org_unit_code      text NOT NULL,
        cohort             text NOT NULL,
        as_of              date NOT NULL,
        revision           integer NOT NULL DEFAULT 0,
        report_id          uuid,
        headcount          integer,
        smartphone_holders integer,
        installed          integer,
        bluetooth_on       integer,
        PRIMARY KEY (org_unit_code, cohort, as_of)
      )`);
    await q.query(`
      CREATE TABLE activities (
        activity_id   uuid PRIMARY KEY,
        org_unit_code text NOT NULL,
        kind          text NOT NULL,
        date          date NOT NULL,
        venue_type    text NOT NULL DEFAULT '',
        revision      integer NOT NULL CHECK (revision >= 1),
        counts        jsonb NOT NULL,
        submitted_at  timestamptz NOT NULL DEFAULT now(),
        submitted_by  text NOT NULL,
        CONSTRAINT activities_revision_unique UNIQUE (org_unit_code, kind, date, venue_type, revision)
      )`);
    await q.query(`CREATE INDEX activities_date ON activities (date)`);
    await q.query(`
      CREATE TABLE activity_heads (
        org_unit_code text NOT NULL,
        kind          text NOT NULL,
        date          date NOT NULL,
        venue_type    text NOT NULL DEFAULT '',
        revision      integer NOT NULL DEFAULT 0,
        activity_id   uuid,
        counts        jsonb,
        PRIMARY KEY (org_unit_code, kind, date, venue_type)
      )`);
    // Idempotency keys are scoped to the API key that used them and to the endpoint: two portals may pick the same key.
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
    // Campaign starts from the registry's targets (registry.target.set): the earliest bounds report dates.
    await q.query(`
      CREATE TABLE campaign_targets (
        target_id      text PRIMARY KEY,
        campaign_start date,
        revision       integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_targets`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE activity_heads`);
    await q.query(`DROP TABLE activities`);
    await q.query(`DROP TABLE report_heads`);
    await q.query(`DROP TABLE reports`);
  }
}
