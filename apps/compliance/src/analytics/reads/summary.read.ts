import type { TargetStatus } from '@app/contracts';
import { groupBy, type StatusGroup } from '@app/domain';
import type { FigureCounts } from '../../common/figures';
import {
  FIGURE_COLUMNS,
  statusesSql,
  TARGET_COLUMNS,
  UNIT_COLUMNS,
  type StatusRow,
  type TargetRow,
  type UnitRow,
} from '../../common/read-model.service';
import { statusCountsSql } from '../../projection/status-counts';

/** What GET /v1/summary reads, in one statement. */
export interface SummaryData {
  targets: TargetRow[];
  /** The province (the active one first): none or one. */
  root: UnitRow[];
  figures: FigureCounts[];
  statuses: StatusRow[];
  /** Per target, how many units hold each status as their latest as of the date (kept by the projection). */
  counts: Array<{ targetId: string; status: TargetStatus; units: number }>;
}

/**
 * GET /v1/summary in one statement: the targets, the province with its figures and statuses (through the
 * primary keys), and per target the units by latest status, summed from the per-day counts the
 * projection keeps (status-counts.ts): work in proportion to the campaign's days, not to the units.
 */
export function summaryQuery(date: string): { data: (schema: string) => string; params: unknown[] } {
  return {
    params: [date],
    data: (schema) => {
      const s = `"${schema}"`;
      return `WITH root AS (
          SELECT ${UNIT_COLUMNS} FROM ${s}.units WHERE type = 'province' ORDER BY active DESC, code LIMIT 1
        )
        SELECT json_build_object(
          'targets', (SELECT coalesce(json_agg(t ORDER BY t."targetId"), '[]') FROM (SELECT ${TARGET_COLUMNS} FROM ${s}.targets) t),
          'root', (SELECT coalesce(json_agg(root), '[]') FROM root),
          'figures', (SELECT coalesce(json_agg(x), '[]') FROM (
              SELECT DISTINCT ON (org_unit_code, cohort, tree) ${FIGURE_COLUMNS}
              FROM ${s}.figures WHERE org_unit_code IN (SELECT code FROM root) AND date <= $1
              ORDER BY org_unit_code, cohort, tree, date DESC) x),
          'statuses', (SELECT coalesce(json_agg(x), '[]') FROM (${statusesSql(
            s,
            (a) => `AND ${a}.target_id IN (SELECT target_id FROM ${s}.targets) AND ${a}.org_unit_code IN (SELECT code FROM root)`,
          )}) x),
          'counts', (SELECT coalesce(json_agg(x), '[]') FROM (${statusCountsSql(s)}) x)
        )`;
    },
  };
}

/** The counts as summarize reads them. */
export function countsByTarget(rows: SummaryData['counts']): Map<string, StatusGroup[]> {
  return new Map(
    [...groupBy(rows, (r) => r.targetId)].map(([t, rs]) => [t, rs.map((r): StatusGroup => ({ status: r.status, units: r.units }))]),
  );
}
