import type { EntityManager } from 'typeorm';
import { treeOfCohort, type Cohort } from '@app/contracts';
import {
  EMPTY_SPAN,
  groupBy,
  RollupTimeline,
  type Figure,
  type RollupPoint,
  type RollupSpan,
  type Target,
  type TargetEvaluation,
} from '@app/domain';
import type { Withdrawn } from './timeline-diff';

/**
 * What rates stores: what it published of each figure and status (the one record of them), and the roll-ups
 * they are computed from. Reads take every work item of a flush in one query per kind; writes are one statement
 * per kind.
 */

/**
 * The days of one timeline to recompute: its sums may have changed from `from` to `until` (null: every day on),
 * and it is recomputed and compared from `from` through `through`, the first day on which it is known unchanged
 * (null: to the end).
 */
export interface WorkDays {
  readonly from: string;
  readonly until: string | null;
  readonly through: string | null;
}

/** A figure to recompute: a unit and cohort, over some days. */
export interface FigureWork extends WorkDays {
  readonly key: string;
  readonly unitCode: string;
  readonly cohort: Cohort;
}

/** A status to recompute: a target and unit, over some days. */
export interface StatusWork extends WorkDays {
  readonly key: string;
  readonly target: Target;
  readonly unitCode: string;
}

/** What is published of one timeline from its `from` day through its `through` (and the publication before it). */
export interface PublishedTimeline<T> {
  /** A status withdrawn (its unit left the target) is published as `Withdrawn`: consumers hold none from its day. */
  published: Array<T | Withdrawn>;
  publishedBefore: T | Withdrawn | null;
}

/** The writes of one flush, gathered over every work item and sent in a few statements. */
export interface FlushWrites {
  figurePublished: Array<{ key: string[]; date: string; payload: object }>;
  statusPublished: Array<{ key: string[]; date: string; payload: object }>;
  rollupDeletes: Array<{ unitCode: string; lane: string; date: string }>;
  rollupUpserts: Array<RollupPoint & { unitCode: string; lane: string }>;
  spanUpserts: Array<RollupSpan & { unitCode: string; lane: string }>;
}

export function emptyWrites(): FlushWrites {
  return {
    figurePublished: [],
    statusPublished: [],
    rollupDeletes: [],
    rollupUpserts: [],
    spanUpserts: [],
  };
}

export async function writeAll(m: EntityManager, writes: FlushWrites): Promise<void> {
  await recordPublished(m, 'rates_published_figures', ['org_unit_code', 'cohort', 'tree'], writes.figurePublished);
  await recordPublished(m, 'rates_published_statuses', ['target_id', 'org_unit_code'], writes.statusPublished);
  await deleteRollups(m, writes.rollupDeletes);
  await upsertRollups(m, writes.rollupUpserts);
  await upsertSpans(m, writes.spanUpserts);
}

const ROLLUP_COLUMNS = `org_unit_code AS "unitCode", lane, date::text AS date, headcount, smartphone_holders AS "smartphoneHolders", installed,
  bluetooth_on AS "bluetoothOn", contributors, reporting, reported_that_day AS "reportedThatDay", expected`;

/**
 * The stored roll-ups of some (unit, lane) from a day on (to a day, `until`, or to the end), with the point
 * holding on the first: each a timeline exact over those days (`RollupTimeline` with a head). Two queries in all.
 */
export async function readRollups(
  m: EntityManager,
  wanted: ReadonlyArray<{ unitCode: string; lane: string; from: string; until: string | null }>,
): Promise<Map<string, RollupTimeline>> {
  const points = new Map<string, RollupPoint[]>();
  const heads = new Set<string>();
  if (wanted.length > 0) {
    const params = [wanted.map((w) => w.unitCode), wanted.map((w) => w.lane), wanted.map((w) => w.from), wanted.map((w) => w.until)];
    const items = `unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS w(w_unit, w_lane, w_from, w_until)`;
    const before: Array<RollupPoint & { unitCode: string; lane: string }> = await m.query(
      `SELECT r.* FROM ${items} CROSS JOIN LATERAL (SELECT ${ROLLUP_COLUMNS} FROM rates_rollups r
         WHERE r.org_unit_code = w.w_unit AND r.lane = w.w_lane AND r.date < w.w_from ORDER BY r.date DESC LIMIT 1) r`,
      params,
    );
    const after: Array<RollupPoint & { unitCode: string; lane: string }> = await m.query(
      `SELECT ${ROLLUP_COLUMNS} FROM ${items} JOIN rates_rollups r ON r.org_unit_code = w.w_unit AND r.lane = w.w_lane AND r.date >= w.w_from
         AND (w.w_until IS NULL OR r.date <= w.w_until)
       ORDER BY r.org_unit_code, r.lane, r.date`,
      params,
    );
    for (const [k, rows] of groupBy([...before, ...after], (r) => `${r.unitCode}|${r.lane}`)) points.set(k, rows.map(pointOf));
    for (const r of before) heads.add(`${r.unitCode}|${r.lane}`);
  }
  const out = new Map<string, RollupTimeline>();
  for (const w of wanted) {
    const k = `${w.unitCode}|${w.lane}`;
    out.set(k, new RollupTimeline(points.get(k) ?? [], heads.has(k)));
  }
  return out;
}

