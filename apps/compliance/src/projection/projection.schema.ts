import { statusCountsDdl } from './status-counts';

/**
 * The tables of one generation of the compliance read model. Every generation lives in its own
 * schema (`<service schema>_g<n>`), so a rebuild fills a fresh generation while the current one keeps
 * serving, and the switch is one pointer update (see generation.ts). Documented in docs/compliance-schema.md.
 */
export const PROJECTION_TABLES = [
  'units',
  'cohort_denominators',
  'targets',
  'figures',
  'target_statuses',
  'reports',
  'activities',
  'support_points',
  'support_sessions',
  'transport_checks',
  'roster_imports',
  'projection_checkpoint',
] as const;

export function generationSchema(base: string, generation: number): string {
  return `${base}_g${generation}`;
}

/** The stable schema analysts query: one view per table, re-pointed at each switch. */
export function readSchema(base: string): string {
  return `${base}_read`;
}

export const ANALYST_ROLE = 'bz_analyst';

export function projectionTablesDdl(s: string): string[] {
  const q = `"${s}"`;
  return [
    `CREATE SCHEMA ${q}`,
    `CREATE TABLE ${q}.units (
      code                text PRIMARY KEY,
      name                text,
      type                text,
      bloc                text,
      admin_parent_code   text,
      accountable_to_code text,
      head_name           text,
      head_title          text,
      level               integer,
      active              boolean NOT NULL DEFAULT true,
      retired_on          date,
      revision            integer NOT NULL,
      attributes_revision integer,
      -- Personal data (docs/data-protection.md): shown to admins and analysts only, every read recorded.
      head_phone          text,
      head_email          text
    )`,
    `CREATE INDEX ON ${q}.units (admin_parent_code)`,
    `CREATE INDEX ON ${q}.units (accountable_to_code)`,
    // The read paths find the province and list units of one type without reading the whole registry.
    `CREATE INDEX units_type_idx ON ${q}.units (type)`,
    `CREATE TABLE ${q}.cohort_denominators (
      org_unit_code text NOT NULL,
      cohort        text NOT NULL,
      as_of         date NOT NULL,
      headcount     integer NOT NULL,
      event_occurred_at timestamptz,
      event_id      uuid,
      PRIMARY KEY (org_unit_code, cohort, as_of)
    )`,
    `CREATE TABLE ${q}.targets (
      target_id             text PRIMARY KEY,
      name                  text NOT NULL,
      metric                text NOT NULL,
      cohorts               text[] NOT NULL,
      tree                  text NOT NULL,
      scope_unit_types      text[] NOT NULL,
      scope_levels          integer[] NOT NULL,
      threshold             double precision NOT NULL,
      deadline              date NOT NULL,
      campaign_start        date,
      reporting_window_days integer NOT NULL,
      revision              integer NOT NULL,
      name_vi               text,
      name_en               text
    )`,
    `CREATE TABLE ${q}.figures (
      org_unit_code      text NOT NULL,
      cohort             text NOT NULL,
      tree               text NOT NULL,
      date               date NOT NULL,
      headcount          integer NOT NULL,
      smartphone_holders integer NOT NULL,
      installed          integer NOT NULL,
      bluetooth_on       integer NOT NULL,
      population         integer,
      reporting_units    integer NOT NULL,
      expected_units     integer NOT NULL,
      event_occurred_at  timestamptz NOT NULL,
      event_id           uuid NOT NULL,
      PRIMARY KEY (org_unit_code, cohort, tree, date)
    )`,
    // A row with no status (nor threshold, nor gap) is a withdrawal (rates.target.status-withdrawn): the unit has no
    // status against the target from that day on; its rows before stand.
    `CREATE TABLE ${q}.target_statuses (
      target_id         text NOT NULL,
      org_unit_code     text NOT NULL,
      date              date NOT NULL,
      status            text,
      previous_status   text,
      value             double precision,
      threshold         double precision,
      forecast_date     date,
      gap               integer,
      reporting_units   integer,
      expected_units    integer,
      reporting         boolean,
      event_occurred_at timestamptz NOT NULL,
      event_id          uuid NOT NULL,
      PRIMARY KEY (target_id, org_unit_code, date)
    )`,
    // Per target and day, the change in units by status (status-counts.ts): the summary's counts.
    ...statusCountsDdl(q),
    `CREATE TABLE ${q}.reports (
      org_unit_code      text NOT NULL,
      cohort             text NOT NULL,
      as_of              date NOT NULL,
      report_id          uuid NOT NULL,
      revision           integer NOT NULL,
      submitted_at       timestamptz NOT NULL,
      headcount          integer NOT NULL,
      smartphone_holders integer NOT NULL,
      installed          integer NOT NULL,
      bluetooth_on       integer NOT NULL,
      PRIMARY KEY (org_unit_code, cohort, as_of)
    )`,
    `CREATE TABLE ${q}.activities (
      org_unit_code   text NOT NULL,
      kind            text NOT NULL,
      date            date NOT NULL,
      venue_type      text NOT NULL DEFAULT '',
      activity_id     uuid NOT NULL,
      revision        integer NOT NULL,
      submitted_at    timestamptz NOT NULL,
      counts          jsonb NOT NULL,
      PRIMARY KEY (org_unit_code, kind, date, venue_type)
    )`,
    `CREATE INDEX ON ${q}.activities (date, kind)`,
    `CREATE TABLE ${q}.support_points (
      point_id       text PRIMARY KEY,
      operator_code  text NOT NULL,
      commune_code   text NOT NULL,
      address        text,
      hours          text,
      opened_on      date,
      open_revision  integer NOT NULL DEFAULT 0,
      closed_on      date,
      close_revision integer NOT NULL DEFAULT 0
    )`,
    `CREATE TABLE ${q}.support_sessions (
      point_id          text NOT NULL,
      date              date NOT NULL,
      operator_code     text NOT NULL,
      commune_code      text NOT NULL,
      revision          integer NOT NULL,
      assisted          integer NOT NULL,
      installed         integer NOT NULL,
      bluetooth_enabled integer NOT NULL,
      PRIMARY KEY (point_id, date)
    )`,
    `CREATE TABLE ${q}.transport_checks (
      hub_code           text NOT NULL,
      date               date NOT NULL,
      revision           integer NOT NULL,
      passengers_checked integer NOT NULL,
      already_installed  integer NOT NULL,
      installed_on_site  integer NOT NULL,
      refused            integer NOT NULL,
      PRIMARY KEY (hub_code, date)
    )`,
    `CREATE TABLE ${q}.roster_imports (
      enterprise_code    text NOT NULL,
      as_of              date NOT NULL,
      import_id          uuid NOT NULL,
      revision           integer NOT NULL,
      headcount          integer NOT NULL,
      smartphone_holders integer NOT NULL,
      installed          integer NOT NULL,
      bluetooth_on       integer NOT NULL,
      rows_accepted      integer NOT NULL,
      rows_rejected      integer NOT NULL,
      joined             integer NOT NULL,
      "left"             integer NOT NULL,
      newly_installed    integer NOT NULL,
      newly_bluetooth_on integer NOT NULL,
      PRIMARY KEY (enterprise_code, as_of)
    )`,
    // One row: the newest event applied (by occurredAt, then id), whatever order events came in.
    `CREATE TABLE ${q}.projection_checkpoint (
      singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      last_occurred_at   timestamptz NOT NULL,
      last_event_id      uuid NOT NULL
    )`,
  ];
}

/** Points the analysts' views at a generation; CREATE OR REPLACE keeps their grants. */
export function readViewsDdl(read: string, generation: string): string[] {
  return PROJECTION_TABLES.map((t) => `CREATE OR REPLACE VIEW "${read}".${t} AS SELECT * FROM "${generation}".${t}`);
}
