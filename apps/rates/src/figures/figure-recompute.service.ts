import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FigureUpdatedV1, TargetStatusChangedV1, treeOfCohort, type Cohort, type EventEnvelope, type Tree } from '@app/contracts';
import {
  addDays,
  clampDate,
  evaluateTargetSeries,
  minDate,
  FigureModel,
  inTargetScope,
  maxDate,
  statusSpan,
  targetCohorts,
  unitNodeOf,
  type DateSpan,
  type DenominatorInput,
  type Figure,
  type ReportInput,
  type Target,
  type TargetEvaluation,
} from '@app/domain';
import { CampaignCalendar, EventOutbox, PLATFORM_OPTIONS, type PlatformOptions } from '@app/platform';
import { UNIT_COLUMNS, unitRecordOf, type UnitRow } from '../inputs/unit-row';
import type { RatesConfig } from '../rates.config';
import {
  evaluationOfRow,
  FIGURE_COLUMNS,
  figureOfRow,
  sameEvaluation,
  sameFigure,
  STATUS_COLUMNS,
  type FigureRow,
  type StatusRow,
} from './figure-rows';
import { diffTimeline } from './timeline-diff';

/** Before any campaign day: "recompute everything" (clamped, like every mark, to the campaign calendar's first day). */
export const BEGINNING = '0001-01-01';

export interface DirtyMark {
  readonly unitCode: string;
  readonly cohort: Cohort;
  readonly from: string;
}

export interface RecomputeResult {
  figuresWritten: number;
  figureEvents: number;
  statusesWritten: number;
  statusEvents: number;
}

export interface RecomputeOptions {
  /**
   * Load every unit, report and denominator (what a marked target needs anyway) instead of only what
   * the marks reach. Same results either way; the integration tests compare the two.
   */
  readonly fullModel?: boolean;
  /** Aborted (the service is stopping): the computation stops at its next breath and throws, so the caller's transaction rolls back. */
  readonly signal?: AbortSignal;
}

interface FigureWork extends DirtyMark {
  readonly key: string;
}

interface StatusWork {
  readonly key: string;
  readonly target: Target;
  readonly unitCode: string;
  readonly from: string;
}

/** What is stored and published of one timeline from its `from` day on (and the publication before it). */
interface StoredTimeline<T> {
  oldRows: T[];
  published: T[];
  publishedBefore: T | null;
}

/** The writes of one flush, gathered over every work item and sent in a few statements. */
interface FlushWrites {
  figureDeletes: Array<{ unitCode: string; cohort: Cohort; tree: Tree; date: string }>;
  figureUpserts: Figure[];
  figurePublished: Array<{ key: string[]; date: string; payload: object }>;
  statusDeletes: Array<{ targetId: string; unitCode: string; date: string }>;
  statusUpserts: TargetEvaluation[];
  statusPublished: Array<{ key: string[]; date: string; payload: object }>;
}

/** Longest stretch of computing between two turns of the event loop. */
const SLICE_MS = 10;
/**
 * Days of one series computed at once: a series as long as the campaign calendar allows (a unit with an
 * input dated at its far end) is computed slice by slice, breathing in between, never all at once.
 */
const SERIES_SLICE_DAYS = 128;

const REPORT_COLUMNS = `org_unit_code AS "unitCode", cohort, as_of::text AS "asOf", revision, report_id AS "reportId", headcount,
  smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn"`;
const DENOMINATOR_COLUMNS = `org_unit_code AS "unitCode", cohort, as_of::text AS "asOf", headcount, event_id AS "eventId"`;

/**
 * Recomputes what the marks say changed, with the pure rules, and writes rows and events in the
 * caller's transaction. Each marked (unit, cohort) spreads to its ancestors on the cohort's tree and
 * to the statuses of the targets over that cohort; a marked target re-evaluates every unit.
 *
 * The model holds only what that work reads: the marked units, their ancestors on the cohort's tree
 * and the subtrees of those (an ancestor's figure sums its whole subtree), with the reports of the
 * cohorts involved (the latest revision per day only: an earlier revision of the same day is never
 * any day's figure) and their denominators. The stored and published rows of every work item are read
 * in one query per kind, and the new rows written in one statement per kind.
 */
