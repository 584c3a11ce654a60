import type { Cohort, Tree, UnitType } from '@app/contracts';
import { subtreeSql } from '@app/persistence';
import { sqlRatio, type FigureCounts } from '../../common/figures';
import { Batches } from '../../common/batches';
import { sqlOrderBy } from '../../common/listing';
import {
  figuresOfSql,
  statusOfSql,
  TARGET_COLUMNS,
  UNIT_COLUMNS,
  unitWalk,
  type StatusRow,
  type TargetRow,
  type ReadModelService,
  type UnitRow,
} from '../../common/read-model.service';

/** One page of GET /v1/units as read: the parent and the units of the page, with their figures and statuses. */
export interface UnitsPage {
  parent: UnitRow | null;
  /** The active units matching the filters, within the key's scope, in code order. */
  units: UnitRow[];
  /** Their latest figure as of the date, per cohort and tree. */
  figures: FigureCounts[];
  /** Their latest status as of the date for the target listed (the one asked for, else the tree's and cohort's first). */
  statuses: StatusRow[];
  /** With a page: how many units match in all (`units` is then the page, in its order). */
  total: number | null;
}

/** What GET /v1/units reads for one or more parents, in one statement: the targets, and a page per parent asked for. */
export interface UnitsData {
  targets: TargetRow[];
  /** In the order of the parents asked for (one page when no parent is). */
  pages: UnitsPage[];
}

/**
 * The sorts of GET /v1/units the database orders by itself: the unit's own columns and its figure for the
 * cohort listed (as of the date). Names in the Vietnamese ICU collation, which orders as
 * localeCompare(…, 'vi') does (checked in analytics.int-spec). `value`, `gap` and `status` come from the
 * domain's rules over figures and statuses (standing()): sorted in memory.
 */
export const UNIT_SORT_SQL: Readonly<Record<string, string>> = {
  code: 'code COLLATE "vi-x-icu"',
  name: 'name COLLATE "vi-x-icu"',
  level: 'level',
  headcount: 'f.headcount',
  smartphoneHolders: 'f.smartphone_holders',
  installed: 'f.installed',
  bluetoothOn: 'f.bluetooth_on',
  installRate: sqlRatio('f.installed', 'f.smartphone_holders'),
  bluetoothRate: sqlRatio('f.bluetooth_on', 'f.smartphone_holders'),
  population: 'f.population',
  populationRate: sqlRatio('f.installed', 'f.population'),
  reportingUnits: 'f.reporting_units',
};

/** Everything a page of GET /v1/units is read by, but the parent (unitsQuery's `parents`). */
export interface UnitsFilter {
  date: string;
  cohort: Cohort;
  tree: Tree;
  target?: string;
  type?: UnitType;
  level?: number;
  /** null: the key reads every unit; otherwise the root of its scope (a portal key's unit). */
  scopeRoot: string | null;
  /** Sorted (a key of UNIT_SORT_SQL, or none: by code) and cut to the page in the database. */
  page?: { sort: string | undefined; limit: number; offset: number };
}

/**
 * GET /v1/units in one statement (ReadModelService.readOne): the targets, then for each parent asked for (or,
 * `parents` null, once with no parent filter) the parent and the units found through the filters' indexes (a
 * parent's children through the parent column of the tree listed; a portal key's scope walked down from its
 * unit, libs/persistence tree-sql), with the figures and statuses of those units only. Several parents in one
 * statement share its planning, its round trip and the targets: what concurrent first reads of different
 * districts cost (AnalyticsService.units gathers them).
 */
