import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FigureUpdatedV1, TargetStatusChangedV1, treeOfCohort, type Cohort, type EventEnvelope } from '@app/contracts';
import {
  addDays,
  evaluateTargetSeries,
  FigureModel,
  inTargetScope,
  statusSpan,
  targetCohorts,
  unitNodeOf,
  type DenominatorInput,
  type Figure,
  type ReportInput,
  type TargetDef,
  type TargetEvaluation,
} from '@app/domain';
import { EventOutbox, PLATFORM_OPTIONS, type PlatformOptions } from '@app/platform';
import { UNIT_COLUMNS, unitRecordOf, type UnitRow } from '../inputs/unit-row';
import type { RatesConfig } from '../rates.config';
import { evaluationOfRow, FIGURE_COLUMNS, figureOfRow, sameEvaluation, sameFigure, STATUS_COLUMNS, type FigureRow, type StatusRow } from './figure-rows';
import { diffTimeline } from './timeline-diff';

/** Before any campaign day: "recompute everything". */
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

/**
 * Recomputes what the marks say changed, with the pure rules, and writes rows and events in the
 * caller's transaction. Each marked (unit, cohort) spreads to its ancestors on the cohort's tree and
 * to the statuses of the targets over that cohort; a marked target re-evaluates every unit.
 */
@Injectable()
export class FigureRecomputeService {
  constructor(
    private readonly outbox: EventOutbox,
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
  ) {}

  private get config(): RatesConfig {
    return this.options.config as RatesConfig;
  }

  async loadModel(m: EntityManager): Promise<{ model: FigureModel; targets: TargetDef[] }> {
    const unitRows: UnitRow[] = await m.query(`SELECT ${UNIT_COLUMNS} FROM rates_units`);
    const reports: ReportInput[] = await m.query(
      `SELECT org_unit_code AS "unitCode", cohort, as_of::text AS "asOf", revision, report_id AS "reportId", headcount,
              smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn" FROM rates_reports`,
    );
    const denominators: DenominatorInput[] = await m.query(
      `SELECT org_unit_code AS "unitCode", cohort, as_of::text AS "asOf", headcount, event_id AS "eventId" FROM rates_denominators`,
    );
    const targets: TargetDef[] = (await m.query(`SELECT definition FROM rates_targets ORDER BY target_id`)).map((r: { definition: TargetDef }) => r.definition);
    const units = unitRows.map((r) => unitNodeOf(unitRecordOf(r))).filter((u) => u !== null);
    return { model: new FigureModel({ units, reports, denominators }, { windowDays: this.config.RATES_FIGURE_WINDOW_DAYS }), targets };
  }

  async recompute(m: EntityManager, marks: readonly DirtyMark[], dirtyTargets: readonly string[]): Promise<RecomputeResult> {
    const { model, targets } = await this.loadModel(m);
    const figureWork = new Map<string, DirtyMark>();
    const statusWork = new Map<string, { target: TargetDef; unitCode: string; from: string }>();
    const addFigure = (unitCode: string, cohort: Cohort, from: string) => {
      const k = `${unitCode}|${cohort}`;
      const prev = figureWork.get(k);
      if (!prev || from < prev.from) figureWork.set(k, { unitCode, cohort, from });
    };
    const addStatus = (target: TargetDef, unitCode: string, from: string) => {
      const k = `${target.targetId}|${unitCode}`;
      const prev = statusWork.get(k);
      if (!prev || from < prev.from) statusWork.set(k, { target, unitCode, from });
    };
    for (const mark of marks) {
      for (const code of [mark.unitCode, ...model.tree.ancestors(mark.unitCode, treeOfCohort(mark.cohort))]) addFigure(code, mark.cohort, mark.from);
      for (const t of targets) {
        if (!targetCohorts(t).includes(mark.cohort)) continue;
        for (const code of [mark.unitCode, ...model.tree.ancestors(mark.unitCode, t.tree)]) addStatus(t, code, mark.from);
      }
    }
    const dirtyTargetSet = new Set(dirtyTargets);
    for (const t of targets) {
      if (!dirtyTargetSet.has(t.targetId)) continue;
      for (const u of model.tree.all()) addStatus(t, u.code, BEGINNING);
      // Units that had a status and are no longer known are cleared too.
      for (const r of (await m.query(`SELECT DISTINCT org_unit_code FROM rates_target_statuses WHERE target_id = $1`, [t.targetId])) as Array<{ org_unit_code: string }>) {
        addStatus(t, r.org_unit_code, BEGINNING);
      }
    }

    const result: RecomputeResult = { figuresWritten: 0, figureEvents: 0, statusesWritten: 0, statusEvents: 0 };
    const events: EventEnvelope[] = [];
    for (const w of figureWork.values()) await this.recomputeFigure(m, model, w, events, result);
    for (const w of statusWork.values()) await this.recomputeStatus(m, model, w.target, w.unitCode, w.from, events, result);
    await this.outbox.recordMany(m, events);
    return result;
  }

