import { COHORTS_BY_UNIT_TYPE, treeOfCohort, type Cohort, type Tree } from '@app/contracts';
import { clampSpan } from './campaign-calendar';
import { groupBy } from './collections';
import { addDays, maxDate, minDate } from './dates';
import { FigureModel, type DenominatorInput, type FigureOptions, type SubtreeSums } from './figures';
import { ALWAYS_RETIRED, type OrgTree, type UnitNode } from './org-tree';
import { expectedForTarget, targetCohorts, type Target } from './target-status';

/**
 * Incremental roll-ups. A unit's figure is the sum of its subtree's own latest figures (figures.ts); that
 * sum is its own contribution plus its direct children's sums. So each unit keeps its subtree's sums per
 * lane (a cohort for figures, a target for statuses) as a step function of the day, and a change below it
 * is carried up by recomputing each unit on the way from its children's stored sums and its own inputs:
 * depth × fan-out × days changed, whatever the size of the subtree. The figure and status rules stay the
 * ones of figures.ts and target-status.ts: they read these sums through `RolledUpUnit`.
 */

/** A subtree's sums on one day, for one lane: what `FigureModel.sums` and `expectedUnits` answer. */
export interface RollupValue {
  readonly headcount: number;
  readonly smartphoneHolders: number;
  readonly installed: number;
  readonly bluetoothOn: number;
  readonly contributors: number;
  readonly reporting: number;
  readonly reportedThatDay: number;
  readonly expected: number;
}

/** A value that holds from its date until the next point's. */
export interface RollupPoint extends RollupValue {
  readonly date: string;
}

const FIELDS = [
  'headcount',
  'smartphoneHolders',
  'installed',
  'bluetoothOn',
  'contributors',
  'reporting',
  'reportedThatDay',
  'expected',
] as const satisfies ReadonlyArray<keyof RollupValue>;

export const ZERO_ROLLUP: RollupValue = Object.freeze({
  headcount: 0,
  smartphoneHolders: 0,
  installed: 0,
  bluetoothOn: 0,
  contributors: 0,
  reporting: 0,
  reportedThatDay: 0,
  expected: 0,
});

export function sameRollup(a: RollupValue, b: RollupValue): boolean {
  return FIELDS.every((f) => a[f] === b[f]);
}

/** What one lane sums: its tree, the cohorts, the reporting window, and which units are expected to report. */
export interface RollupLane {
  /** `cohort:<cohort>` (a figure) or `target:<targetId>` (a status). */
  readonly key: string;
  readonly tree: Tree;
  readonly cohorts: readonly Cohort[];
  readonly windowDays: number;
  expected(unit: UnitNode): boolean;
}

export const figureLaneKey = (cohort: Cohort): string => `cohort:${cohort}`;
export const statusLaneKey = (targetId: string): string => `target:${targetId}`;

/** The lane of a cohort's figures: the figure window, units whose type reports the cohort (as `FigureModel.figure`). */
export function figureLane(cohort: Cohort, windowDays: number): RollupLane {
  return {
    key: figureLaneKey(cohort),
    tree: treeOfCohort(cohort),
    cohorts: [cohort],
    windowDays,
    expected: (u) => COHORTS_BY_UNIT_TYPE[u.type].includes(cohort),
  };
}

/** The lane of a target's statuses: its cohorts on its tree, its window, the units it covers (as `evaluateTargetSeries`). */
export function statusLane(t: Target): RollupLane {
  return {
    key: statusLaneKey(t.targetId),
    tree: t.tree,
    cohorts: targetCohorts(t),
    windowDays: t.reportingWindowDays,
    expected: (u) => expectedForTarget(t, u),
  };
}

/** A step function of the day. */
export class RollupTimeline {
  /**
   * @param points ascending by date.
   * @param head whether the first point is the one holding before the loaded days (read from storage from
   *   some day on); days before it then take its value (they are asked for only where a span ended earlier
   *   and its value held since). Without a head, the value before the first point is zero.
   */
  constructor(
    readonly points: readonly RollupPoint[],
    private readonly head = false,
  ) {}

