import { ActivityRecordedV1, ReportAcceptedV1, type ActivityRecordedV1Data, type ReportAcceptedV1Data } from '@app/contracts';
import { laterSubmission, writer, type Writer } from './writer';

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

/** How the events of intake (reports, activities) land in the read model. */
export const INTAKE_WRITERS: ReadonlyArray<Writer<unknown>> = [
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
];
