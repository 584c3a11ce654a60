import {
  CohortSetV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV2,
  TargetSetV2,
  type CohortSetV1Data,
  type OrgUnitRetiredV1Data,
  type OrgUnitUpsertedV2Data,
  type TargetSetV2Data,
} from '@app/contracts';
import { laterEvent, NEWER_ATTRIBUTES, writer, type Writer } from './writer';

/** How the events of the registry (units, cohorts, targets) land in the read model. */
export const REGISTRY_WRITERS: ReadonlyArray<Writer<unknown>> = [
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
];
