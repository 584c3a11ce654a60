import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { treeOfCohort, type Cohort, type Tree } from '@app/contracts';
import {
  addDays,
  clampDate,
  evaluateTargetSeries,
  figureLane,
  figureLaneKey,
  FigureModel,
  groupBy,
  inTargetScope,
  maxDate,
  minDate,
  RolledUpUnit,
  rollupPartition,
  statusLane,
  statusLaneKey,
  statusReach,
  statusEnd,
  statusSpan,
  targetCohorts,
  TREND_LOOKBACK_DAYS,
  type Figure,
  type RollupSpan,
  type Target,
  type TargetEvaluation,
  type UnitNode,
} from '@app/domain';
import { CampaignCalendar, EventOutbox } from '@app/platform';
import { markDirty } from '../common/dirty-marks';
import { sameFigure } from './figure-rows';
import { FigureModelLoader, type DirtyMark, type FlushInputs } from './figure-model.loader';
import {
  emptyWrites,
  readRollups,
  readSpans,
  readPublishedFigures,
  readPublishedStatuses,
  writeAll,
  type FigureWork,
  type FlushWrites,
  type StatusWork,
  type PublishedTimeline,
} from './figure.store';
import { computeLane, laneKey, planLane, widened, type LaneContext, type LanePlan, type LaneResult } from './rollup-lanes';
import { diffTimeline, type Withdrawn } from './timeline-diff';
import { FlushPublications } from './flush-publications';

export type { DirtyMark } from './figure-model.loader';

/** Before any campaign day: "recompute everything" (clamped, like every mark, to the campaign calendar's first day). */
export const BEGINNING = '0001-01-01';

export interface RecomputeResult {
  /** Rows written: publications, roll-ups and their spans (none when nothing the marks cover changed). */
  rowsWritten: number;
  figureEvents: number;
  statusEvents: number;
  /** Statuses withdrawn: units that left a target (rates.target.status-withdrawn). */
  withdrawnEvents: number;
}

export interface RecomputeOptions {
  /**
   * Compute every figure and status from the whole model (every unit, report and denominator, each
   * figure the sum over its subtree) instead of from the roll-ups. Same results either way; the
   * integration tests compare the two.
   */
  readonly fullModel?: boolean;
  /** Aborted (the service is stopping): the computation stops at its next breath and throws, so the caller's transaction rolls back. */
  readonly signal?: AbortSignal;
  /**
   * The roll-up partitions the caller holds (`partitionKey`; rates across replicas). Without: every mark,
   * up to the top. With: a mark outside them is put back for their holder; a mark's work stops at its
   * partition's root unless the caller holds the top of the tree too, and then marks the unit above the
   * root, for the top's holder to recompute from its children's stored sums.
   */
  readonly partitions?: ReadonlySet<string>;
}

/** The name of a roll-up partition of a tree (`rollupPartition`; the top: null). */
export function partitionKey(tree: Tree, partition: { root: string } | null): string {
  return `${tree}|${partition?.root ?? ''}`;
}

/** Longest stretch of computing between two turns of the event loop. */
const SLICE_MS = 10;
/**
 * Days of one series computed at once: a series as long as the campaign calendar allows (a unit with an
 * input dated at its far end) is computed slice by slice, breathing in between, never all at once.
 */
const SERIES_SLICE_DAYS = 128;

/**
 * Recomputes what the marks say changed, with the pure rules, and writes rows and events in the
 * caller's transaction. Each marked (unit, cohort) spreads to its ancestors on the cohort's tree and
 * to the statuses of the targets over that cohort; a marked target re-evaluates every unit.
 *
 * Incrementally: the roll-ups (a unit's subtree sums per cohort and per target, rates_rollups) are
 * recomputed from the marked units up, each from its own inputs and its direct children's stored sums,
 * from the marked day on; the figures and statuses are then the pure rules applied to those sums. What a
 * flush reads is the marked units, their ancestors and their children, never a subtree below them. What
 * was published of every work item is read in one query per kind, and the new rows written in one
 * statement per kind (figure.store.ts); a figure or status is kept only as published (its change points).
 */