@Injectable()
export class FigureRecomputeService {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly calendar: CampaignCalendar,
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
  ) {}

  private get config(): RatesConfig {
    return this.options.config as RatesConfig;
  }

  private modelOf(units: UnitRow[], reports: ReportInput[], denominators: DenominatorInput[], bounds: DateSpan): FigureModel {
    const nodes = units.map((r) => unitNodeOf(unitRecordOf(r))).filter((u) => u !== null);
    return new FigureModel({ units: nodes, reports, denominators }, { windowDays: this.config.RATES_FIGURE_WINDOW_DAYS, bounds });
  }

  private async loadTargets(m: EntityManager): Promise<Target[]> {
    return (await m.query(`SELECT definition FROM rates_targets ORDER BY target_id`)).map((r: { definition: Target }) => r.definition);
  }

  /** Every input: what a re-evaluation of every unit against a target needs. */
  async loadModel(m: EntityManager, bounds: DateSpan = this.calendar.computableSpan()): Promise<{ model: FigureModel; targets: Target[] }> {
    const unitRows: UnitRow[] = await m.query(`SELECT ${UNIT_COLUMNS} FROM rates_units`);
    const reports: ReportInput[] = await m.query(`SELECT ${REPORT_COLUMNS} FROM rates_reports`);
    const denominators: DenominatorInput[] = await m.query(`SELECT ${DENOMINATOR_COLUMNS} FROM rates_denominators`);
    return { model: this.modelOf(unitRows, reports, denominators, bounds), targets: await this.loadTargets(m) };
  }

  /**
   * Only what the marks reach. Per tree: the marked units and their ancestors (up), then everything
   * below those (down); the subtree of every unit the work computes on that tree is then complete, and
   * its ancestors are all there. A unit loaded for the other tree may sit in the same model: it is in a
   * subtree only when its parent links put it there, as they would in the full model.
   */
  async loadModelFor(
    m: EntityManager,
    marks: readonly DirtyMark[],
    targets: readonly Target[],
    bounds: DateSpan = this.calendar.computableSpan(),
  ): Promise<FigureModel> {
    const codesByTree: Record<Tree, Set<string>> = { administrative: new Set(), accountability: new Set() };
    const cohorts = new Set<Cohort>();
    for (const mark of marks) {
      const tree = treeOfCohort(mark.cohort);
      codesByTree[tree].add(mark.unitCode);
      cohorts.add(mark.cohort);
      // A status over the cohort sums every cohort of its target on the tree.
      for (const t of targets) if (targetCohorts(t).includes(mark.cohort)) for (const c of targetCohorts(t)) cohorts.add(c);
    }
    const byCode = new Map<string, UnitRow>();
    for (const tree of ['administrative', 'accountability'] as const) {
      if (codesByTree[tree].size === 0) continue;
      const parent = tree === 'administrative' ? 'admin_parent_code' : 'accountable_to_code';
      // UNION (not UNION ALL): a unit is visited once, so a cycle of bad moves ends the walk as OrgTree does.
      const rows: UnitRow[] = await m.query(
        `WITH RECURSIVE up(code) AS (
           SELECT unnest($1::text[])
           UNION
           SELECT u.${parent} FROM up JOIN rates_units u ON u.code = up.code WHERE u.${parent} IS NOT NULL
         ), down(code) AS (
           SELECT code FROM up
           UNION
           SELECT u.code FROM down JOIN rates_units u ON u.${parent} = down.code
         )
         SELECT ${UNIT_COLUMNS} FROM rates_units WHERE code IN (SELECT code FROM down)`,
        [[...codesByTree[tree]]],
      );
      for (const r of rows) byCode.set(r.code, r);
    }
    const codes = [...byCode.keys()];
    const cohortList = [...cohorts];
    const reports: ReportInput[] = codes.length
      ? await m.query(
          `SELECT DISTINCT ON (org_unit_code, cohort, as_of) ${REPORT_COLUMNS} FROM rates_reports
           WHERE org_unit_code = ANY($1::text[]) AND cohort = ANY($2::text[])
           ORDER BY org_unit_code, cohort, as_of, revision DESC`,
          [codes, cohortList],
        )
      : [];
    const denominators: DenominatorInput[] = codes.length
      ? await m.query(
          `SELECT ${DENOMINATOR_COLUMNS} FROM rates_denominators WHERE org_unit_code = ANY($1::text[]) AND cohort = ANY($2::text[])`,
          [codes, cohortList],
        )
      : [];
    return this.modelOf([...byCode.values()], reports, denominators, bounds);
  }

  async recompute(
    m: EntityManager,
    marks: readonly DirtyMark[],
    dirtyTargets: readonly string[],
    options: RecomputeOptions = {},
  ): Promise<RecomputeResult> {
    // Every span the work walks lies within the campaign calendar, and so does every mark's first day: an
    // input dated 9999-12-31 (a replayed old event, a stored mark) costs days up to the horizon, no more.
    const bounds = this.calendar.computableSpan();
    let model: FigureModel;
    let targets: Target[];
    if (dirtyTargets.length > 0 || options.fullModel) {
      ({ model, targets } = await this.loadModel(m, bounds));
    } else {
      targets = await this.loadTargets(m);
      model = await this.loadModelFor(m, marks, targets, bounds);
    }
    const figureWork = new Map<string, FigureWork>();
    const statusWork = new Map<string, StatusWork>();
    const addFigure = (unitCode: string, cohort: Cohort, from: string) => {
      const key = `${unitCode}|${cohort}`;
      const prev = figureWork.get(key);
      if (!prev || from < prev.from) figureWork.set(key, { key, unitCode, cohort, from });
    };
    const addStatus = (target: Target, unitCode: string, from: string) => {
      const key = `${target.targetId}|${unitCode}`;
      const prev = statusWork.get(key);
      if (!prev || from < prev.from) statusWork.set(key, { key, target, unitCode, from });
    };
    for (const mark of marks) {
      const from = clampDate(mark.from, bounds);
      for (const code of [mark.unitCode, ...model.tree.ancestors(mark.unitCode, treeOfCohort(mark.cohort))])
        addFigure(code, mark.cohort, from);
      for (const t of targets) {
        if (!targetCohorts(t).includes(mark.cohort)) continue;
        for (const code of [mark.unitCode, ...model.tree.ancestors(mark.unitCode, t.tree)]) addStatus(t, code, from);
      }
    }
    const dirtyTargetSet = new Set(dirtyTargets);
    for (const t of targets) {
      if (!dirtyTargetSet.has(t.targetId)) continue;
      for (const u of model.tree.all()) addStatus(t, u.code, bounds.from);
      // Units that had a status and are no longer known are cleared too.
      for (const r of (await m.query(`SELECT DISTINCT org_unit_code FROM rates_target_statuses WHERE target_id = $1`, [
        t.targetId,
      ])) as Array<{ org_unit_code: string }>) {
        addStatus(t, r.org_unit_code, bounds.from);
      }
    }

    const result: RecomputeResult = { figuresWritten: 0, figureEvents: 0, statusesWritten: 0, statusEvents: 0 };
    const events: EventEnvelope[] = [];
    const writes: FlushWrites = {
      figureDeletes: [],
      figureUpserts: [],
      figurePublished: [],
      statusDeletes: [],
      statusUpserts: [],
      statusPublished: [],
    };
    const figureItems = [...figureWork.values()];
    const statusItems = [...statusWork.values()];
    const storedFigures = await readStoredFigures(m, figureItems);
    const storedStatuses = await readStoredStatuses(m, statusItems);
    // The computation is synchronous; between slices of it the event loop runs, so the input consumer of
    // the same process keeps applying its batches while a large flush computes, and a stop is heard.
    let lastYield = performance.now();
    const breathe: Breathe = async () => {
      if (performance.now() - lastYield < SLICE_MS) return;
      await new Promise<void>((r) => setImmediate(r));
      lastYield = performance.now();
      options.signal?.throwIfAborted();
    };
    for (const w of figureItems) {
      await this.recomputeFigure(model, w, storedFigures.get(w.key)!, writes, events, result, breathe);
      await breathe();
    }
    for (const w of statusItems) {
      await this.recomputeStatus(model, w, storedStatuses.get(w.key)!, writes, events, result, breathe);
      await breathe();
    }
    options.signal?.throwIfAborted();
    await deleteFigures(m, writes.figureDeletes);
    await upsertFigures(m, writes.figureUpserts);
    await recordPublished(m, 'rates_published_figures', ['org_unit_code', 'cohort', 'tree'], writes.figurePublished);
    await deleteStatuses(m, writes.statusDeletes);
    await upsertStatuses(m, writes.statusUpserts);
    await recordPublished(m, 'rates_published_statuses', ['target_id', 'org_unit_code'], writes.statusPublished);
    await this.outbox.recordMany(m, events);
    return result;
  }

  private async recomputeFigure(
    model: FigureModel,
    w: FigureWork,
    stored: StoredTimeline<Figure>,
    writes: FlushWrites,
    events: EventEnvelope[],
    result: RecomputeResult,
    breathe: Breathe,
  ): Promise<void> {
    const tree = treeOfCohort(w.cohort);
    const span = model.figureSpan(w.unitCode, w.cohort);
    const dayBefore = addDays(w.from, -1);
    const newRows = span
      ? await inSlices(maxDate(span.from, w.from)!, span.to, (a, b) => model.figureSeries(w.unitCode, w.cohort, a, b), breathe)
      : [];
    let newBefore: Figure | null = null;
    if (span && span.from <= dayBefore) {
      const d = span.to < dayBefore ? span.to : dayBefore;
      newBefore = model.figureSeries(w.unitCode, w.cohort, d, d)[0] ?? null;
    }
    const key = [w.unitCode, w.cohort, tree];
    const diff = diffTimeline<Figure>({
      from: w.from,
      newBefore,
      oldRows: stored.oldRows,
      newRows,
      published: stored.published,
      publishedBefore: stored.publishedBefore,
      sameRow: sameFigure,
      sameEvent: sameFigure,
      empty: (date) => emptyFigure(w.unitCode, w.cohort, date),
    });
    for (const date of diff.deletes) writes.figureDeletes.push({ unitCode: w.unitCode, cohort: w.cohort, tree, date });
    writes.figureUpserts.push(...diff.upserts);
    for (const p of diff.changePoints)
      writes.figurePublished.push({
        key,
        date: p.date,
        payload: { ...(p.value ?? emptyFigure(w.unitCode, w.cohort, p.date)), date: p.date },
      });
    result.figuresWritten += diff.upserts.length + diff.deletes.length;
    for (const p of diff.changePoints) {
      const f = p.value ?? emptyFigure(w.unitCode, w.cohort, p.date);
      events.push(
        this.outbox.build(FigureUpdatedV1, f.orgUnitCode, {
          orgUnitCode: f.orgUnitCode,
          cohort: f.cohort,
          tree: f.tree,
          date: p.date,
          headcount: f.headcount,
          smartphoneHolders: f.smartphoneHolders,
          installed: f.installed,
          bluetoothOn: f.bluetoothOn,
          population: f.population,
          reportingUnits: f.reportingUnits,
          expectedUnits: f.expectedUnits,
          installRate: f.installRate,
          bluetoothRate: f.bluetoothRate,
          populationRate: f.populationRate,
        }),
      );
      result.figureEvents++;
    }
  }

  private async recomputeStatus(
    model: FigureModel,
    w: StatusWork,
    stored: StoredTimeline<TargetEvaluation>,
    writes: FlushWrites,
    events: EventEnvelope[],
    result: RecomputeResult,
    breathe: Breathe,
  ): Promise<void> {
    const { target: t, unitCode, from } = w;
    const inScope = model.tree.get(unitCode) !== undefined && inTargetScope(model, t, unitCode);
    let newRows: TargetEvaluation[] = [];
    let newBefore: TargetEvaluation | null = null;
    if (inScope) {
      const span = statusSpan(model, t, unitCode);
      // Each slice looks back over the days before it for the trend, so the slices add up to the whole series.
      newRows = await inSlices(maxDate(span.from, from)!, span.to, (a, b) => evaluateTargetSeries(model, t, unitCode, a, b), breathe);
      const dayBefore = addDays(from, -1);
      if (span.from <= dayBefore) {
        const d = span.to < dayBefore ? span.to : dayBefore;
        newBefore = evaluateTargetSeries(model, t, unitCode, d, d)[0] ?? null;
      }
    }
    const diff = diffTimeline<TargetEvaluation>({
      from,
      newBefore,
      oldRows: stored.oldRows,
      newRows,
      published: stored.published,
      publishedBefore: stored.publishedBefore,
      sameRow: sameEvaluation,
      // A status event is about the status, its forecast and who reports toward it: published when any changes.
      sameEvent: (a, b) =>
        a.status === b.status &&
        a.forecastDate === b.forecastDate &&
        a.reporting === b.reporting &&
        a.reportingUnits === b.reportingUnits &&
        a.expectedUnits === b.expectedUnits,
    });
    for (const date of diff.deletes) writes.statusDeletes.push({ targetId: t.targetId, unitCode, date });
    writes.statusUpserts.push(...diff.upserts);
    for (const p of diff.changePoints)
      if (p.value) writes.statusPublished.push({ key: [t.targetId, unitCode], date: p.date, payload: { ...p.value, date: p.date } });
    result.statusesWritten += diff.upserts.length + diff.deletes.length;
    for (const p of diff.changePoints) {
      // A unit that left the target's scope has no status to announce.
      if (!p.value) continue;
      const e = p.value;
      events.push(
        this.outbox.build(TargetStatusChangedV1, e.orgUnitCode, {
          targetId: e.targetId,
          orgUnitCode: e.orgUnitCode,
          date: p.date,
          status: e.status,
          previousStatus: p.previous?.status ?? null,
          value: e.value,
          threshold: e.threshold,
          forecastDate: e.forecastDate,
          gap: e.gap ?? 0,
          reportingUnits: e.reportingUnits,
          expectedUnits: e.expectedUnits,
          reporting: e.reporting,
        }),
      );
      result.statusEvents++;
    }
  }
}