function pointOf(r: RollupPoint): RollupPoint {
  return {
    date: r.date,
    headcount: r.headcount,
    smartphoneHolders: r.smartphoneHolders,
    installed: r.installed,
    bluetoothOn: r.bluetoothOn,
    contributors: r.contributors,
    reporting: r.reporting,
    reportedThatDay: r.reportedThatDay,
    expected: r.expected,
  };
}

/** The stored spans of some (unit, lane); none stored is the empty span. */
export async function readSpans(
  m: EntityManager,
  wanted: ReadonlyArray<{ unitCode: string; lane: string }>,
): Promise<Map<string, RollupSpan>> {
  const out = new Map<string, RollupSpan>(wanted.map((w) => [`${w.unitCode}|${w.lane}`, EMPTY_SPAN]));
  if (wanted.length === 0) return out;
  const rows: Array<RollupSpan & { unitCode: string; lane: string }> = await m.query(
    `SELECT s.org_unit_code AS "unitCode", s.lane, s.first_report::text AS first, s.last_report::text AS last, s.last_retired::text AS "lastRetired",
       s.in_scope AS "inScope"
     FROM unnest($1::text[], $2::text[]) AS w(w_unit, w_lane) JOIN rates_rollup_spans s ON s.org_unit_code = w.w_unit AND s.lane = w.w_lane`,
    [wanted.map((w) => w.unitCode), wanted.map((w) => w.lane)],
  );
  for (const r of rows)
    out.set(`${r.unitCode}|${r.lane}`, { first: r.first, last: r.last, lastRetired: r.lastRetired, inScope: r.inScope });
  return out;
}

async function deleteRollups(m: EntityManager, rows: ReadonlyArray<{ unitCode: string; lane: string; date: string }>): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `DELETE FROM rates_rollups r USING unnest($1::text[], $2::text[], $3::date[]) AS x(u, l, d)
     WHERE r.org_unit_code = x.u AND r.lane = x.l AND r.date = x.d`,
    [rows.map((r) => r.unitCode), rows.map((r) => r.lane), rows.map((r) => r.date)],
  );
}

async function upsertRollups(m: EntityManager, rows: ReadonlyArray<RollupPoint & { unitCode: string; lane: string }>): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO rates_rollups (org_unit_code, lane, date, headcount, smartphone_holders, installed, bluetooth_on, contributors, reporting,
       reported_that_day, expected)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[], $11::int[])
     ON CONFLICT (org_unit_code, lane, date) DO UPDATE SET headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders,
       installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on, contributors = EXCLUDED.contributors, reporting = EXCLUDED.reporting,
       reported_that_day = EXCLUDED.reported_that_day, expected = EXCLUDED.expected`,
    [
      rows.map((r) => r.unitCode),
      rows.map((r) => r.lane),
      rows.map((r) => r.date),
      rows.map((r) => r.headcount),
      rows.map((r) => r.smartphoneHolders),
      rows.map((r) => r.installed),
      rows.map((r) => r.bluetoothOn),
      rows.map((r) => r.contributors),
      rows.map((r) => r.reporting),
      rows.map((r) => r.reportedThatDay),
      rows.map((r) => r.expected),
    ],
  );
}

async function upsertSpans(m: EntityManager, rows: ReadonlyArray<RollupSpan & { unitCode: string; lane: string }>): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO rates_rollup_spans (org_unit_code, lane, first_report, last_report, last_retired, in_scope)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::date[], $6::bool[])
     ON CONFLICT (org_unit_code, lane) DO UPDATE SET first_report = EXCLUDED.first_report, last_report = EXCLUDED.last_report,
       last_retired = EXCLUDED.last_retired, in_scope = EXCLUDED.in_scope`,
    [
      rows.map((r) => r.unitCode),
      rows.map((r) => r.lane),
      rows.map((r) => r.first),
      rows.map((r) => r.last),
      rows.map((r) => r.lastRetired),
      rows.map((r) => r.inScope),
    ],
  );
}