  private async recomputeFigure(m: EntityManager, model: FigureModel, w: DirtyMark, events: EventEnvelope[], result: RecomputeResult): Promise<void> {
    const tree = treeOfCohort(w.cohort);
    const span = model.figureSpan(w.unitCode, w.cohort);
    const dayBefore = addDays(w.from, -1);
    const oldRows: FigureRow[] = await m.query(
      `SELECT ${FIGURE_COLUMNS} FROM rates_figures WHERE org_unit_code = $1 AND cohort = $2 AND tree = $3 AND date >= $4 ORDER BY date`,
      [w.unitCode, w.cohort, tree, w.from],
    );
    const newRows = model.figureSeries(w.unitCode, w.cohort, w.from);
    let newBefore: Figure | null = null;
    if (span && span.from <= dayBefore) {
      const d = span.to < dayBefore ? span.to : dayBefore;
      newBefore = model.figureSeries(w.unitCode, w.cohort, d, d)[0] ?? null;
    }
    const key = [w.unitCode, w.cohort, tree];
    const published: Figure[] = (
      await m.query(`SELECT payload FROM rates_published_figures WHERE org_unit_code = $1 AND cohort = $2 AND tree = $3 AND date >= $4 ORDER BY date`, [...key, w.from])
    ).map((r: { payload: Figure }) => r.payload);
    const [publishedBefore]: Array<{ payload: Figure }> = await m.query(
      `SELECT payload FROM rates_published_figures WHERE org_unit_code = $1 AND cohort = $2 AND tree = $3 AND date < $4 ORDER BY date DESC LIMIT 1`,
      [...key, w.from],
    );
    const diff = diffTimeline<Figure>({
      from: w.from,
      newBefore,
      oldRows: oldRows.map(figureOfRow),
      newRows,
      published,
      publishedBefore: publishedBefore?.payload ?? null,
      sameRow: sameFigure,
      sameEvent: sameFigure,
      empty: (date) => emptyFigure(w.unitCode, w.cohort, date),
    });
    if (diff.deletes.length) {
      await m.query(`DELETE FROM rates_figures WHERE org_unit_code = $1 AND cohort = $2 AND tree = $3 AND date = ANY($4::date[])`, [w.unitCode, w.cohort, tree, diff.deletes]);
    }
    await upsertFigures(m, diff.upserts);
    await recordPublished(
      m,
      'rates_published_figures',
      ['org_unit_code', 'cohort', 'tree'],
      diff.changePoints.map((p) => ({ key, date: p.date, payload: { ...(p.value ?? emptyFigure(w.unitCode, w.cohort, p.date)), date: p.date } })),
    );
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
    m: EntityManager,
    model: FigureModel,
    t: TargetDef,
    unitCode: string,
    from: string,
    events: EventEnvelope[],
    result: RecomputeResult,
  ): Promise<void> {
    const inScope = model.tree.get(unitCode) !== undefined && inTargetScope(model, t, unitCode);
    const oldRows: StatusRow[] = await m.query(
      `SELECT ${STATUS_COLUMNS} FROM rates_target_statuses WHERE target_id = $1 AND org_unit_code = $2 AND date >= $3 ORDER BY date`,
      [t.targetId, unitCode, from],
    );
    let newRows: TargetEvaluation[] = [];
    let newBefore: TargetEvaluation | null = null;
    if (inScope) {
      newRows = evaluateTargetSeries(model, t, unitCode, from);
      const span = statusSpan(model, t, unitCode);
      const dayBefore = addDays(from, -1);
      if (span.from <= dayBefore) {
        const d = span.to < dayBefore ? span.to : dayBefore;
        newBefore = evaluateTargetSeries(model, t, unitCode, d, d)[0] ?? null;
      }
    }
    const published: TargetEvaluation[] = (
      await m.query(`SELECT payload FROM rates_published_statuses WHERE target_id = $1 AND org_unit_code = $2 AND date >= $3 ORDER BY date`, [t.targetId, unitCode, from])
    ).map((r: { payload: TargetEvaluation }) => r.payload);
    const [publishedBefore]: Array<{ payload: TargetEvaluation }> = await m.query(
      `SELECT payload FROM rates_published_statuses WHERE target_id = $1 AND org_unit_code = $2 AND date < $3 ORDER BY date DESC LIMIT 1`,
      [t.targetId, unitCode, from],
    );
    const diff = diffTimeline<TargetEvaluation>({
      from,
      newBefore,
      oldRows: oldRows.map(evaluationOfRow),
      newRows,
      published,
      publishedBefore: publishedBefore?.payload ?? null,
      sameRow: sameEvaluation,
      // A status event is about the status, its forecast and who reports toward it: published when any changes.
      sameEvent: (a, b) =>
        a.status === b.status && a.forecastDate === b.forecastDate && a.reporting === b.reporting && a.reportingUnits === b.reportingUnits && a.expectedUnits === b.expectedUnits,
    });
    if (diff.deletes.length) {
      await m.query(`DELETE FROM rates_target_statuses WHERE target_id = $1 AND org_unit_code = $2 AND date = ANY($3::date[])`, [t.targetId, unitCode, diff.deletes]);
    }
    await upsertStatuses(m, diff.upserts);
    await recordPublished(
      m,
      'rates_published_statuses',
      ['target_id', 'org_unit_code'],
      diff.changePoints.flatMap((p) => (p.value ? [{ key: [t.targetId, unitCode], date: p.date, payload: { ...p.value, date: p.date } }] : [])),
    );
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

const CHUNK = 500;

/** Remembers what consumers now hold for each published day (the payload as published). */
async function recordPublished(m: EntityManager, table: string, keyColumns: string[], rows: ReadonlyArray<{ key: string[]; date: string; payload: object }>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const width = keyColumns.length + 2;
    const values = part.map((r) => {
      const base = params.length;
      params.push(...r.key, r.date, JSON.stringify(r.payload));
      return `(${Array.from({ length: width }, (_, j) => `$${base + j + 1}${j === width - 1 ? '::jsonb' : j === width - 2 ? '::date' : ''}`).join(',')})`;
    });
    await m.query(
      `INSERT INTO ${table} (${keyColumns.join(', ')}, date, payload) VALUES ${values.join(',')}
       ON CONFLICT (${keyColumns.join(', ')}, date) DO UPDATE SET payload = EXCLUDED.payload`,
      params,
    );
  }
}

async function upsertFigures(m: EntityManager, rows: readonly Figure[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const values = part.map((f) => {
      const base = params.length;
      params.push(f.orgUnitCode, f.cohort, f.tree, f.date, f.headcount, f.smartphoneHolders, f.installed, f.bluetoothOn, f.installRate, f.bluetoothRate, f.population, f.populationRate, f.reportingUnits, f.expectedUnits);
      return `(${Array.from({ length: 14 }, (_, j) => `$${base + j + 1}`).join(',')})`;
    });
    await m.query(
      `INSERT INTO rates_figures (org_unit_code, cohort, tree, date, headcount, smartphone_holders, installed, bluetooth_on, install_rate, bluetooth_rate,
         population, population_rate, reporting_units, expected_units)
       VALUES ${values.join(',')}
       ON CONFLICT (org_unit_code, cohort, tree, date) DO UPDATE SET headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders,
         installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on, install_rate = EXCLUDED.install_rate, bluetooth_rate = EXCLUDED.bluetooth_rate,
         population = EXCLUDED.population, population_rate = EXCLUDED.population_rate, reporting_units = EXCLUDED.reporting_units,
         expected_units = EXCLUDED.expected_units, updated_at = now()`,
      params,
    );
  }
}

async function upsertStatuses(m: EntityManager, rows: readonly TargetEvaluation[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const values = part.map((e) => {
      const base = params.length;
      params.push(e.targetId, e.orgUnitCode, e.date, e.status, e.value, e.threshold, e.numerator, e.denominator, e.gap, e.forecastDate, e.reporting, e.reportingUnits, e.expectedUnits);
      return `(${Array.from({ length: 13 }, (_, j) => `$${base + j + 1}`).join(',')})`;
    });
    await m.query(
      `INSERT INTO rates_target_statuses (target_id, org_unit_code, date, status, value, threshold, numerator, denominator, gap, forecast_date, reporting,
         reporting_units, expected_units)
       VALUES ${values.join(',')}
       ON CONFLICT (target_id, org_unit_code, date) DO UPDATE SET status = EXCLUDED.status, value = EXCLUDED.value, threshold = EXCLUDED.threshold,
         numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator, gap = EXCLUDED.gap, forecast_date = EXCLUDED.forecast_date,
         reporting = EXCLUDED.reporting, reporting_units = EXCLUDED.reporting_units, expected_units = EXCLUDED.expected_units, updated_at = now()`,
      params,
    );
  }
}