type Breathe = () => Promise<void>;

/** The days [from, to] of a series, computed SERIES_SLICE_DAYS at a time with a breath after each slice. */
async function inSlices<T>(from: string, to: string, compute: (a: string, b: string) => T[], breathe: Breathe): Promise<T[]> {
  const out: T[] = [];
  for (let a = from; a <= to; a = addDays(a, SERIES_SLICE_DAYS)) {
    out.push(...compute(a, minDate(addDays(a, SERIES_SLICE_DAYS - 1), to)!));
    await breathe();
  }
  return out;
}

function emptyTimelines<T>(keys: Iterable<string>): Map<string, StoredTimeline<T>> {
  const out = new Map<string, StoredTimeline<T>>();
  for (const k of keys) out.set(k, { oldRows: [], published: [], publishedBefore: null });
  return out;
}

/** The stored rows and publications of every figure to recompute, from its `from` day on: three queries in all. */
async function readStoredFigures(m: EntityManager, work: readonly FigureWork[]): Promise<Map<string, StoredTimeline<Figure>>> {
  const out = emptyTimelines<Figure>(work.map((w) => w.key));
  if (work.length === 0) return out;
  const params = [work.map((w) => w.unitCode), work.map((w) => w.cohort), work.map((w) => treeOfCohort(w.cohort)), work.map((w) => w.from)];
  const items = `unnest($1::text[], $2::text[], $3::text[], $4::date[]) AS w(w_unit, w_cohort, w_tree, w_from)`;
  const oldRows: FigureRow[] = await m.query(
    `SELECT ${FIGURE_COLUMNS} FROM ${items}
     JOIN rates_figures f ON f.org_unit_code = w.w_unit AND f.cohort = w.w_cohort AND f.tree = w.w_tree AND f.date >= w.w_from
     ORDER BY f.org_unit_code, f.cohort, f.date`,
    params,
  );
  for (const r of oldRows) out.get(`${r.org_unit_code}|${r.cohort}`)!.oldRows.push(figureOfRow(r));
  const published: Array<{ w_unit: string; w_cohort: string; payload: Figure }> = await m.query(
    `SELECT w.w_unit, w.w_cohort, p.payload FROM ${items}
     JOIN rates_published_figures p ON p.org_unit_code = w.w_unit AND p.cohort = w.w_cohort AND p.tree = w.w_tree AND p.date >= w.w_from
     ORDER BY w.w_unit, w.w_cohort, p.date`,
    params,
  );
  for (const r of published) out.get(`${r.w_unit}|${r.w_cohort}`)!.published.push(r.payload);
  const before: Array<{ w_unit: string; w_cohort: string; payload: Figure }> = await m.query(
    `SELECT w.w_unit, w.w_cohort, p.payload FROM ${items}
     CROSS JOIN LATERAL (SELECT payload FROM rates_published_figures p
       WHERE p.org_unit_code = w.w_unit AND p.cohort = w.w_cohort AND p.tree = w.w_tree AND p.date < w.w_from ORDER BY p.date DESC LIMIT 1) p`,
    params,
  );
  for (const r of before) out.get(`${r.w_unit}|${r.w_cohort}`)!.publishedBefore = r.payload;
  return out;
}