function emptyTimelines<T>(keys: Iterable<string>): Map<string, PublishedTimeline<T>> {
  const out = new Map<string, PublishedTimeline<T>>();
  for (const k of keys) out.set(k, { published: [], publishedBefore: null });
  return out;
}

/** The publications of every figure to recompute, over its days, and the one before them: two queries in all. */
export function readPublishedFigures(m: EntityManager, work: readonly FigureWork[]): Promise<Map<string, PublishedTimeline<Figure>>> {
  return readPublished<Figure>(
    m,
    'rates_published_figures',
    ['org_unit_code', 'cohort', 'tree'],
    work.map((w) => ({ ...w, columns: [w.unitCode, w.cohort, treeOfCohort(w.cohort)] })),
  );
}

/** The publications of every status to recompute, over its days, and the one before them: two queries in all. */
export function readPublishedStatuses(
  m: EntityManager,
  work: readonly StatusWork[],
): Promise<Map<string, PublishedTimeline<TargetEvaluation>>> {
  return readPublished<TargetEvaluation>(
    m,
    'rates_published_statuses',
    ['target_id', 'org_unit_code'],
    work.map((w) => ({ ...w, columns: [w.target.targetId, w.unitCode] })),
  );
}

/**
 * What a table of publications holds of each timeline (`columns`, its values of `keyColumns`) from its `from` day
 * through its `through`, and the latest publication before `from`: one query for each, whatever the count.
 */
async function readPublished<T>(
  m: EntityManager,
  table: string,
  keyColumns: readonly string[],
  work: ReadonlyArray<{ key: string; columns: readonly string[]; from: string; through: string | null }>,
): Promise<Map<string, PublishedTimeline<T>>> {
  const out = emptyTimelines<T>(work.map((w) => w.key));
  if (work.length === 0) return out;
  const n = keyColumns.length;
  const params = [...keyColumns.map((_, j) => work.map((w) => w.columns[j])), work.map((w) => w.from), work.map((w) => w.through)];
  const names = keyColumns.map((_, j) => `k${j}`);
  // Each row says which work item it is for by its place in the arrays (`i`, from 1).
  const items = `unnest(${names.map((_, j) => `$${j + 1}::text[]`).join(', ')}, $${n + 1}::date[], $${n + 2}::date[])
    WITH ORDINALITY AS w(${names.join(', ')}, w_from, w_through, i)`;
  const match = keyColumns.map((c, j) => `p.${c} = w.k${j}`).join(' AND ');
  const published: Array<{ i: string; payload: T }> = await m.query(
    `SELECT w.i, p.payload FROM ${items}
     JOIN ${table} p ON ${match} AND p.date >= w.w_from AND (w.w_through IS NULL OR p.date <= w.w_through)
     ORDER BY w.i, p.date`,
    params,
  );
  for (const r of published) out.get(work[Number(r.i) - 1].key)!.published.push(r.payload);
  const before: Array<{ i: string; payload: T }> = await m.query(
    `SELECT w.i, p.payload FROM ${items}
     CROSS JOIN LATERAL (SELECT payload FROM ${table} p WHERE ${match} AND p.date < w.w_from ORDER BY p.date DESC LIMIT 1) p`,
    params,
  );
  for (const r of before) out.get(work[Number(r.i) - 1].key)!.publishedBefore = r.payload;
  return out;
}

/** Remembers what consumers now hold for each published day (the payload as published). */
async function recordPublished(
  m: EntityManager,
  table: string,
  keyColumns: string[],
  rows: ReadonlyArray<{ key: string[]; date: string; payload: object }>,
): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = keyColumns.map((_, j) => rows.map((r) => r.key[j]));
  params.push(
    rows.map((r) => r.date),
    rows.map((r) => JSON.stringify(r.payload)),
  );
  const n = keyColumns.length;
  await m.query(
    `INSERT INTO ${table} (${keyColumns.join(', ')}, date, payload)
     SELECT ${keyColumns.map((_, j) => `k${j}`).join(', ')}, d, p::jsonb
     FROM unnest(${keyColumns.map((_, j) => `$${j + 1}::text[]`).join(', ')}, $${n + 1}::date[], $${n + 2}::text[]) AS x(${keyColumns.map((_, j) => `k${j}`).join(', ')}, d, p)
     ON CONFLICT (${keyColumns.join(', ')}, date) DO UPDATE SET payload = EXCLUDED.payload`,
    params,
  );
}