  at(date: string): RollupValue {
    const p = this.points;
    let lo = 0;
    let hi = p.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (p[mid].date <= date) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0) return p[found];
    return this.head && p.length > 0 ? p[0] : ZERO_ROLLUP;
  }

  /**
   * This timeline before `from`, then `fresh` (which starts on `from`) through `through`, then this timeline
   * again after `through` (null: `fresh` to the end). `fresh` must hold this timeline's value on `through`.
   */
  splice(from: string, through: string | null, fresh: readonly RollupPoint[]): RollupTimeline {
    return new RollupTimeline(
      [...this.points.filter((q) => q.date < from), ...fresh, ...(through === null ? [] : this.points.filter((q) => q.date > through))],
      this.head,
    );
  }
}

/** What a unit's figure span is made of, over its subtree (see `FigureModel.figureSpan`), and whether a unit of it is expected. */
export interface RollupSpan {
  readonly first: string | null;
  readonly last: string | null;
  readonly lastRetired: string | null;
  readonly inScope: boolean;
}

export const EMPTY_SPAN: RollupSpan = Object.freeze({ first: null, last: null, lastRetired: null, inScope: false });

export function sameSpan(a: RollupSpan, b: RollupSpan): boolean {
  return a.first === b.first && a.last === b.last && a.lastRetired === b.lastRetired && a.inScope === b.inScope;
}

/** One unit's own part of a lane's span: its reports' first and last days, its retirement, whether it is expected. */
export function ownSpan(unit: UnitNode, lane: RollupLane, reportDates: readonly string[]): RollupSpan {
  return {
    first: minDate(...reportDates),
    last: maxDate(...reportDates),
    lastRetired: unit.retiredOn !== null && unit.retiredOn > ALWAYS_RETIRED ? unit.retiredOn : null,
    inScope: lane.expected(unit),
  };
}

export function combineSpans(spans: readonly RollupSpan[]): RollupSpan {
  return {
    first: minDate(...spans.map((s) => s.first)),
    last: maxDate(...spans.map((s) => s.last)),
    lastRetired: maxDate(...spans.map((s) => s.lastRetired)),
    inScope: spans.some((s) => s.inScope),
  };
}

/**
 * One unit's own contribution to a lane from `from` to `to`, as points. `own` is a model in which the unit
 * has no children (its sums are its own); `reportDates` the days of its reports of the lane's cohorts. The
 * value changes only on a report's day, the day after it (no longer reported that day), the day its window
 * lapses, and the unit's retirement.
 */
export function ownPoints(
  own: FigureModel,
  unit: UnitNode,
  lane: RollupLane,
  reportDates: readonly string[],
  from: string,
  to: string,
): RollupPoint[] {
  const days = new Set<string>([from]);
  const add = (d: string) => {
    if (d > from && d <= to) days.add(d);
  };
  for (const d of reportDates) {
    add(d);
    add(addDays(d, 1));
    add(addDays(d, lane.windowDays));
  }
  if (unit.retiredOn !== null) add(unit.retiredOn);
  return [...days].sort().map((date) => {
    const s = own.sums(unit.code, lane.tree, lane.cohorts, date, lane.windowDays);
    return {
      date,
      ...s.counts,
      contributors: s.contributors,
      reporting: s.reporting,
      reportedThatDay: s.reportedThatDay,
      expected: own.expectedUnits(unit.code, lane.tree, date, (u) => lane.expected(u)),
    };
  });
}

/**
 * The sum of some timelines from `from` to `to`: the value on `from`, then a point wherever one of them
 * changes (a sweep over their points, so the cost is the number of points, not of days).
 */
export function rollUp(sources: readonly RollupTimeline[], from: string, to: string): RollupPoint[] {
  const n = FIELDS.length;
  const base = new Array<number>(n).fill(0);
  const deltas = new Map<string, number[]>();
  for (const s of sources) {
    let prev = s.at(from);
    for (let i = 0; i < n; i++) base[i] += prev[FIELDS[i]];
    for (const p of s.points) {
      if (p.date <= from) continue;
      if (p.date > to) break;
      let d = deltas.get(p.date);
      if (!d) deltas.set(p.date, (d = new Array<number>(n).fill(0)));
      for (let i = 0; i < n; i++) d[i] += p[FIELDS[i]] - prev[FIELDS[i]];
      prev = p;
    }
  }
  const pointOf = (date: string, v: readonly number[]): RollupPoint =>
    Object.fromEntries([['date', date], ...FIELDS.map((f, i) => [f, v[i]])]) as unknown as RollupPoint;
  const out = [pointOf(from, base)];
  const running = [...base];
  for (const date of [...deltas.keys()].sort()) {
    const d = deltas.get(date)!;
    if (d.every((x) => x === 0)) continue;
    for (let i = 0; i < n; i++) running[i] += d[i];
    out.push(pointOf(date, running));
  }
  return out;
}

