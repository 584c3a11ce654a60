import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifier's tables: who gets the daily report and when, what it knows of units, targets and
 * statuses (from registry and rates events), the reminders' opt-outs, and the deliveries with every
 * attempt. `deliveries` is the outbox of messages: one row per (kind, day, recipient, channel), unique, so
 * whatever enqueues it (the schedule on any replica, an admin's "send now", a restart) makes it once.
 */
export class Notifier1796774400000 implements MigrationInterface {
  name = 'Notifier1796774400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_subscriptions (
        id         bigserial PRIMARY KEY,
        email      text NOT NULL UNIQUE,
        name       text NOT NULL,
        lang       text NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en')),
        active     boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE report_schedule (
        singleton            boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        send_at              text NOT NULL DEFAULT '17:00' CHECK (send_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        enabled              boolean NOT NULL DEFAULT true,
        reminders_enabled    boolean NOT NULL DEFAULT true,
        reminder_days_before integer[] NOT NULL DEFAULT '{3,1,0}',
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO report_schedule DEFAULT VALUES`);
    await q.query(`
      CREATE TABLE unit_contacts (
        code                text PRIMARY KEY,
        name                text NOT NULL,
        type                text NOT NULL,
        accountable_to_code text,
        admin_parent_code   text,
        head_name           text,
        head_title          text,
        head_phone          text,
        head_email          text,
        active              boolean NOT NULL,
        revision            integer NOT NULL
      )`);
    await q.query(`
      CREATE TABLE targets (
        target_id text PRIMARY KEY,
        name      text NOT NULL,
        name_vi   text,
        threshold numeric NOT NULL,
        deadline  date NOT NULL,
        revision  integer NOT NULL
      )`);
    // A status holds from its date until the unit's next status of the same target (rates' spans).
    await q.query(`
      CREATE TABLE unit_statuses (
        target_id text NOT NULL,
        unit_code text NOT NULL,
        date      date NOT NULL,
        status    text NOT NULL,
        value     double precision,
        threshold double precision NOT NULL,
        gap       integer NOT NULL,
        reporting boolean,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (target_id, unit_code, date)
      )`);
    await q.query(`
      CREATE TABLE reminder_opt_outs (
        unit_code  text PRIMARY KEY,
        reason     text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE deliveries (
        id              bigserial PRIMARY KEY,
        kind            text NOT NULL CHECK (kind IN ('report', 'reminder')),
        day             date NOT NULL,
        recipient       text NOT NULL,
        channel         text NOT NULL CHECK (channel IN ('email', 'sms')),
        address         text NOT NULL,
        lang            text NOT NULL DEFAULT 'vi',
        subject         text,
        body            text,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text,
        message_id      text,
        sent_at         timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (kind, day, recipient, channel)
      )`);
    await q.query(`CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE delivery_attempts (
        id          bigserial PRIMARY KEY,
        delivery_id bigint NOT NULL REFERENCES deliveries (id),
        attempt     integer NOT NULL,
        replica     text NOT NULL,
        started_at  timestamptz NOT NULL,
        finished_at timestamptz,
        outcome     text NOT NULL CHECK (outcome IN ('sending', 'sent', 'failed', 'interrupted')),
        detail      text
      )`);
    await q.query(`CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'delivery_attempts',
      'deliveries',
      'reminder_opt_outs',
      'unit_statuses',
      'targets',
      'unit_contacts',
      'report_schedule',
      'report_subscriptions',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}
