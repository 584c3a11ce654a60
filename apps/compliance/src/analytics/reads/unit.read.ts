import type { FigureCounts } from '../../common/figures';
import {
  FIGURE_COLUMNS,
  figuresOfSql,
  statusOfSql,
  TARGET_COLUMNS,
  UNIT_COLUMNS,
  type StatusRow,
  type TargetRow,
  type UnitRow,
} from '../../common/read-model.service';

/** What GET /v1/units/{code} reads, in one statement. */
export interface UnitData {
  unit: UnitRow | null;
  targets: TargetRow[];
  /** Its parents on both trees, in code order. */
  parents: UnitRow[];
  /** Its children on both trees (known units, active or not), in code order. */
  children: UnitRow[];
  /** Its latest figure as of the date, per cohort and tree. */
  figures: FigureCounts[];
  /** Its latest status as of the date, per target. */
  statuses: StatusRow[];
  /** Its figures of the days in (historyFrom, date]. */
  history: FigureCounts[];
}

/**
 * GET /v1/units/{code} in one statement: the unit, its parents and children (through the parent indexes), figures,
 * statuses (each target's through the primary key: read as a set, the unit's statuses were filtered out of a scan of
 * every status of every unit, ~18 ms on a province's 28,000 rows, when the planner's estimate of the targets was stale)
 * and history.
 */
export function unitQuery(code: string, date: string, historyFrom: string): { data: (schema: string) => string; params: unknown[] } {
  return {
    params: [date, code, historyFrom],
    data: (schema) => {
      const s = `"${schema}"`;
      return `WITH u AS (SELECT * FROM ${s}.units WHERE code = $2 AND type IS NOT NULL)
        SELECT json_build_object(
          'unit', (SELECT row_to_json(x) FROM (SELECT ${UNIT_COLUMNS} FROM u) x),
          'targets', (SELECT coalesce(json_agg(t ORDER BY t."targetId"), '[]') FROM (SELECT ${TARGET_COLUMNS} FROM ${s}.targets) t),
          'parents', (SELECT coalesce(json_agg(x ORDER BY x.code), '[]') FROM (
              SELECT ${UNIT_COLUMNS} FROM ${s}.units
              WHERE code IN (SELECT admin_parent_code FROM u UNION SELECT accountable_to_code FROM u) AND type IS NOT NULL) x),
          'children', (SELECT coalesce(json_agg(x ORDER BY x.code), '[]') FROM (
              SELECT ${UNIT_COLUMNS} FROM ${s}.units
              WHERE (admin_parent_code = $2 OR accountable_to_code = $2) AND type IS NOT NULL) x),
          'figures', (SELECT coalesce(json_agg(x), '[]') FROM (${figuresOfSql(s, '$2')}) x),
          'statuses', (SELECT coalesce(json_agg(x ORDER BY x."targetId"), '[]') FROM (
              SELECT x.* FROM ${s}.targets t CROSS JOIN LATERAL (${statusOfSql(s, 't.target_id', '$2')}) x) x),
          'history', (SELECT coalesce(json_agg(x ORDER BY x.date, x.cohort, x.tree), '[]') FROM (
              SELECT ${FIGURE_COLUMNS} FROM ${s}.figures WHERE org_unit_code = $2 AND date <= $1 AND date > $3::date) x)
        )`;
    },
  };
}