@Injectable()
export class FigureRecomputeService {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly calendar: CampaignCalendar,
    private readonly loader: FigureModelLoader,
  ) {}

  /** Every input as one model, and the targets: what the tests compare what was published with. */
  async loadModel(m: EntityManager): Promise<{ model: FigureModel; targets: Target[] }> {
    return {
      model: this.loader.model(await this.loader.everything(m), this.calendar.computableSpan()),
      targets: await this.loader.targets(m),
    };
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
    const targets = await this.loader.targets(m);
    // A re-evaluated target walks every unit anyway.
    const full = dirtyTargets.length > 0 || options.fullModel === true;
    const held = options.partitions;
    const inputs = full
      ? await this.loader.everything(m)
      : await this.loader.neighbourhood(m, marks, targets, {
          from: marks.reduce((first, mark) => minDate(first, clampDate(mark.from, bounds))!, bounds.to),
          lock: held !== undefined,
        });
    const model = this.loader.model(inputs, bounds);
    // The days each work item's sums can have changed: [from, until], until null for every day from `from` on.
    const figureWork = new Map<string, { unitCode: string; cohort: Cohort; from: string; until: string | null }>();
    const statusWork = new Map<string, { target: Target; unitCode: string; from: string; until: string | null }>();
    const addFigure = (unitCode: string, cohort: Cohort, from: string, until: string | null) => {
      const key = `${unitCode}|${cohort}`;
      const prev = figureWork.get(key);
      figureWork.set(key, prev ? widened(prev, from, until) : { unitCode, cohort, from, until });
    };
    const addStatus = (target: Target, unitCode: string, from: string, until: string | null) => {
      const key = `${target.targetId}|${unitCode}`;
      const prev = statusWork.get(key);
      statusWork.set(key, prev ? widened(prev, from, until) : { target, unitCode, from, until });
    };
    const putBack: DirtyMark[] = [];
    for (const mark of marks) {
      const from = clampDate(mark.from, bounds);
      // A full recomputation walks every day: what the tests compare a bounded flush with.
      const until = full || mark.until == null || mark.until >= bounds.to ? null : maxDate(from, mark.until)!;
      const tree = treeOfCohort(mark.cohort);
      let chain = [mark.unitCode, ...model.tree.ancestors(mark.unitCode, tree)];
      if (held) {
        const partition = rollupPartition(model.tree, mark.unitCode, tree);
        if (!held.has(partitionKey(tree, partition))) {
          // The unit moved since the caller chose: its partition's holder recomputes it.
          putBack.push(mark);
          continue;
        }
        if (partition && !held.has(partitionKey(tree, null))) {
          chain = chain.slice(0, chain.indexOf(partition.root) + 1);
          putBack.push({ unitCode: partition.above, cohort: mark.cohort, from, until });
        }
      }
      // An ancestor's sums are its children's plus its own: they change on no day its marked descendants' do not.
      for (const code of chain) addFigure(code, mark.cohort, from, until);
      // A target's cohorts roll up its tree: the chain is the mark's.
      for (const t of targets) if (targetCohorts(t).includes(mark.cohort)) for (const code of chain) addStatus(t, code, from, until);
    }
    const dirtyTargetSet = new Set(dirtyTargets);
    for (const t of targets) {
      if (!dirtyTargetSet.has(t.targetId)) continue;
      for (const u of model.tree.all()) addStatus(t, u.code, bounds.from, null);
      // Units that had a status and are no longer known are cleared too.
      for (const r of (await m.query(`SELECT DISTINCT org_unit_code FROM rates_published_statuses WHERE target_id = $1`, [
        t.targetId,
      ])) as Array<{ org_unit_code: string }>) {
        addStatus(t, r.org_unit_code, bounds.from, null);
      }
    }

    // The computation is synchronous; between slices of it the event loop runs, so the input consumer of
    // the same process keeps applying its batches while a large flush computes, and a stop is heard.
    let lastYield = performance.now();
    const breathe: Breathe = async () => {
      if (performance.now() - lastYield < SLICE_MS) return;
      await new Promise<void>((r) => setImmediate(r));
      lastYield = performance.now();
      options.signal?.throwIfAborted();
    };

    const result: RecomputeResult = { rowsWritten: 0, figureEvents: 0, statusEvents: 0, withdrawnEvents: 0 };
    const pub = new FlushPublications(this.outbox);
    const writes = emptyWrites();
    // Each item is computed and compared through the first day known unchanged (`through`), which joins the new
    // days to the published ones after them: a figure the day after its sums' last changed day; a status the day
    // after the last its trend can carry that change to (`statusReach`). Null: to the end of the calendar.
    const after = (day: string | null): string | null => (day === null || day >= bounds.to ? null : addDays(day, 1));
    const figureItems: FigureWork[] = [...figureWork].map(([key, w]) => ({ key, ...w, through: after(w.until) }));
    const statusItems: StatusWork[] = [...statusWork].map(([key, w]) => ({
      key,
      ...w,
      through: after(w.until === null ? null : statusReach(w.target, w.until)),
    }));
    const rollups = await this.recomputeRollups(m, model, inputs, figureItems, statusItems, after, writes, breathe);
    const publishedFigures = await readPublishedFigures(m, figureItems);
    const publishedStatuses = await readPublishedStatuses(m, statusItems);
    const denominators = groupBy(inputs.denominators, (d) => d.unitCode);
    const view = (node: UnitNode, spans: ReadonlyMap<Cohort, RollupSpan>, r: LaneResult) =>
      new RolledUpUnit(node, denominators.get(node.code) ?? [], model.options, spans, r.timeline);
    for (const w of figureItems) {
      const node = model.tree.get(w.unitCode);
      const r = rollups.figures.get(laneKey(w.unitCode, figureLaneKey(w.cohort)));
      const source = full || !node || !r ? model : view(node, new Map([[w.cohort, r.span]]), r);
      await this.recomputeFigure(source, w, publishedFigures.get(w.key)!, writes, pub, result, breathe);
      await breathe();
    }
    for (const w of statusItems) {
      const node = model.tree.get(w.unitCode);
      const r = rollups.statuses.get(laneKey(w.unitCode, statusLaneKey(w.target.targetId)));
      if (full || !node || !r) {
        const inScope = node !== undefined && inTargetScope(model, w.target, w.unitCode);
        await this.recomputeStatus(model, w, inScope, publishedStatuses.get(w.key)!, writes, pub, result, breathe);
      } else {
        const spans = new Map(targetCohorts(w.target).map((c) => [c, rollups.figureSpan(w.unitCode, c)] as const));
        await this.recomputeStatus(view(node, spans, r), w, r.span.inScope, publishedStatuses.get(w.key)!, writes, pub, result, breathe);
      }
      await breathe();
    }
    options.signal?.throwIfAborted();
    result.rowsWritten =
      writes.figurePublished.length +
      writes.statusPublished.length +
      writes.rollupUpserts.length +
      writes.rollupDeletes.length +
      writes.spanUpserts.length;
    await writeAll(m, writes);
    await markDirty(m, putBack);
    await this.outbox.recordMany(m, pub.events());
    return result;
  }

  /**
   * The roll-ups of every lane the work touches, figure lanes first (a status span is made of figure
   * spans): one read of the stored roll-ups and spans for all of them, then lane after lane bottom-up.
   */
  private async recomputeRollups(
    m: EntityManager,
    model: FigureModel,
    inputs: FlushInputs,
    figureItems: readonly FigureWork[],
    statusItems: readonly StatusWork[],
    after: (day: string | null) => string | null,
    writes: FlushWrites,
    breathe: Breathe,
  ): Promise<{
    figures: Map<string, LaneResult>;
    statuses: Map<string, LaneResult>;
    figureSpan: (unitCode: string, cohort: Cohort) => RollupSpan;
  }> {
    const windowDays = model.options.windowDays;
    const own = new FigureModel(
      {
        units: inputs.units.map((u) => ({ ...u, adminParentCode: null, accountableToCode: null })),
        reports: inputs.reports,
        denominators: [],
      },
      model.options,
    );
    const reportDays = new Map(
      [...groupBy(inputs.reports, (r) => `${r.unitCode}|${r.cohort}`)].map(([k, reports]) => [k, reports.map((r) => r.asOf)] as const),
    );
    const ctx: LaneContext = { tree: model.tree, own, reportDays, bounds: model.options.bounds };
    // A lane's sums are recomputed through the day after their last changed day; a status reads them further,
    // to the last day its trend looks back from (its item's `through`).
    const days = (w: FigureWork | StatusWork) => [w.unitCode, { from: w.from, through: after(w.until), readThrough: w.through }] as const;
    // A figure is the day's sums (and the day before's, to compare); a status's trend looks back over the days before.
    const figurePlans = [...groupBy(figureItems, (w) => w.cohort)].map(([cohort, items]) =>
      planLane(model.tree, figureLane(cohort, windowDays), new Map(items.map(days)), 1),
    );
    const statusPlans = [...groupBy(statusItems, (w) => w.target.targetId).values()].map((items) =>
      planLane(model.tree, statusLane(items[0].target), new Map(items.map(days)), TREND_LOOKBACK_DAYS + 1),
    );
    const plans: LanePlan[] = [...figurePlans, ...statusPlans];
    const reads = plans.flatMap((p) => p.reads);
    // A status span is made of the unit's figure spans of the target's cohorts, recomputed here or stored.
    const figureSpanReads = statusItems.flatMap((w) =>
      targetCohorts(w.target).map((c) => ({ unitCode: w.unitCode, lane: figureLaneKey(c) })),
    );
    const stored = await readRollups(m, reads);
    const storedSpans = await readSpans(m, [...reads, ...figureSpanReads]);
    const figures = new Map<string, LaneResult>();
    const statuses = new Map<string, LaneResult>();
    for (const p of figurePlans)
      for (const [code, r] of await computeLane(p, ctx, stored, storedSpans, writes, breathe)) figures.set(laneKey(code, p.lane.key), r);
    for (const p of statusPlans)
      for (const [code, r] of await computeLane(p, ctx, stored, storedSpans, writes, breathe)) statuses.set(laneKey(code, p.lane.key), r);
    const figureSpan = (unitCode: string, cohort: Cohort): RollupSpan => {
      const k = laneKey(unitCode, figureLaneKey(cohort));
      return figures.get(k)?.span ?? storedSpans.get(k)!;
    };
    return { figures, statuses, figureSpan };
  }

  private async recomputeFigure(
    model: FigureModel,
    w: FigureWork,
    timeline: PublishedTimeline<Figure>,
    writes: FlushWrites,
    pub: FlushPublications,
    result: RecomputeResult,
    breathe: Breathe,
  ): Promise<void> {
    const tree = treeOfCohort(w.cohort);
    const span = model.figureSpan(w.unitCode, w.cohort);
    const dayBefore = addDays(w.from, -1);
    const newRows = span
      ? await inSlices(
          maxDate(span.from, w.from)!,
          minDate(span.to, w.through)!,
          (a, b) => model.figureSeries(w.unitCode, w.cohort, a, b),
          breathe,
        )
      : [];
    let newBefore: Figure | null = null;
    if (span && span.from <= dayBefore) {
      const d = span.to < dayBefore ? span.to : dayBefore;
      newBefore = model.figureSeries(w.unitCode, w.cohort, d, d)[0] ?? null;
    }
    const key = [w.unitCode, w.cohort, tree];
    const changePoints = diffTimeline<Figure>({
      from: w.from,
      through: w.through,
      newBefore,
      newRows,
      published: timeline.published,
      publishedBefore: timeline.publishedBefore,
      sameEvent: sameFigure,
      empty: (date) => emptyFigure(w.unitCode, w.cohort, date),
    });
    for (const p of changePoints) {
      // What is published of the day is what its event says, and what the next flush compares with.
      const f = p.value ?? emptyFigure(w.unitCode, w.cohort, p.date);
      writes.figurePublished.push({ key, date: p.date, payload: { ...f, date: p.date } });
      pub.figure(f, p.date);
      result.figureEvents++;
    }
  }

  private async recomputeStatus(
    model: FigureModel,
    w: StatusWork,
    inScope: boolean,
    timeline: PublishedTimeline<TargetEvaluation>,
    writes: FlushWrites,
    pub: FlushPublications,
    result: RecomputeResult,
    breathe: Breathe,
  ): Promise<void> {
    const { target: t, unitCode, from, through } = w;
    let newRows: TargetEvaluation[] = [];
    let newBefore: TargetEvaluation | null = null;
    if (inScope) {
      const span = statusSpan(model, t, unitCode);
      // Each slice looks back over the days before it for the trend, so the slices add up to the whole series.
      newRows = await inSlices(
        maxDate(span.from, from)!,
        minDate(span.to, through)!,
        (a, b) => evaluateTargetSeries(model, t, unitCode, a, b),
        breathe,
      );
      const dayBefore = addDays(from, -1);
      if (span.from <= dayBefore) {
        const d = span.to < dayBefore ? span.to : dayBefore;
        newBefore = evaluateTargetSeries(model, t, unitCode, d, d)[0] ?? null;
      }
    }
    const changePoints = diffTimeline<TargetEvaluation>({
      from,
      through,
      newBefore,
      newRows,
      // From the day its unit retired it has none (and a unit out of the target's scope none on any day).
      newUntil: statusEnd(model, unitCode),
      published: timeline.published,
      publishedBefore: timeline.publishedBefore,
      // A status event is about the status, its forecast and who reports toward it: published when any changes.
      sameEvent: (a, b) =>
        a.status === b.status &&
        a.forecastDate === b.forecastDate &&
        a.reporting === b.reporting &&
        a.reportingUnits === b.reportingUnits &&
        a.expectedUnits === b.expectedUnits,
    });
    for (const p of changePoints) {
      if (!p.value) {
        // The unit left the target (retired, moved or emptied out of its scope): consumers are told it has no status
        // from that day on, and the days before keep theirs.
        const withdrawn: Withdrawn = { date: p.date, withdrawn: true };
        writes.statusPublished.push({ key: [t.targetId, unitCode], date: p.date, payload: withdrawn });
        pub.withdrawal(t.targetId, unitCode, p.date, p.previous!.status);
        result.withdrawnEvents++;
        continue;
      }
      const e = p.value;
      writes.statusPublished.push({ key: [t.targetId, unitCode], date: p.date, payload: { ...e, date: p.date } });
      pub.status(e, p.date, p.previous?.status ?? null);
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
