import {
  FigureUpdatedV1,
  TargetStatusChangedV1,
  TargetStatusWithdrawnV1,
  type FigureUpdatedV1Data,
  type TargetStatusChangedV1Data,
  type TargetStatusWithdrawnV1Data,
} from '@app/contracts';
import { statusCountsAfter, statusCountsBefore, statusCountsParams } from '../status-counts';
import { laterEvent, writer, type Writer } from './writer';

/** How the events of the rates service (figures, statuses) land in the read model. */
export const RATES_WRITERS: ReadonlyArray<Writer<unknown>> = [
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
    derived: { params: statusCountsParams, before: statusCountsBefore, after: statusCountsAfter },
  }),
  // A withdrawal is a status row with no status: the unit has none from its day on (reads take it as none; the counts
  // take the status before it away). The same key and the same newest-wins rule as a status: a status published
  // later for that day replaces it, and it replaces an earlier one.
  writer<TargetStatusWithdrawnV1Data>({
    contract: TargetStatusWithdrawnV1,
    table: 'target_statuses',
    columns: `target_id text, org_unit_code text, date date, previous_status text, event_occurred_at timestamptz, event_id uuid`,
    onConflict: `ON CONFLICT (target_id, org_unit_code, date) DO UPDATE SET status = NULL, previous_status = EXCLUDED.previous_status,
       value = NULL, threshold = NULL, forecast_date = NULL, gap = NULL, reporting_units = NULL, expected_units = NULL, reporting = NULL,
       event_occurred_at = EXCLUDED.event_occurred_at, event_id = EXCLUDED.event_id
     WHERE (target_statuses.event_occurred_at, target_statuses.event_id) < (EXCLUDED.event_occurred_at, EXCLUDED.event_id)`,
    row: (e) => ({
      target_id: e.data.targetId,
      org_unit_code: e.data.orgUnitCode,
      date: e.data.date,
      previous_status: e.data.previousStatus,
      event_occurred_at: e.occurredAt,
      event_id: e.id,
    }),
    key: (e) => `${e.data.targetId}|${e.data.orgUnitCode}|${e.data.date}`,
    newer: laterEvent,
    derived: { params: statusCountsParams, before: statusCountsBefore, after: statusCountsAfter },
  }),
];