/** The stored rows and publications of every status to recompute, from its `from` day on: three queries in all. */
async function readStoredStatuses(m: EntityManager, work: readonly StatusWork[]): Promise<Map<string, StoredTimeline<TargetEvaluation>>> {
  const out = emptyTimelines<TargetEvaluation>(work.map((w) => w.key));
  if (work.length === 0) return out;
  const params = [work.map((w) => w.target.targetId), work.map((w) => w.unitCode), work.map((w) => w.from)];
  const items = `unnest($1::text[], $2::text[], $3::date[]) AS w(w_target, w_unit, w_from)`;
  const oldRows: StatusRow[] = await m.query(
    `SELECT ${STATUS_COLUMNS} FROM ${items}
     JOIN rates_target_statuses s ON s.target_id = w.w_target AND s.org_unit_code = w.w_unit AND s.date >= w.w_from
     ORDER BY s.target_id, s.org_unit_code, s.date`,
    params,
  );
  for (const r of oldRows) out.get(`${r.target_id}|${r.org_unit_code}`)!.oldRows.push(evaluationOfRow(r));
  const published: Array<{ w_target: string; w_unit: string; payload: TargetEvaluation }> = await m.query(
    `SELECT w.w_target, w.w_unit, p.payload FROM ${items}
     JOIN rates_published_statuses p ON p.target_id = w.w_target AND p.org_unit_code = w.w_unit AND p.date >= w.w_from
     ORDER BY w.w_target, w.w_unit, p.date`,
    params,
  );
  for (const r of published) out.get(`${r.w_target}|${r.w_unit}`)!.published.push(r.payload);
  const before: Array<{ w_target: string; w_unit: string; payload: TargetEvaluation }> = await m.query(
    `SELECT w.w_target, w.w_unit, p.payload FROM ${items}
     CROSS JOIN LATERAL (SELECT payload FROM rates_published_statuses p
       WHERE p.target_id = w.w_target AND p.org_unit_code = w.w_unit AND p.date < w.w_from ORDER BY p.date DESC LIMIT 1) p`,
    params,
  );
  for (const r of before) out.get(`${r.w_target}|${r.w_unit}`)!.publishedBefore = r.payload;
  return out;
}

