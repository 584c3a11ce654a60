import type { EntityManager } from 'typeorm';
import {
  ActivityRecordedV1,
  CohortSetV1,
  FigureUpdatedV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV1,
  ReportAcceptedV1,
  RosterImportedV1,
  SupportPointClosedV1,
  SupportPointOpenedV1,
  SupportSessionLoggedV1,
  TargetSetV1,
  TargetStatusChangedV1,
  TransportCheckedV1,
  type ActivityRecordedV1Data,
  type CohortSetV1Data,
  type EventContract,
  type EventEnvelope,
  type FigureUpdatedV1Data,
  type OrgUnitRetiredV1Data,
  type OrgUnitUpsertedV1Data,
  type ReportAcceptedV1Data,
  type RosterImportedV1Data,
  type SupportPointClosedV1Data,
  type SupportPointOpenedV1Data,
  type SupportSessionLoggedV1Data,
  type TargetSetV1Data,
  type TargetStatusChangedV1Data,
  type TransportCheckedV1Data,
} from '@app/contracts';

type Apply<D> = (schema: string, e: EventEnvelope<string, D>, m: EntityManager) => Promise<void>;

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

/**
 * Writes each event into one generation of the read model. Every write is an upsert that keeps the
 * newest version of a row by the event's own ordering fields (revision, asOf, or occurredAt then id),
 * so applying the same event twice, or events in any order, gives the same tables: that is what lets
 * a rebuild and the live consumer both write into a new generation during the switch.
 */
