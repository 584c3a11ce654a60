/**
 * The recursive tree queries of every service, written once. Units live in a table with one row per
 * unit (`code`) and one or two parent columns (the administrative tree's `admin_parent_code`, the
 * accountability tree's `accountable_to_code`); each service has its own such table (the registry's
 * `org_units`, the replicas' `replica_org_units`, rates' `rates_units`, compliance's `units`). Every walk
 * is bounded by `maxDepth` (default 32 levels, far above a province's 5), so a cycle written by mistake
 * ends the query instead of running it forever. Each parent column is walked by its own branch (UNION ALL
 * inside a LATERAL), so each uses its own index.
 */
export interface TreeWalk {
  /** The units table, schema-qualified where needed. */
  readonly table: string;
  /** The parent columns to follow: one tree or both. */
  readonly parentColumns: readonly string[];
  /** An extra condition on the units reached (alias `u`), e.g. `u.type IS NOT NULL`. */
  readonly where?: string;
  readonly maxDepth?: number;
}

export const ADMIN_TREE = ['admin_parent_code'] as const;
export const BOTH_TREES = ['admin_parent_code', 'accountable_to_code'] as const;

const MAX_DEPTH = 32;
const and = (where: string | undefined) => (where ? ` AND ${where}` : '');

/**
 * A CTE `name(code, depth)` for use after `WITH RECURSIVE`: the roots (any SELECT of one text column,
 * e.g. `SELECT $1::text`) at depth 0 and every unit under them, children before grandchildren. A unit
 * reached along two paths may appear twice.
 */
export function descendantsCte(name: string, roots: string, walk: TreeWalk): string {
  const children = walk.parentColumns
    .map((c) => `SELECT u.code FROM ${walk.table} u WHERE u.${c} = ${name}.code${and(walk.where)}`)
    .join(' UNION ALL ');
  return `${name}(code, depth) AS (
      SELECT r.code, 0 FROM (${roots}) r(code)
      UNION
      SELECT k.code, ${name}.depth + 1 FROM ${name} CROSS JOIN LATERAL (${children}) k
      WHERE ${name}.depth < ${walk.maxDepth ?? MAX_DEPTH}
    )`;
}

/** `SELECT code` of the roots and every unit under them: a sub-query for `code IN (…)`. */
export function subtreeSql(roots: string, walk: TreeWalk): string {
  return `WITH RECURSIVE ${descendantsCte('sub', roots, walk)} SELECT code FROM sub`;
}

/**
 * A CTE `name(origin, code, depth)` for use after `WITH RECURSIVE`: for each start unit (any SELECT of one
 * text column) its ancestors (`code`, the start itself excluded) at depth 1 (parents), 2, … Units absent
 * from the table end the walk; a code may repeat (two trees, two paths).
 */
export function ancestorsCte(name: string, starts: string, walk: TreeWalk): string {
  const parents = (alias: string) =>
    walk.parentColumns.map((c) => `SELECT ${alias}.${c} AS parent WHERE ${alias}.${c} IS NOT NULL`).join(' UNION ALL ');
  return `${name}(origin, code, depth) AS (
      SELECT s.code, p.parent, 1 FROM (${starts}) s(code)
      JOIN ${walk.table} u ON u.code = s.code${and(walk.where)}
      CROSS JOIN LATERAL (${parents('u')}) p
      UNION
      SELECT ${name}.origin, p.parent, ${name}.depth + 1 FROM ${name}
      JOIN ${walk.table} u ON u.code = ${name}.code${and(walk.where)}
      CROSS JOIN LATERAL (${parents('u')}) p
      WHERE ${name}.depth < ${walk.maxDepth ?? MAX_DEPTH}
    )`;
}

/**
 * A CTE `name(code)` for use after `WITH RECURSIVE`: the start units (any SELECT of one text column) and
 * every ancestor of any of them, each once. UNION on the code alone: many starts under one parent walk it
 * once (a flush of a thousand communes reads their district once), and a cycle written by mistake ends.
 */
export function upwardClosureCte(name: string, starts: string, walk: TreeWalk): string {
  const parents = walk.parentColumns.map((c) => `SELECT u.${c} AS parent WHERE u.${c} IS NOT NULL`).join(' UNION ALL ');
  return `${name}(code) AS (
      SELECT s.code FROM (${starts}) s(code)
      UNION
      SELECT p.parent FROM ${name} JOIN ${walk.table} u ON u.code = ${name}.code${and(walk.where)}
      CROSS JOIN LATERAL (${parents}) p
    )`;
}