/** Drops the points that repeat the value before them (`before`: the value holding before the first). */
export function compressPoints(points: readonly RollupPoint[], before: RollupValue = ZERO_ROLLUP): RollupPoint[] {
  const out: RollupPoint[] = [];
  let held = before;
  for (const p of points) {
    if (sameRollup(p, held)) continue;
    out.push(p);
    held = p;
  }
  return out;
}

/**
 * Units whose own inputs a unit's sums take directly: itself, or, for a unit on a cycle of bad moves, every
 * unit of the cycle (each has the others in its subtree, as `OrgTree.subtree` walks it).
 */
export function rollupMembers(tree: OrgTree, code: string, t: Tree): string[] {
  const path = [code];
  const seen = new Set(path);
  for (let p = tree.parentOf(code, t); p !== null && tree.get(p); p = tree.parentOf(p, t)) {
    if (p === code) return path.sort();
    if (seen.has(p)) break;
    seen.add(p);
    path.push(p);
  }
  return [code];
}

/**
 * One unit's figures and statuses as the pure rules compute them, from its lane's rolled-up sums instead
 * of a walk over its subtree: `FigureModel.figureSeries` and `evaluateTargetSeries` run unchanged on it.
 * `spans` holds the unit's figure spans per cohort (a status span is made of its cohorts' figure spans).
 */
export class RolledUpUnit extends FigureModel {
  private readonly ownDenominatorDays = new Map<Cohort, string[]>();

  constructor(
    unit: UnitNode,
    denominators: readonly DenominatorInput[],
    options: FigureOptions,
    private readonly spans: ReadonlyMap<Cohort, RollupSpan>,
    private readonly timeline: RollupTimeline,
  ) {
    super({ units: [{ ...unit, adminParentCode: null, accountableToCode: null }], reports: [], denominators }, options);
    for (const [cohort, ds] of groupBy(
      denominators.filter((d) => d.unitCode === unit.code),
      (d) => d.cohort,
    ))
      this.ownDenominatorDays.set(
        cohort,
        ds.map((d) => d.asOf),
      );
  }

  override sums(_unitCode: string, _tree: Tree, _cohorts: readonly Cohort[], date: string): SubtreeSums {
    const v = this.timeline.at(date);
    return {
      counts: { headcount: v.headcount, smartphoneHolders: v.smartphoneHolders, installed: v.installed, bluetoothOn: v.bluetoothOn },
      contributors: v.contributors,
      reporting: v.reporting,
      reportedThatDay: v.reportedThatDay,
    };
  }

  override expectedUnits(_unitCode: string, _tree: Tree, date: string): number {
    return this.timeline.at(date).expected;
  }

  override figureSpan(unitCode: string, cohort: Cohort): { from: string; to: string } | null {
    const s = this.spans.get(cohort);
    if (!this.tree.get(unitCode) || !s || s.first === null || s.last === null) return null;
    const to = maxDate(addDays(s.last, this.options.windowDays), s.lastRetired, ...(this.ownDenominatorDays.get(cohort) ?? []))!;
    if (s.first > this.options.bounds.to) return null;
    return clampSpan({ from: s.first, to }, this.options.bounds);
  }
}

/**
 * The part of a tree whose roll-ups one flush may recompute alone (rates across replicas): a unit's top-level
 * subtree, named by its root (the child of the tree's topmost unit on its chain). Null for the top: a topmost
 * unit, and a unit on a cycle of bad moves or below one (its subtree and its ancestors are the cycle's). A flush
 * of a partition recomputes up to the partition's root; the topmost unit above it is then recomputed from
 * its children's stored sums, by a flush of the top.
 */
export function rollupPartition(tree: OrgTree, code: string, t: Tree): { root: string; above: string } | null {
  const chain = [code, ...tree.ancestors(code, t)];
  if (chain.length < 2) return null;
  if (chain.some((c) => tree.get(c) !== undefined && rollupMembers(tree, c, t).length > 1)) return null;
  return { root: chain[chain.length - 2], above: chain[chain.length - 1] };
}