export class ComplianceProjector {
  readonly unitUpserted: Apply<OrgUnitUpsertedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".units (code, name, type, bloc, admin_parent_code, accountable_to_code, head_name, head_title, level, active, revision)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, bloc = EXCLUDED.bloc,
         admin_parent_code = EXCLUDED.admin_parent_code, accountable_to_code = EXCLUDED.accountable_to_code,
         head_name = EXCLUDED.head_name, head_title = EXCLUDED.head_title, level = EXCLUDED.level,
         active = CASE WHEN units.revision < EXCLUDED.revision THEN EXCLUDED.active ELSE units.active END,
         retired_on = CASE WHEN units.revision < EXCLUDED.revision AND EXCLUDED.active THEN NULL ELSE units.retired_on END,
         revision = GREATEST(units.revision, EXCLUDED.revision)
       WHERE units.revision < EXCLUDED.revision OR units.type IS NULL`,
      [d.code, d.name, d.type, d.bloc ?? null, d.adminParentCode ?? null, d.accountableToCode ?? null, d.head?.name ?? null, d.head?.title ?? null, d.level ?? null, d.active, d.revision],
    );
  };

  readonly unitRetired: Apply<OrgUnitRetiredV1Data> = async (s, e, m) => {
    const d = e.data;
    // A retirement that arrives before the unit is known leaves a row without name or type; the upsert fills it.
    await m.query(
      `INSERT INTO "${s}".units (code, active, retired_on, revision) VALUES ($1, false, $2, $3)
       ON CONFLICT (code) DO UPDATE SET active = false, retired_on = EXCLUDED.retired_on, revision = EXCLUDED.revision
       WHERE units.revision < EXCLUDED.revision`,
      [d.code, d.retiredOn, d.revision],
    );
  };

  readonly cohortSet: Apply<CohortSetV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".cohort_denominators (org_unit_code, cohort, as_of, headcount) VALUES ($1,$2,$3,$4)
       ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET headcount = EXCLUDED.headcount`,
      [d.orgUnitCode, d.cohort, d.asOf, d.headcount],
    );
  };

  readonly targetSet: Apply<TargetSetV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".targets (target_id, name, metric, cohorts, tree, scope_unit_types, scope_levels, threshold, deadline, campaign_start, reporting_window_days, revision)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
       ON CONFLICT (target_id) DO UPDATE SET name = EXCLUDED.name, metric = EXCLUDED.metric, cohorts = EXCLUDED.cohorts,
         tree = EXCLUDED.tree, scope_unit_types = EXCLUDED.scope_unit_types, scope_levels = EXCLUDED.scope_levels,
         threshold = EXCLUDED.threshold, deadline = EXCLUDED.deadline, campaign_start = EXCLUDED.campaign_start,
         reporting_window_days = EXCLUDED.reporting_window_days, revision = EXCLUDED.revision
       WHERE targets.revision < EXCLUDED.revision`,
      [d.targetId, d.name, d.metric, d.cohorts, d.tree, d.scopeUnitTypes, d.scopeLevels, d.threshold, d.deadline, d.campaignStart ?? null, d.reportingWindowDays, d.revision],
    );
  };

  /** Keyed by (unit, cohort, tree, date); of two figures for one key the later event (occurredAt, then id) wins. */
  readonly figureUpdated: Apply<FigureUpdatedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".figures (org_unit_code, cohort, tree, date, headcount, smartphone_holders, installed, bluetooth_on, population, reporting_units, expected_units, event_occurred_at, event_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
       ON CONFLICT (org_unit_code, cohort, tree, date) DO UPDATE SET headcount = EXCLUDED.headcount,
         smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on,
         population = EXCLUDED.population, reporting_units = EXCLUDED.reporting_units, expected_units = EXCLUDED.expected_units,
         event_occurred_at = EXCLUDED.event_occurred_at, event_id = EXCLUDED.event_id
       WHERE (figures.event_occurred_at, figures.event_id) < (EXCLUDED.event_occurred_at, EXCLUDED.event_id)`,
      [d.orgUnitCode, d.cohort, d.tree, d.date, d.headcount, d.smartphoneHolders, d.installed, d.bluetoothOn, d.population ?? null, d.reportingUnits, d.expectedUnits, e.occurredAt, e.id],
    );
  };

  readonly statusChanged: Apply<TargetStatusChangedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".target_statuses (target_id, org_unit_code, date, status, previous_status, value, threshold, forecast_date, gap, reporting_units, expected_units, reporting, event_occurred_at, event_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       ON CONFLICT (target_id, org_unit_code, date) DO UPDATE SET status = EXCLUDED.status, previous_status = EXCLUDED.previous_status,
         value = EXCLUDED.value, threshold = EXCLUDED.threshold, forecast_date = EXCLUDED.forecast_date, gap = EXCLUDED.gap,
         reporting_units = EXCLUDED.reporting_units, expected_units = EXCLUDED.expected_units, reporting = EXCLUDED.reporting,
         event_occurred_at = EXCLUDED.event_occurred_at, event_id = EXCLUDED.event_id
       WHERE (target_statuses.event_occurred_at, target_statuses.event_id) < (EXCLUDED.event_occurred_at, EXCLUDED.event_id)`,
      [d.targetId, d.orgUnitCode, d.date, d.status, d.previousStatus ?? null, d.value ?? null, d.threshold, d.forecastDate ?? null, d.gap, d.reportingUnits ?? null, d.expectedUnits ?? null, d.reporting ?? null, e.occurredAt, e.id],
    );
  };

  readonly reportAccepted: Apply<ReportAcceptedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".reports (org_unit_code, cohort, as_of, report_id, revision, submitted_at, headcount, smartphone_holders, installed, bluetooth_on)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET report_id = EXCLUDED.report_id, revision = EXCLUDED.revision,
         submitted_at = EXCLUDED.submitted_at, headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders,
         installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on
       WHERE (reports.revision, reports.submitted_at) < (EXCLUDED.revision, EXCLUDED.submitted_at)`,
      [d.orgUnitCode, d.cohort, d.asOf, d.reportId, d.revision, d.submittedAt, d.headcount, d.smartphoneHolders, d.installed, d.bluetoothOn],
    );
  };

  /** One row per (unit, kind, date, venue type): a correction (higher revision) replaces the day's record. */
  readonly activityRecorded: Apply<ActivityRecordedV1Data> = async (s, e, m) => {
    const d = e.data;
    const counts: Record<string, number | boolean> = {};
    for (const k of ACTIVITY_COUNT_KEYS) {
      const v = d[k];
      if (v !== undefined && v !== null) counts[k] = v;
    }
    await m.query(
      `INSERT INTO "${s}".activities (org_unit_code, kind, date, venue_type, activity_id, revision, submitted_at, counts)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (org_unit_code, kind, date, venue_type) DO UPDATE SET activity_id = EXCLUDED.activity_id,
         revision = EXCLUDED.revision, submitted_at = EXCLUDED.submitted_at, counts = EXCLUDED.counts
       WHERE (activities.revision, activities.submitted_at) < (EXCLUDED.revision, EXCLUDED.submitted_at)`,
      [d.orgUnitCode, d.kind, d.date, d.venueType ?? '', d.activityId, d.revision, d.submittedAt, JSON.stringify(counts)],
    );
  };

  readonly pointOpened: Apply<SupportPointOpenedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".support_points (point_id, operator_code, commune_code, address, hours, opened_on, open_revision)
       VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (point_id) DO UPDATE SET operator_code = EXCLUDED.operator_code, commune_code = EXCLUDED.commune_code,
         address = EXCLUDED.address, hours = EXCLUDED.hours, opened_on = EXCLUDED.opened_on, open_revision = EXCLUDED.open_revision
       WHERE support_points.open_revision < EXCLUDED.open_revision`,
      [d.pointId, d.operatorCode, d.communeCode, d.address, d.hours ?? null, d.openedOn, d.revision],
    );
  };

  /** Closing and (re)opening are ordered by revision: the point is closed when the close is the newer of the two. */
  readonly pointClosed: Apply<SupportPointClosedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".support_points (point_id, operator_code, commune_code, closed_on, close_revision)
       VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (point_id) DO UPDATE SET closed_on = EXCLUDED.closed_on, close_revision = EXCLUDED.close_revision
       WHERE support_points.close_revision < EXCLUDED.close_revision`,
      [d.pointId, d.operatorCode, d.communeCode, d.closedOn, d.revision],
    );
  };

  readonly sessionLogged: Apply<SupportSessionLoggedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".support_sessions (point_id, date, operator_code, commune_code, revision, assisted, installed, bluetooth_enabled)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (point_id, date) DO UPDATE SET operator_code = EXCLUDED.operator_code, commune_code = EXCLUDED.commune_code,
         revision = EXCLUDED.revision, assisted = EXCLUDED.assisted, installed = EXCLUDED.installed, bluetooth_enabled = EXCLUDED.bluetooth_enabled
       WHERE support_sessions.revision < EXCLUDED.revision`,
      [d.pointId, d.date, d.operatorCode, d.communeCode, d.revision, d.assisted, d.installed, d.bluetoothEnabled],
    );
  };

  readonly transportChecked: Apply<TransportCheckedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".transport_checks (hub_code, date, revision, passengers_checked, already_installed, installed_on_site, refused)
       VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (hub_code, date) DO UPDATE SET revision = EXCLUDED.revision, passengers_checked = EXCLUDED.passengers_checked,
         already_installed = EXCLUDED.already_installed, installed_on_site = EXCLUDED.installed_on_site, refused = EXCLUDED.refused
       WHERE transport_checks.revision < EXCLUDED.revision`,
      [d.hubCode, d.date, d.revision, d.passengersChecked, d.alreadyInstalled, d.installedOnSite, d.refused],
    );
  };

  readonly rosterImported: Apply<RosterImportedV1Data> = async (s, e, m) => {
    const d = e.data;
    await m.query(
      `INSERT INTO "${s}".roster_imports (enterprise_code, as_of, import_id, revision, headcount, smartphone_holders, installed, bluetooth_on,
         rows_accepted, rows_rejected, joined, "left", newly_installed, newly_bluetooth_on)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       ON CONFLICT (enterprise_code, as_of) DO UPDATE SET import_id = EXCLUDED.import_id, revision = EXCLUDED.revision,
         headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed,
         bluetooth_on = EXCLUDED.bluetooth_on, rows_accepted = EXCLUDED.rows_accepted, rows_rejected = EXCLUDED.rows_rejected,
         joined = EXCLUDED.joined, "left" = EXCLUDED."left", newly_installed = EXCLUDED.newly_installed, newly_bluetooth_on = EXCLUDED.newly_bluetooth_on
       WHERE roster_imports.revision < EXCLUDED.revision`,
      [d.enterpriseCode, d.asOf, d.importId, d.revision, d.headcount, d.smartphoneHolders, d.installed, d.bluetoothOn, d.rowsAccepted, d.rowsRejected, d.joined, d.left, d.newlyInstalled, d.newlyBluetoothOn],
    );
  };

  /** Freshness: the newest event applied, whatever the order of arrival. */
  async checkpoint(s: string, e: EventEnvelope, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO "${s}".projection_checkpoint (singleton, last_occurred_at, last_event_id) VALUES (true, $1, $2)
       ON CONFLICT (singleton) DO UPDATE SET last_occurred_at = EXCLUDED.last_occurred_at, last_event_id = EXCLUDED.last_event_id
       WHERE (projection_checkpoint.last_occurred_at, projection_checkpoint.last_event_id) < (EXCLUDED.last_occurred_at, EXCLUDED.last_event_id)`,
      [e.occurredAt, e.id],
    );
  }

  /** Every event type the read model is built from, with its writer. */
  entries(): Array<[EventContract, Apply<any>]> {
    return [
      [OrgUnitUpsertedV1, this.unitUpserted],
      [OrgUnitRetiredV1, this.unitRetired],
      [CohortSetV1, this.cohortSet],
      [TargetSetV1, this.targetSet],
      [FigureUpdatedV1, this.figureUpdated],
      [TargetStatusChangedV1, this.statusChanged],
      [ReportAcceptedV1, this.reportAccepted],
      [ActivityRecordedV1, this.activityRecorded],
      [SupportPointOpenedV1, this.pointOpened],
      [SupportPointClosedV1, this.pointClosed],
      [SupportSessionLoggedV1, this.sessionLogged],
      [TransportCheckedV1, this.transportChecked],
      [RosterImportedV1, this.rosterImported],
    ];
  }

  /** Applies one event to a generation, with its checkpoint. */
  async apply(schema: string, e: EventEnvelope, m: EntityManager): Promise<boolean> {
    const entry = this.entries().find(([c]) => c.type === e.type);
    if (!entry) return false;
    await entry[1](schema, e, m);
    await this.checkpoint(schema, e, m);
    return true;
  }
}
