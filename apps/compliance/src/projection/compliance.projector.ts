import type { EntityManager } from 'typeorm';
import {
  ActivityRecordedV1,
  CohortSetV1,
  FigureUpdatedV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV2,
  ReportAcceptedV1,
  RosterImportedV1,
  SupportPointClosedV1,
  SupportPointOpenedV1,
  SupportSessionLoggedV1,
  TargetSetV2,
  TargetStatusChangedV1,
  TransportCheckedV1,
  type ActivityRecordedV1Data,
  type CohortSetV1Data,
  type EventContract,
  type EventEnvelope,
  type FigureUpdatedV1Data,
  type OrgUnitRetiredV1Data,
  type OrgUnitUpsertedV2Data,
  type ReportAcceptedV1Data,
  type RosterImportedV1Data,
  type SupportPointClosedV1Data,
  type SupportPointOpenedV1Data,
  type SupportSessionLoggedV1Data,
  type TargetSetV2Data,
  type TargetStatusChangedV1Data,
  type TransportCheckedV1Data,
} from '@app/contracts';

/** Activity counts by kind: only these keys of the payload are kept. */
const ACTIVITY_COUNT_KEYS = [
  'sessionsAired',
  'sessionsWithStartAnnouncement',
  'sessionsWithEndAnnouncement',
  'supportLocationsAnnounced',
  'householdsVisited',
  'householdsReminded',
  'teamsFormed',
  'members',
  'venuesMobilised',
  'customersGuided',
  'visitors',
  'alreadyInstalled',
  'installedOnSite',
  'turnedAway',
  'installsHelped',
] as const;

type Envelope<D> = EventEnvelope<string, D>;

/**
 * How one event type lands in one table. Every write is an upsert that keeps the newest version of a
 * row by the event's own ordering fields (revision, asOf, or occurredAt then id), so applying the same
 * event twice, or events in any order, gives the same tables.
 */
interface Writer<D> {
  readonly contract: EventContract;
  readonly table: string;
  /** The inserted columns with their types, in `jsonb_to_recordset` form: `code text, level integer`. */
  readonly columns: string;
  /** ON CONFLICT … DO UPDATE … WHERE …: the newest-wins rule against the stored row. */
  readonly onConflict: string;
  /** The row, keyed by column name. */
  row(e: Envelope<D>): Record<string, unknown>;
  /** The table's key: two events of one batch with the same key are one row. */
  key(e: Envelope<D>): string;
  /**
   * Whether `a` replaces `b` when both are in one batch: the same rule as `onConflict`, so keeping only the
   * winner gives the same row as applying both one after the other.
   */
  newer(a: Envelope<D>, b: Envelope<D>): boolean;
}

