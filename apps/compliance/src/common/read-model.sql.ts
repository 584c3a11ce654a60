import { BOTH_TREES, type TreeWalk } from '@app/persistence';

/**
 * The read model's SQL pieces shared by the read routes (columns, the statuses and figures of listed units, the
 * version): ReadModelService runs them, the route statements (analytics/reads) build on them.
 */

/** Known units on both trees: what a portal key's scope is walked over (subtreeCodes in SQL). */
export function unitWalk(schema: string): TreeWalk {
  return { table: `"${schema}".units`, parentColumns: BOTH_TREES, where: 'u.type IS NOT NULL' };
}

export const UNIT_COLUMNS = `code, name, type, bloc, admin_parent_code AS "adminParentCode", accountable_to_code AS "accountableToCode",
  head_name AS "headName", head_title AS "headTitle", head_phone AS "headPhone", head_email AS "headEmail", level, active`;

export const TARGET_COLUMNS = `target_id AS "targetId", coalesce(name_vi, name) AS name, coalesce(name_vi, name) AS "nameVi", coalesce(name_en, name) AS "nameEn", metric, cohorts, tree, scope_unit_types AS "scopeUnitTypes", scope_levels AS "scopeLevels",
  threshold, deadline::text AS deadline, campaign_start::text AS "campaignStart", reporting_window_days AS "reportingWindowDays", revision`;

/** A StatusRow from `cur` (the latest status row) and `brk` (the latest before it with another status, or nulls). */
function statusColumns(s: string): string {
  return `cur.target_id AS "targetId", cur.org_unit_code AS "orgUnitCode",
           (SELECT min(y.date) FROM ${s}.target_statuses y
             WHERE y.target_id = cur.target_id AND y.org_unit_code = cur.org_unit_code AND y.date <= $1
               AND (brk.date IS NULL OR y.date > brk.date))::text AS date,
           cur.status, brk.status AS "previousStatus", cur.value, cur.threshold,
           cur.forecast_date::text AS "forecastDate", cur.gap,
           cur.reporting_units AS "reportingUnits", cur.expected_units AS "expectedUnits", cur.reporting`;
}

/**
 * The latest status row of each (target, unit) as of $1, with the day its current status began and the
 * status before it, read from the sequence of statuses (rows also restate a status when its coverage
 * changes). A unit whose latest row is a withdrawal (no status: it retired or left the target) has none.
 * The status before may be none (withdrawn, then given one again): its current status began after the withdrawal. `filter(alias)` narrows the rows read (on target_id and org_unit_code only), in every pass.
 */
export function statusesSql(s: string, filter: (alias: string) => string = () => ''): string {
  return `WITH cur AS (
      SELECT DISTINCT ON (target_id, org_unit_code) * FROM ${s}.target_statuses WHERE date <= $1 ${filter('target_statuses')} ORDER BY target_id, org_unit_code, date DESC
    ), brk AS (
      SELECT DISTINCT ON (x.target_id, x.org_unit_code) x.target_id, x.org_unit_code, x.date, x.status
      FROM ${s}.target_statuses x JOIN cur ON cur.target_id = x.target_id AND cur.org_unit_code = x.org_unit_code
      WHERE x.date <= $1 AND x.status IS DISTINCT FROM cur.status ${filter('x')}
      ORDER BY x.target_id, x.org_unit_code, x.date DESC
    )
    SELECT ${statusColumns(s)}
    FROM cur LEFT JOIN brk ON brk.target_id = cur.target_id AND brk.org_unit_code = cur.org_unit_code
    WHERE cur.status IS NOT NULL
    ORDER BY cur.target_id, cur.org_unit_code`;
}

export const FIGURE_COLUMNS = `org_unit_code AS "orgUnitCode", cohort, tree, date::text AS date, headcount,
  smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn", population,
  reporting_units AS "reportingUnits", expected_units AS "expectedUnits"`;

/**
 * statusesSql for one (target, unit) pair named by SQL expressions (columns of the rows it is joined
 * LATERAL to): the same row, read through the primary key only (the latest status, the latest with
 * another status, the first day since), so a list's statuses cost a few index probes per row listed
 * whatever the planner's estimates (a set-based read of a handful of units was planned as a scan of
 * every status of the target when the table's statistics were stale).
 */
export function statusOfSql(s: string, target: string, unit: string): string {
  return `SELECT ${statusColumns(s)}
    FROM (SELECT * FROM ${s}.target_statuses WHERE target_id = ${target} AND org_unit_code = ${unit} AND date <= $1
          ORDER BY date DESC LIMIT 1) cur
    LEFT JOIN LATERAL (
      SELECT x.date, x.status FROM ${s}.target_statuses x
      WHERE x.target_id = cur.target_id AND x.org_unit_code = cur.org_unit_code AND x.date <= $1 AND x.status IS DISTINCT FROM cur.status
      ORDER BY x.date DESC LIMIT 1) brk ON true
    WHERE cur.status IS NOT NULL`;
}

/** The latest figure as of $1 per cohort and tree of one unit (an SQL expression), through the primary key. */
export function figuresOfSql(s: string, unit: string): string {
  return `SELECT DISTINCT ON (cohort, tree) ${FIGURE_COLUMNS}
    FROM ${s}.figures WHERE org_unit_code = ${unit} AND date <= $1 ORDER BY cohort, tree, date DESC`;
}

/**
 * The read-model version in the database (the generation and the per-consumer counters bumped by every
 * transaction that applies events), as a SQL expression for readOne.
 */
export function versionSql(schema: string): string {
  return `SELECT '${schema}|' || coalesce(string_agg(consumer || '=' || version, ',' ORDER BY consumer), '') FROM read_model_version`;
}
