import type { Tree } from '@app/contracts';
import { descendantsCte } from '@app/persistence';
import type { FigureCounts } from '../../common/figures';
import {
  FIGURE_COLUMNS,
  statusesSql,
  TARGET_COLUMNS,
  UNIT_COLUMNS,
  unitWalk,
  type StatusRow,
  type TargetRow,
  type UnitRow,
} from '../../common/read-model.service';

/** What GET /v1/targets/{id}/statuses and GET /v1/laggards read, in one statement. */
export interface StatusesData {
  targets: TargetRow[];
  /** Whether the `within` unit asked about is known (true when none was asked about). */
  withinKnown: boolean;
  /** The latest status as of the date of the chosen targets, of every unit in scope that has one. */
  statuses: StatusRow[];
  /** Those units, in code order. */
  units: UnitRow[];
  /** Their parents on both trees that are not among them (to be named), in code order. */
  parents: UnitRow[];
  /** The units' latest figures as of the date. */
  figures: FigureCounts[];
}

export interface StatusesFilter {
  date: string;
  /** One target, or (absent) every target, of one tree when `tree` is given. */
  target?: string;
  tree?: Tree;
  /** null: the key reads every unit; otherwise the root of its scope. */
  scopeRoot: string | null;
  /** Only units in this unit's subtree. */
  within?: string;
}

/**
 * The units with a status for the chosen targets (in the key's scope and, when asked, within one unit's
 * subtree, both walked down with libs/persistence tree-sql), those units, their parents and their figures:
 * one statement, nothing else of the registry.
 */
export function statusesQuery(f: StatusesFilter): { data: (schema: string) => string; params: unknown[] } {
  const params: unknown[] = [f.date];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const scopeRoot = f.scopeRoot === null ? null : p(f.scopeRoot);
  const within = f.within === undefined ? null : p(f.within);
  const chosen = [f.target !== undefined ? `target_id = ${p(f.target)}` : 'true', f.tree !== undefined ? `tree = ${p(f.tree)}` : 'true'];
  return {
    params,
    data: (schema) => {
      const s = `"${schema}"`;
      const walks = [
        ...(scopeRoot ? [descendantsCte('ps', `SELECT ${scopeRoot}::text`, unitWalk(schema))] : []),
        ...(within ? [descendantsCte('ws', `SELECT ${within}::text`, unitWalk(schema))] : []),
      ];
      const inScope = (a: string) =>
        (scopeRoot ? ` AND ${a}.org_unit_code IN (SELECT code FROM ps)` : '') +
        (within ? ` AND ${a}.org_unit_code IN (SELECT code FROM ws)` : '');
      return `WITH RECURSIVE ${walks.map((w) => `${w}, `).join('')}ch AS (
          SELECT target_id FROM ${s}.targets WHERE ${chosen.join(' AND ')}
        ), st AS (${statusesSql(s, (a) => `AND ${a}.target_id IN (SELECT target_id FROM ch)${inScope(a)}`)}
        ), un AS (
          SELECT ${UNIT_COLUMNS} FROM ${s}.units WHERE code IN (SELECT "orgUnitCode" FROM st) AND type IS NOT NULL
        )
        SELECT json_build_object(
          'targets', (SELECT coalesce(json_agg(t ORDER BY t."targetId"), '[]') FROM (SELECT ${TARGET_COLUMNS} FROM ${s}.targets) t),
          'withinKnown', ${within ? `EXISTS (SELECT 1 FROM ${s}.units WHERE code = ${within} AND type IS NOT NULL)` : 'true'},
          'statuses', (SELECT coalesce(json_agg(st ORDER BY st."targetId", st."orgUnitCode"), '[]') FROM st),
          'units', (SELECT coalesce(json_agg(un ORDER BY un.code), '[]') FROM un),
          'parents', (SELECT coalesce(json_agg(x ORDER BY x.code), '[]') FROM (
              SELECT ${UNIT_COLUMNS} FROM ${s}.units
              WHERE code IN (SELECT "adminParentCode" FROM un UNION SELECT "accountableToCode" FROM un)
                AND code NOT IN (SELECT code FROM un) AND type IS NOT NULL) x),
          'figures', (SELECT coalesce(json_agg(x), '[]') FROM (
              SELECT DISTINCT ON (org_unit_code, cohort, tree) ${FIGURE_COLUMNS}
              FROM ${s}.figures WHERE org_unit_code IN (SELECT code FROM un) AND date <= $1
              ORDER BY org_unit_code, cohort, tree, date DESC) x)
        )`;
    },
  };
}