function compareEventOrder(a: EventEnvelope, b: EventEnvelope): number {
  const t = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  if (t !== 0) return t;
  const x = a.id.toLowerCase();
  const y = b.id.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const laterEvent = (a: EventEnvelope, b: EventEnvelope): boolean => compareEventOrder(a, b) > 0;

/** (revision, submittedAt) ordering of submissions. */
function laterSubmission(a: { revision: number; submittedAt: string }, b: { revision: number; submittedAt: string }): boolean {
  if (a.revision !== b.revision) return a.revision > b.revision;
  return Date.parse(a.submittedAt) > Date.parse(b.submittedAt);
}

/** The stored attributes of a unit are older than the upsert's (or there are none yet). */
const NEWER_ATTRIBUTES = '(units.attributes_revision IS NULL OR units.attributes_revision < EXCLUDED.attributes_revision)';

function writer<D>(w: Writer<D>): Writer<unknown> {
  return w as unknown as Writer<unknown>;
}

const WRITERS: ReadonlyArray<Writer<unknown>> = [
  // Two orders in one row: the attributes come from the newest upsert (`attributes_revision`), whether the
  // unit is active from the newest upsert or retirement (`revision`), so a retirement that overtakes the
  // upserts before it does not pin the attributes of whichever older upsert arrives first.
  writer<OrgUnitUpsertedV2Data>({
    contract: OrgUnitUpsertedV2,
    table: 'units',
    columns: `code text, name text, type text, bloc text, admin_parent_code text, accountable_to_code text, head_name text, head_title text,
      level integer, active boolean, revision integer, attributes_revision integer, head_phone text, head_email text`,
    onConflict: `ON CONFLICT (code) DO UPDATE SET
       name = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.name ELSE units.name END,
       type = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.type ELSE units.type END,
       bloc = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.bloc ELSE units.bloc END,
       admin_parent_code = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.admin_parent_code ELSE units.admin_parent_code END,
       accountable_to_code = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.accountable_to_code ELSE units.accountable_to_code END,
       head_name = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.head_name ELSE units.head_name END,
       head_title = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.head_title ELSE units.head_title END,
       head_phone = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.head_phone ELSE units.head_phone END,
       head_email = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.head_email ELSE units.head_email END,
       level = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.level ELSE units.level END,
       attributes_revision = CASE WHEN ${NEWER_ATTRIBUTES} THEN EXCLUDED.attributes_revision ELSE units.attributes_revision END,
       active = CASE WHEN units.revision < EXCLUDED.revision THEN EXCLUDED.active ELSE units.active END,
       retired_on = CASE WHEN units.revision < EXCLUDED.revision AND EXCLUDED.active THEN NULL ELSE units.retired_on END,
       revision = GREATEST(units.revision, EXCLUDED.revision)
     WHERE ${NEWER_ATTRIBUTES} OR units.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      code: d.code,
      name: d.name,
      type: d.type,
      bloc: d.bloc ?? null,
      admin_parent_code: d.adminParentCode ?? null,
      accountable_to_code: d.accountableToCode ?? null,
      head_name: d.head?.name ?? null,
      head_title: d.head?.title ?? null,
      head_phone: d.head?.phone ?? null,
      head_email: d.head?.email ?? null,
      level: d.level ?? null,
      active: d.active,
      revision: d.revision,
      attributes_revision: d.revision,
    }),
    key: (e) => e.data.code,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  // A retirement that arrives before the unit is known leaves a row without name or type; the upsert fills it.
  writer<OrgUnitRetiredV1Data>({
    contract: OrgUnitRetiredV1,
    table: 'units',
    columns: 'code text, active boolean, retired_on date, revision integer',
    onConflict: `ON CONFLICT (code) DO UPDATE SET active = false, retired_on = EXCLUDED.retired_on, revision = EXCLUDED.revision
     WHERE units.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({ code: d.code, active: false, retired_on: d.retiredOn, revision: d.revision }),
    key: (e) => e.data.code,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  /** A denominator restated for the same day: the later event (occurredAt, then id) wins. */
  writer<CohortSetV1Data>({
    contract: CohortSetV1,
    table: 'cohort_denominators',
    columns: 'org_unit_code text, cohort text, as_of date, headcount integer, event_occurred_at timestamptz, event_id uuid',
    onConflict: `ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET headcount = EXCLUDED.headcount,
       event_occurred_at = EXCLUDED.event_occurred_at, event_id = EXCLUDED.event_id
     WHERE cohort_denominators.event_id IS NULL
        OR (cohort_denominators.event_occurred_at, cohort_denominators.event_id) < (EXCLUDED.event_occurred_at, EXCLUDED.event_id)`,
    row: (e) => ({
      org_unit_code: e.data.orgUnitCode,
      cohort: e.data.cohort,
      as_of: e.data.asOf,
      headcount: e.data.headcount,
      event_occurred_at: e.occurredAt,
      event_id: e.id,
    }),
    key: (e) => `${e.data.orgUnitCode}|${e.data.cohort}|${e.data.asOf}`,
    newer: laterEvent,
  }),
  // `name` is the English name (the column analysts' views have always had); name_vi and name_en are both names.
  writer<TargetSetV2Data>({
    contract: TargetSetV2,
    table: 'targets',
    columns: `target_id text, name text, metric text, cohorts text[], tree text, scope_unit_types text[], scope_levels integer[],
      threshold double precision, deadline date, campaign_start date, reporting_window_days integer, revision integer, name_vi text, name_en text`,
    onConflict: `ON CONFLICT (target_id) DO UPDATE SET name = EXCLUDED.name, name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, metric = EXCLUDED.metric, cohorts = EXCLUDED.cohorts,
       tree = EXCLUDED.tree, scope_unit_types = EXCLUDED.scope_unit_types, scope_levels = EXCLUDED.scope_levels,
       threshold = EXCLUDED.threshold, deadline = EXCLUDED.deadline, campaign_start = EXCLUDED.campaign_start,
       reporting_window_days = EXCLUDED.reporting_window_days, revision = EXCLUDED.revision
     WHERE targets.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      target_id: d.targetId,
      name: d.nameEn,
      name_vi: d.nameVi,
      name_en: d.nameEn,
      metric: d.metric,
      cohorts: d.cohorts,
      tree: d.tree,
      scope_unit_types: d.scopeUnitTypes,
      scope_levels: d.scopeLevels,
      threshold: d.threshold,
      deadline: d.deadline,
      campaign_start: d.campaignStart ?? null,
      reporting_window_days: d.reportingWindowDays,
      revision: d.revision,
    }),
    key: (e) => e.data.targetId,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  /** Keyed by (unit, cohort, tree, date); of two figures for one key the later event (occurredAt, then id) wins. */
  writer<FigureUpdatedV1Data>({
    contract: FigureUpdatedV1,
    table: 'figures',
    columns: `org_unit_code text, cohort text, tree text, date date, headcount integer, smartphone_holders integer, installed integer,
      bluetooth_on integer, population integer, reporting_units integer, expected_units integer, event_occurred_at timestamptz, event_id uuid`,
    onConflict: `ON CONFLICT (org_unit_code, cohort, tree, date) DO UPDATE SET headcount = EXCLUDED.headcount,
       smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on,
       population = EXCLUDED.population, reporting_units = EXCLUDED.reporting_units, expected_units = EXCLUDED.expected_units,
       event_occurred_at = EXCLUDED.event_occurred_at, event_id = EXCLUDED.event_id
     WHERE (figures.event_occurred_at, figures.event_id) < (EXCLUDED.event_occurred_at, EXCLUDED.event_id)`,
    row: (e) => {
      const d = e.data;
      return {
        org_unit_code: d.orgUnitCode,
        cohort: d.cohort,
        tree: d.tree,
        date: d.date,
        headcount: d.headcount,
        smartphone_holders: d.smartphoneHolders,
        installed: d.installed,
        bluetooth_on: d.bluetoothOn,
        population: d.population ?? null,
        reporting_units: d.reportingUnits,
        expected_units: d.expectedUnits,
        event_occurred_at: e.occurredAt,
        event_id: e.id,
      };
    },
    key: (e) => `${e.data.orgUnitCode}|${e.data.cohort}|${e.data.tree}|${e.data.date}`,
    newer: laterEvent,
  }),
  writer<TargetStatusChangedV1Data>({
    contract: TargetStatusChangedV1,
    table: 'target_statuses',
    columns: `target_id text, org_unit_code text, date date, status text, previous_status text, value double precision,
      threshold double precision, forecast_date date, gap integer, reporting_units integer, expected_units integer, reporting boolean,
      event_occurred_at timestamptz, event_id uuid`,
    onConflict: `ON CONFLICT (target_id, org_unit_code, date) DO UPDATE SET status = EXCLUDED.status, previous_status = EXCLUDED.previous_status,
       value = EXCLUDED.value, threshold = EXCLUDED.threshold, forecast_date = EXCLUDED.forecast_date, gap = EXCLUDED.gap,
       reporting_units = EXCLUDED.reporting_units, expected_units = EXCLUDED.expected_units, reporting = EXCLUDED.reporting,
       event_occurred_at = EXCLUDED.event_occurred_at, event_id = EXCLUDED.event_id
     WHERE (target_statuses.event_occurred_at, target_statuses.event_id) < (EXCLUDED.event_occurred_at, EXCLUDED.event_id)`,
    row: (e) => {
      const d = e.data;
      return {
        target_id: d.targetId,
        org_unit_code: d.orgUnitCode,
        date: d.date,
        status: d.status,
        previous_status: d.previousStatus ?? null,
        value: d.value ?? null,
        threshold: d.threshold,
        forecast_date: d.forecastDate ?? null,
        gap: d.gap,
        reporting_units: d.reportingUnits ?? null,
        expected_units: d.expectedUnits ?? null,
        reporting: d.reporting ?? null,
        event_occurred_at: e.occurredAt,
        event_id: e.id,
      };
    },
    key: (e) => `${e.data.targetId}|${e.data.orgUnitCode}|${e.data.date}`,
    newer: laterEvent,
  }),
  writer<ReportAcceptedV1Data>({
    contract: ReportAcceptedV1,
    table: 'reports',
    columns: `org_unit_code text, cohort text, as_of date, report_id uuid, revision integer, submitted_at timestamptz, headcount integer,
      smartphone_holders integer, installed integer, bluetooth_on integer`,
    onConflict: `ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET report_id = EXCLUDED.report_id, revision = EXCLUDED.revision,
       submitted_at = EXCLUDED.submitted_at, headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders,
       installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on
     WHERE (reports.revision, reports.submitted_at) < (EXCLUDED.revision, EXCLUDED.submitted_at)`,
    row: ({ data: d }) => ({
      org_unit_code: d.orgUnitCode,
      cohort: d.cohort,
      as_of: d.asOf,
      report_id: d.reportId,
      revision: d.revision,
      submitted_at: d.submittedAt,
      headcount: d.headcount,
      smartphone_holders: d.smartphoneHolders,
      installed: d.installed,
      bluetooth_on: d.bluetoothOn,
    }),
    key: (e) => `${e.data.orgUnitCode}|${e.data.cohort}|${e.data.asOf}`,
    newer: (a, b) => laterSubmission(a.data, b.data),
  }),
  /** One row per (unit, kind, date, venue type): a correction (higher revision) replaces the day's record. */
  writer<ActivityRecordedV1Data>({
    contract: ActivityRecordedV1,
    table: 'activities',
    columns:
      'org_unit_code text, kind text, date date, venue_type text, activity_id uuid, revision integer, submitted_at timestamptz, counts jsonb',
    onConflict: `ON CONFLICT (org_unit_code, kind, date, venue_type) DO UPDATE SET activity_id = EXCLUDED.activity_id,
       revision = EXCLUDED.revision, submitted_at = EXCLUDED.submitted_at, counts = EXCLUDED.counts
     WHERE (activities.revision, activities.submitted_at) < (EXCLUDED.revision, EXCLUDED.submitted_at)`,
    row: ({ data: d }) => {
      const counts: Record<string, number | boolean> = {};
      for (const k of ACTIVITY_COUNT_KEYS) {
        const v = d[k];
        if (v !== undefined && v !== null) counts[k] = v;
      }
      return {
        org_unit_code: d.orgUnitCode,
        kind: d.kind,
        date: d.date,
        venue_type: d.venueType ?? '',
        activity_id: d.activityId,
        revision: d.revision,
        submitted_at: d.submittedAt,
        counts,
      };
    },
    key: (e) => `${e.data.orgUnitCode}|${e.data.kind}|${e.data.date}|${e.data.venueType ?? ''}`,
    newer: (a, b) => laterSubmission(a.data, b.data),
  }),
  writer<SupportPointOpenedV1Data>({
    contract: SupportPointOpenedV1,
    table: 'support_points',
    columns: 'point_id text, operator_code text, commune_code text, address text, hours text, opened_on date, open_revision integer',
    onConflict: `ON CONFLICT (point_id) DO UPDATE SET operator_code = EXCLUDED.operator_code, commune_code = EXCLUDED.commune_code,
       address = EXCLUDED.address, hours = EXCLUDED.hours, opened_on = EXCLUDED.opened_on, open_revision = EXCLUDED.open_revision
     WHERE support_points.open_revision < EXCLUDED.open_revision`,
    row: ({ data: d }) => ({
      point_id: d.pointId,
      operator_code: d.operatorCode,
      commune_code: d.communeCode,
      address: d.address,
      hours: d.hours ?? null,
      opened_on: d.openedOn,
      open_revision: d.revision,
    }),
    key: (e) => e.data.pointId,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  /** Closing and (re)opening are ordered by revision: the point is closed when the close is the newer of the two. */
  writer<SupportPointClosedV1Data>({
    contract: SupportPointClosedV1,
    table: 'support_points',
    columns: 'point_id text, operator_code text, commune_code text, closed_on date, close_revision integer',
    onConflict: `ON CONFLICT (point_id) DO UPDATE SET closed_on = EXCLUDED.closed_on, close_revision = EXCLUDED.close_revision
     WHERE support_points.close_revision < EXCLUDED.close_revision`,
    row: ({ data: d }) => ({
      point_id: d.pointId,
      operator_code: d.operatorCode,
      commune_code: d.communeCode,
      closed_on: d.closedOn,
      close_revision: d.revision,
    }),
    key: (e) => e.data.pointId,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  writer<SupportSessionLoggedV1Data>({
    contract: SupportSessionLoggedV1,
    table: 'support_sessions',
    columns:
      'point_id text, date date, operator_code text, commune_code text, revision integer, assisted integer, installed integer, bluetooth_enabled integer',
    onConflict: `ON CONFLICT (point_id, date) DO UPDATE SET operator_code = EXCLUDED.operator_code, commune_code = EXCLUDED.commune_code,
       revision = EXCLUDED.revision, assisted = EXCLUDED.assisted, installed = EXCLUDED.installed, bluetooth_enabled = EXCLUDED.bluetooth_enabled
     WHERE support_sessions.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      point_id: d.pointId,
      date: d.date,
      operator_code: d.operatorCode,
      commune_code: d.communeCode,
      revision: d.revision,
      assisted: d.assisted,
      installed: d.installed,
      bluetooth_enabled: d.bluetoothEnabled,
    }),
    key: (e) => `${e.data.pointId}|${e.data.date}`,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  writer<TransportCheckedV1Data>({
    contract: TransportCheckedV1,
    table: 'transport_checks',
    columns:
      'hub_code text, date date, revision integer, passengers_checked integer, already_installed integer, installed_on_site integer, refused integer',
    onConflict: `ON CONFLICT (hub_code, date) DO UPDATE SET revision = EXCLUDED.revision, passengers_checked = EXCLUDED.passengers_checked,
       already_installed = EXCLUDED.already_installed, installed_on_site = EXCLUDED.installed_on_site, refused = EXCLUDED.refused
     WHERE transport_checks.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      hub_code: d.hubCode,
      date: d.date,
      revision: d.revision,
      passengers_checked: d.passengersChecked,
      already_installed: d.alreadyInstalled,
      installed_on_site: d.installedOnSite,
      refused: d.refused,
    }),
    key: (e) => `${e.data.hubCode}|${e.data.date}`,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  writer<RosterImportedV1Data>({
    contract: RosterImportedV1,
    table: 'roster_imports',
    columns: `enterprise_code text, as_of date, import_id uuid, revision integer, headcount integer, smartphone_holders integer, installed integer,
      bluetooth_on integer, rows_accepted integer, rows_rejected integer, joined integer, "left" integer, newly_installed integer, newly_bluetooth_on integer`,
    onConflict: `ON CONFLICT (enterprise_code, as_of) DO UPDATE SET import_id = EXCLUDED.import_id, revision = EXCLUDED.revision,
       headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed,
       bluetooth_on = EXCLUDED.bluetooth_on, rows_accepted = EXCLUDED.rows_accepted, rows_rejected = EXCLUDED.rows_rejected,
       joined = EXCLUDED.joined, "left" = EXCLUDED."left", newly_installed = EXCLUDED.newly_installed, newly_bluetooth_on = EXCLUDED.newly_bluetooth_on
     WHERE roster_imports.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      enterprise_code: d.enterpriseCode,
      as_of: d.asOf,
      import_id: d.importId,
      revision: d.revision,
      headcount: d.headcount,
      smartphone_holders: d.smartphoneHolders,
      installed: d.installed,
      bluetooth_on: d.bluetoothOn,
      rows_accepted: d.rowsAccepted,
      rows_rejected: d.rowsRejected,
      joined: d.joined,
      left: d.left,
      newly_installed: d.newlyInstalled,
      newly_bluetooth_on: d.newlyBluetoothOn,
    }),
    key: (e) => `${e.data.enterpriseCode}|${e.data.asOf}`,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
];

/** Every event contract the read model is built from. */
export const PROJECTED_CONTRACTS: readonly EventContract[] = WRITERS.map((w) => w.contract);

/** Column names of a `jsonb_to_recordset` column list (`code text, "left" integer` -> `code, "left"`). */
function columnNames(columns: string): string {
  return columns
    .split(',')
    .map((c) => c.trim().split(/\s+/)[0])
    .join(', ');
}

/**
 * Writes events into one generation of the read model, a batch at a time: the events of one type in a
 * batch become one multi-row upsert (one statement, whatever the batch size), with the same newest-wins
 * rule as applying them one by one; that rule is what lets a rebuild and the live consumer both write into
 * a new generation during the switch.
 */
export class ComplianceProjector {
  private readonly byType = new Map<string, Writer<unknown>>(WRITERS.map((w) => [w.contract.type, w]));

  /**
   * Applies events (in stream order) to a generation with one checkpoint; events of types the read model
   * does not use are skipped. Returns how many were applied.
   */
  async applyBatch(schema: string, events: readonly EventEnvelope[], m: EntityManager): Promise<number> {
    // Per writer, the winning event of each key, in first-seen order of the keys.
    const pending = new Map<Writer<unknown>, Map<string, EventEnvelope>>();
    let newest: EventEnvelope | null = null;
    let applied = 0;
    for (const e of events) {
      const w = this.byType.get(e.type);
      if (!w) continue;
      applied += 1;
      if (!newest || laterEvent(e, newest)) newest = e;
      const rows = pending.get(w) ?? new Map<string, EventEnvelope>();
      pending.set(w, rows);
      const key = w.key(e as Envelope<unknown>);
      const held = rows.get(key);
      if (!held || w.newer(e as Envelope<unknown>, held as Envelope<unknown>)) rows.set(key, e);
    }
    if (!newest) return 0;
    // In the order of WRITERS, so that concurrent batches take row locks table by table in one order.
    for (const w of WRITERS) {
      const rows = pending.get(w);
      if (!rows) continue;
      await m.query(
        `INSERT INTO "${schema}".${w.table} (${columnNames(w.columns)})
         SELECT ${columnNames(w.columns)} FROM jsonb_to_recordset($1::jsonb) AS x(${w.columns})
         ${w.onConflict}`,
        [JSON.stringify([...rows.values()].map((e) => w.row(e as Envelope<unknown>)))],
      );
    }
    await this.checkpoint(schema, newest, m);
    return applied;
  }

  /** Applies one event to a generation, with its checkpoint. */
  async apply(schema: string, e: EventEnvelope, m: EntityManager): Promise<boolean> {
    return (await this.applyBatch(schema, [e], m)) > 0;
  }

  /** Freshness: the newest event applied, whatever the order of arrival. */
  async checkpoint(s: string, e: EventEnvelope, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO "${s}".projection_checkpoint (singleton, last_occurred_at, last_event_id) VALUES (true, $1, $2)
       ON CONFLICT (singleton) DO UPDATE SET last_occurred_at = EXCLUDED.last_occurred_at, last_event_id = EXCLUDED.last_event_id
       WHERE (projection_checkpoint.last_occurred_at, projection_checkpoint.last_event_id) < (EXCLUDED.last_occurred_at, EXCLUDED.last_event_id)`,
      [e.occurredAt, e.id],
    );
  }
}