/** What a unit's figure becomes when nothing of its subtree counts any more (all moved away or retired): nothing, stated. */
function emptyFigure(unitCode: string, cohort: Cohort, date: string): Figure {
  return {
    orgUnitCode: unitCode,
    cohort,
    tree: treeOfCohort(cohort),
    date,
    headcount: 0,
    smartphoneHolders: 0,
    installed: 0,
    bluetoothOn: 0,
    installRate: null,
    bluetoothRate: null,
    population: null,
    populationRate: null,
    reportingUnits: 0,
    expectedUnits: 0,
  };
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

async function deleteFigures(
  m: EntityManager,
  rows: ReadonlyArray<{ unitCode: string; cohort: Cohort; tree: Tree; date: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `DELETE FROM rates_figures f USING unnest($1::text[], $2::text[], $3::text[], $4::date[]) AS x(u, c, t, d)
     WHERE f.org_unit_code = x.u AND f.cohort = x.c AND f.tree = x.t AND f.date = x.d`,
    [rows.map((r) => r.unitCode), rows.map((r) => r.cohort), rows.map((r) => r.tree), rows.map((r) => r.date)],
  );
}

async function deleteStatuses(m: EntityManager, rows: ReadonlyArray<{ targetId: string; unitCode: string; date: string }>): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `DELETE FROM rates_target_statuses s USING unnest($1::text[], $2::text[], $3::date[]) AS x(t, u, d)
     WHERE s.target_id = x.t AND s.org_unit_code = x.u AND s.date = x.d`,
    [rows.map((r) => r.targetId), rows.map((r) => r.unitCode), rows.map((r) => r.date)],
  );
}