export function unitsQuery(f: UnitsFilter, parents: readonly string[] | null): { data: (schema: string) => string; params: unknown[] } {
  const params: unknown[] = [f.date];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const conds = ['u.type IS NOT NULL', 'u.active'];
  if (f.type !== undefined) conds.push(`u.type = ${p(f.type)}`);
  if (f.level !== undefined) conds.push(`u.level = ${p(f.level)}`);
  // The page's parent: a column of `wanted`, one row per parent asked for.
  if (parents !== null) conds.push(`u.${f.tree === 'administrative' ? 'admin_parent_code' : 'accountable_to_code'} = wanted.code`);
  const wanted =
    parents === null
      ? 'SELECT NULL::text AS code, 1::bigint AS ord'
      : `SELECT * FROM unnest(${p(parents)}::text[]) WITH ORDINALITY AS w(code, ord)`;
  const target =
    f.target !== undefined
      ? `SELECT target_id FROM TS.targets WHERE target_id = ${p(f.target)}`
      : `SELECT target_id FROM TS.targets WHERE tree = ${p(f.tree)} AND ${p(f.cohort)} = ANY(cohorts) ORDER BY target_id LIMIT 1`;
  const scopeRoot = f.scopeRoot === null ? null : p(f.scopeRoot);
  const page = f.page
    ? {
        cohort: p(f.cohort),
        tree: p(f.tree),
        order: sqlOrderBy(f.page.sort, UNIT_SORT_SQL, 'code COLLATE "C"'),
        limit: p(f.page.limit),
        offset: p(f.page.offset),
      }
    : null;
  const counted = conds.join(' AND ');
  return {
    params,
    data: (schema) => {
      const s = `"${schema}"`;
      const scope = scopeRoot === null ? '' : ` AND u.code IN (${subtreeSql(`SELECT ${scopeRoot}::text`, unitWalk(schema))})`;
      const all = `SELECT ${UNIT_COLUMNS} FROM ${s}.units u WHERE ${conds.join(' AND ')}${scope}`;
      const c = page
        ? `SELECT u.*, row_number() OVER (ORDER BY ${page.order}) AS n FROM (${all}) u LEFT JOIN LATERAL (
             SELECT * FROM ${s}.figures g WHERE g.org_unit_code = u.code AND g.cohort = ${page.cohort} AND g.tree = ${page.tree} AND g.date <= $1
             ORDER BY g.date DESC LIMIT 1) f ON true
           ORDER BY ${page.order} LIMIT ${page.limit} OFFSET ${page.offset}`
        : all;
      return `WITH tg AS (${target.replace(/TS\./g, `${s}.`)}), wanted AS (${wanted})
        SELECT json_build_object(
          'targets', (SELECT coalesce(json_agg(t ORDER BY t."targetId"), '[]') FROM (SELECT ${TARGET_COLUMNS} FROM ${s}.targets) t),
          'pages', (SELECT json_agg(pg.page ORDER BY wanted.ord) FROM wanted CROSS JOIN LATERAL (WITH c AS (${c}) SELECT json_build_object(
            'parent', (SELECT row_to_json(x) FROM (SELECT ${UNIT_COLUMNS} FROM ${s}.units WHERE code = wanted.code AND type IS NOT NULL) x),
            'units', (SELECT coalesce(${page ? `json_agg(to_jsonb(c) - 'n' ORDER BY c.n)` : 'json_agg(c ORDER BY c.code)'}, '[]') FROM c),
            'total', ${page ? `(SELECT count(*) FROM ${s}.units u WHERE ${counted}${scope})` : 'NULL'},
            'figures', (SELECT coalesce(json_agg(x ORDER BY x."orgUnitCode", x.cohort, x.tree), '[]')
                FROM c CROSS JOIN LATERAL (${figuresOfSql(s, 'c.code')}) x),
            'statuses', (SELECT coalesce(json_agg(x ORDER BY x."targetId", x."orgUnitCode"), '[]')
                FROM tg CROSS JOIN c CROSS JOIN LATERAL (${statusOfSql(s, 'tg.target_id', 'c.code')}) x)
          ) AS page) pg)
        )`;
    },
  };
}

/** One page of GET /v1/units as read, with what its statement read for every page. */
export interface UnitsRead {
  asOfEvent: string | null;
  targets: TargetRow[];
  page: UnitsPage;
}

/**
 * Reads pages of GET /v1/units (unitsQuery). With a parent, first reads of pages that differ only by parent are
 * gathered (Batches): a statement for up to 32 parents, 4 such statements at most at once for one filter, so
 * concurrent first reads of different districts share statements and the pool's other connections stay free
 * for the other routes and the projection.
 */
export class UnitPages {
  private readonly batches = new Batches<string, UnitsRead>({ parallel: 4, max: 32 });

  constructor(private readonly readModel: ReadModelService) {}

  async read(filter: UnitsFilter, parent: string | undefined): Promise<UnitsRead> {
    const read = async (parents: string[] | null): Promise<UnitsRead[]> => {
      const q = unitsQuery(filter, parents);
      const { asOfEvent, data } = await this.readModel.readOne<UnitsData>(q.data, q.params);
      return data.pages.map((page) => ({ asOfEvent, targets: data.targets, page }));
    };
    if (parent === undefined) return (await read(null))[0];
    return this.batches.load(JSON.stringify(filter), parent, read);
  }
}
