import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20, data quality: what the rules read (each unit's latest report per cohort and day, the registry's
 * denominators, the rosters' counts: counts only) and what they raise (violations, their follow-up status and
 * comments). In the base schema, beside no generation: a rebuild of the read model leaves follow-ups alone.
 */
export class QualityFollowUps1765238400000 implements MigrationInterface {
  name = 'QualityFollowUps1765238400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE quality_reports (
        unit_code          text NOT NULL,
        cohort             text NOT NULL,
        as_of              date NOT NULL,
        revision           integer NOT NULL,
        report_id          uuid,
        headcount          integer NOT NULL,
        smartphone_holders integer NOT NULL,
        installed          integer NOT NULL,
        bluetooth_on       integer NOT NULL,
        PRIMARY KEY (unit_code, cohort, as_of)
      )`);
    await q.query(`CREATE INDEX quality_reports_cohort_date ON quality_reports (cohort, as_of)`);
    await q.query(`
      CREATE TABLE quality_denominators (
        unit_code text NOT NULL,
        cohort    text NOT NULL,
        as_of     date NOT NULL,
        headcount integer NOT NULL,
        PRIMARY KEY (unit_code, cohort, as_of)
      )`);
    await q.query(`
      CREATE TABLE quality_rosters (
        unit_code          text NOT NULL,
        as_of              date NOT NULL,
        revision           integer NOT NULL,
        headcount          integer NOT NULL,
        smartphone_holders integer NOT NULL,
        installed          integer NOT NULL,
        bluetooth_on       integer NOT NULL,
        PRIMARY KEY (unit_code, as_of)
      )`);
    await q.query(`
      CREATE TABLE quality_violations (
        id          uuid PRIMARY KEY,
        rule        text NOT NULL,
        severity    text NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
        unit_code   text NOT NULL,
        cohort      text NOT NULL,
        as_of       date NOT NULL,
        value       double precision NOT NULL,
        "limit"     double precision NOT NULL,
        reported    integer,
        expected    integer,
        measure     text,
        report_id   uuid,
        status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'marked', 'resolved', 'cleared')),
        raised_at   timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        updated_by  text,
        comments    integer NOT NULL DEFAULT 0,
        UNIQUE (rule, unit_code, cohort, as_of)
      )`);
    await q.query(`CREATE INDEX quality_violations_status ON quality_violations (status, severity, as_of DESC)`);
    await q.query(`CREATE INDEX quality_violations_unit ON quality_violations (unit_code)`);
    await q.query(`
      CREATE TABLE quality_comments (
        id           bigserial PRIMARY KEY,
        violation_id uuid NOT NULL REFERENCES quality_violations (id) ON DELETE CASCADE,
        at           timestamptz NOT NULL DEFAULT now(),
        key_id       text NOT NULL,
        role         text NOT NULL,
        key_unit     text,
        body         text NOT NULL
      )`);
    await q.query(`CREATE INDEX quality_comments_violation ON quality_comments (violation_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE quality_comments`);
    await q.query(`DROP TABLE quality_violations`);
    await q.query(`DROP TABLE quality_rosters`);
    await q.query(`DROP TABLE quality_denominators`);
    await q.query(`DROP TABLE quality_reports`);
  }
}