async function upsertFigures(m: EntityManager, rows: readonly Figure[]): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO rates_figures (org_unit_code, cohort, tree, date, headcount, smartphone_holders, installed, bluetooth_on, install_rate, bluetooth_rate,
       population, population_rate, reporting_units, expected_units)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::int[], $6::int[], $7::int[], $8::int[], $9::float8[], $10::float8[],
       $11::int[], $12::float8[], $13::int[], $14::int[])
     ON CONFLICT (org_unit_code, cohort, tree, date) DO UPDATE SET headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders,
       installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on, install_rate = EXCLUDED.install_rate, bluetooth_rate = EXCLUDED.bluetooth_rate,
       population = EXCLUDED.population, population_rate = EXCLUDED.population_rate, reporting_units = EXCLUDED.reporting_units,
       expected_units = EXCLUDED.expected_units, updated_at = now()`,
    [
      rows.map((f) => f.orgUnitCode),
      rows.map((f) => f.cohort),
      rows.map((f) => f.tree),
      rows.map((f) => f.date),
      rows.map((f) => f.headcount),
      rows.map((f) => f.smartphoneHolders),
      rows.map((f) => f.installed),
      rows.map((f) => f.bluetoothOn),
      rows.map((f) => f.installRate),
      rows.map((f) => f.bluetoothRate),
      rows.map((f) => f.population),
      rows.map((f) => f.populationRate),
      rows.map((f) => f.reportingUnits),
      rows.map((f) => f.expectedUnits),
    ],
  );
}

async function upsertStatuses(m: EntityManager, rows: readonly TargetEvaluation[]): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO rates_target_statuses (target_id, org_unit_code, date, status, value, threshold, numerator, denominator, gap, forecast_date, reporting,
       reporting_units, expected_units)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::float8[], $6::float8[], $7::int[], $8::int[], $9::int[], $10::date[], $11::bool[],
       $12::int[], $13::int[])
     ON CONFLICT (target_id, org_unit_code, date) DO UPDATE SET status = EXCLUDED.status, value = EXCLUDED.value, threshold = EXCLUDED.threshold,
       numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator, gap = EXCLUDED.gap, forecast_date = EXCLUDED.forecast_date,
       reporting = EXCLUDED.reporting, reporting_units = EXCLUDED.reporting_units, expected_units = EXCLUDED.expected_units, updated_at = now()`,
    [
      rows.map((e) => e.targetId),
      rows.map((e) => e.orgUnitCode),
      rows.map((e) => e.date),
      rows.map((e) => e.status),
      rows.map((e) => e.value),
      rows.map((e) => e.threshold),
      rows.map((e) => e.numerator),
      rows.map((e) => e.denominator),
      rows.map((e) => e.gap),
      rows.map((e) => e.forecastDate),
      rows.map((e) => e.reporting),
      rows.map((e) => e.reportingUnits),
      rows.map((e) => e.expectedUnits),
    ],
  );
}
