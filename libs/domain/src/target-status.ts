import {
  COHORTS_BY_UNIT_TYPE,
  UNIT_TYPES,
  treeOfCohort,
  type Cohort,
  type Metric,
  type TargetStatus,
  type TargetSetV2Data,
  type UnitType,
} from '@app/contracts';
import { clampSpan } from './campaign-calendar';
import { ratio, type AdoptionCounts } from './counts';
import { addDays, dateRange, fromDayNumber, maxDate, minDate, toDayNumber } from './dates';
import type { FigureModel } from './figures';
import type { UnitNode } from './org-tree';

/**
 * A registry target: a metric over some cohorts on one tree, a threshold and a deadline, with its names in
 * Vietnamese and English. The one target type of the system: exactly what `registry.target.set` carries
 * (the registry, rates and compliance all hold this shape).
 */
export type Target = {
  readonly [K in keyof TargetSetV2Data]: TargetSetV2Data[K] extends Array<infer E> ? readonly E[] : TargetSetV2Data[K];
};

/** How far back the trend of a unit's figures looks to forecast when it reaches the threshold. */
export const TREND_LOOKBACK_DAYS = 14;
/** A forecast further out than this is no forecast at all. */
const FORECAST_HORIZON_DAYS = 3650;

/** One unit's standing against one target on one day. */
export interface TargetEvaluation {
  readonly targetId: string;
  readonly orgUnitCode: string;
  readonly date: string;
  readonly status: TargetStatus;
  readonly value: number | null;
  readonly threshold: number;
  readonly numerator: number | null;
  readonly denominator: number | null;
  /** People still to reach the threshold (null without a denominator). */
  readonly gap: number | null;
  readonly forecastDate: string | null;
  /** Whether any unit of the subtree reported within the target's window ending on the date. */
  readonly reporting: boolean;
  readonly reportingUnits: number;
  readonly expectedUnits: number;
}

/** The cohorts of a target that roll up its tree: a target never adds two trees together. */
export function targetCohorts(t: Pick<Target, 'cohorts' | 'tree'>): Cohort[] {
  return t.cohorts.filter((c) => treeOfCohort(c) === t.tree);
}

/** coveredTypes per target object: it is asked for every unit of a subtree on every day of a series. */
const coveredCache = new WeakMap<object, ReadonlySet<UnitType>>();

/** Unit types the target covers: those named, or every type that may report one of its cohorts. */
export function coveredTypes(t: Pick<Target, 'cohorts' | 'tree' | 'scopeUnitTypes'>): ReadonlySet<UnitType> {
  const cached = coveredCache.get(t);
  if (cached) return cached;
  let out: ReadonlySet<UnitType>;
  if (t.scopeUnitTypes.length) out = new Set(t.scopeUnitTypes);
  else {
    const cohorts = targetCohorts(t);
    out = new Set(UNIT_TYPES.filter((type) => COHORTS_BY_UNIT_TYPE[type].some((c) => cohorts.includes(c))));
  }
  coveredCache.set(t, out);
  return out;
}

/** Whether a unit is expected to report for the target: a covered type and, when the target names levels, one of them. */
export function expectedForTarget(t: Target, unit: UnitNode): boolean {
  if (!coveredTypes(t).has(unit.type)) return false;
  return t.scopeLevels.length === 0 || (unit.level !== null && t.scopeLevels.includes(unit.level));
}

/**
 * Whether a unit gets a status for the target: it is expected to report, or it is the sum of units
 * that are (a district or the province over the communes that report residents).
 */
export function inTargetScope(model: FigureModel, t: Target, unitCode: string): boolean {
  return model.tree.subtree(unitCode, t.tree).some((code) => expectedForTarget(t, model.tree.get(code)!));
}

/** The metric's numerator and denominator: rates are ratios of sums, never averages of child rates. */
export function metricParts(
  metric: Metric,
  counts: AdoptionCounts,
  population: number | null,
): { numerator: number; denominator: number | null } {
  switch (metric) {
    case 'install_rate':
      return { numerator: counts.installed, denominator: counts.smartphoneHolders };
    case 'bluetooth_rate':
      return { numerator: counts.bluetoothOn, denominator: counts.smartphoneHolders };
    case 'resident_rate':
      return { numerator: counts.installed, denominator: population };
  }
}

/** People still needed to reach the threshold, rounded up; 0 once reached. */
export function gapToThreshold(threshold: number, numerator: number, denominator: number | null): number | null {
  if (denominator === null || denominator <= 0) return null;
  // The epsilon keeps 0.5 × 1,000,000 from becoming 500,001 through floating-point noise.
  return Math.max(0, Math.ceil(threshold * denominator - numerator - 1e-9));
}

/**
 * The day the least-squares line through recent (day, value) points reaches the threshold, not before
 * `today`; null with fewer than two distinct days, a flat or falling trend, or a date too far away.
 */
export function forecastDate(points: ReadonlyArray<{ date: string; value: number }>, threshold: number, today: string): string | null {
  const xs = points.map((p) => toDayNumber(p.date));
  if (new Set(xs).size < 2) return null;
  const n = points.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = points.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  points.forEach((p, i) => {
    sxy += (xs[i] - mx) * (p.value - my);
    sxx += (xs[i] - mx) ** 2;
  });
  const slope = sxy / sxx;
  if (!(slope > 0)) return null;
  const day = Math.max(Math.ceil(mx + (threshold - my) / slope - 1e-9), toDayNumber(today));
  if (day - toDayNumber(today) > FORECAST_HORIZON_DAYS) return null;
  return fromDayNumber(day);
}

/**
 * The status rule. No value: no_data. After the deadline the last known value is judged: met or
 * breached. Before it: a unit with no report in the window is not reporting (no_data, never zero);
 * otherwise met, or on_track when its trend reaches the threshold by the deadline, else at_risk.
 */
export function decideStatus(input: {
  value: number | null;
  threshold: number;
  deadline: string;
  date: string;
  reporting: boolean;
  forecastDate: string | null;
}): TargetStatus {
  const { value, threshold, deadline, date } = input;
  if (value === null) return 'no_data';
  if (date > deadline) return value >= threshold ? 'met' : 'breached';
  if (!input.reporting) return 'no_data';
  if (value >= threshold) return 'met';
  // On the deadline day no trend can still reach the threshold in time: a unit below it is due today.
  if (date === deadline) return 'at_risk';
  return input.forecastDate !== null && input.forecastDate <= deadline ? 'on_track' : 'at_risk';
}

/**
 * The days on which a unit's status for a target is stored: from the campaign start (or the first
 * report of its subtree) to the day after the deadline or the day every window (the figures' and the
 * target's) has lapsed after the last report, whichever is later. After that day the status no longer
 * changes. Clamped to the model's bounds, like every span.
 */
export function statusSpan(model: FigureModel, t: Target, unitCode: string): { from: string; to: string } {
  let first: string | null = null;
  let last: string | null = null;
  for (const cohort of targetCohorts(t)) {
    const span = model.figureSpan(unitCode, cohort);
    if (!span) continue;
    first = minDate(first, span.from);
    last = maxDate(last, span.to);
  }
  const from = t.campaignStart ?? (first !== null && first < t.deadline ? first : t.deadline);
  // A figure's span ends once the figures' window has lapsed after its last report; a status judges reporting by
  // its target's own window, which may be longer: its span lasts until that one has lapsed too.
  const lapse = Math.max(0, t.reportingWindowDays - model.options.windowDays);
  const to = maxDate(addDays(t.deadline, 1), last === null ? null : addDays(last, lapse), from)!;
  return clampSpan({ from, to }, model.options.bounds);
}

/**
 * The last day a unit holds a status against any target: the day before it retired (its status history stays; from
 * the day it retired it has none). Null while it is active: after its span its last status holds on.
 */
export function statusEnd(model: FigureModel, unitCode: string): string | null {
  const retiredOn = model.tree.get(unitCode)?.retiredOn ?? null;
  if (retiredOn === null) return null;
  // A unit retired from the beginning (ALWAYS_RETIRED) or before the calendar's first day never held one.
  return addDays(retiredOn > model.options.bounds.from ? retiredOn : model.options.bounds.from, -1);
}

/**
 * The last day on which a unit's statuses for a target can change when its sums change on no day after `until`:
 * a day's forecast looks back over the trend's days before it, but only up to the deadline (after it the day's
 * own value decides, `evaluateTargetSeries`).
 */
export function statusReach(t: Target, until: string): string {
  return maxDate(until, minDate(addDays(until, TREND_LOOKBACK_DAYS - 1), t.deadline))!;
}

/** One unit's evaluations against one target for every day of [from, to] (clipped to its span, and to its `statusEnd`). */
export function evaluateTargetSeries(model: FigureModel, t: Target, unitCode: string, from?: string, to?: string): TargetEvaluation[] {
  const span = statusSpan(model, t, unitCode);
  const a = maxDate(span.from, from)!;
  const b = minDate(to !== undefined && to < span.to ? to : span.to, statusEnd(model, unitCode))!;
  if (b < a) return [];
  const cohorts = targetCohorts(t);
  const covered = (u: UnitNode) => expectedForTarget(t, u);
  const recent: Array<{ date: string; value: number; fresh: boolean }> = [];
  const out: TargetEvaluation[] = [];
  // The trend needs the values of the days before `a` as well.
  for (const date of dateRange(addDays(a, -(TREND_LOOKBACK_DAYS - 1)), b)) {
    const s = model.sums(unitCode, t.tree, cohorts, date, t.reportingWindowDays);
    let population: number | null = null;
    for (const c of cohorts) {
      const p = model.population(unitCode, c, date);
      if (p !== null) population = (population ?? 0) + p;
    }
    const { numerator, denominator } = metricParts(t.metric, s.counts, population);
    const value = s.contributors === 0 ? null : ratio(numerator, denominator);
    if (value !== null) recent.push({ date, value, fresh: s.reportedThatDay > 0 });
    const lookbackFrom = addDays(date, -(TREND_LOOKBACK_DAYS - 1));
    while (recent.length && recent[0].date < lookbackFrom) recent.shift();
    if (date < a) continue;
    // Points are the days on which something new was reported, so a flat carry-forward does not dilute the trend.
    const points = recent.filter((p) => p.fresh);
    // The forecast decides on_track against at_risk, so it is made up to the deadline only: after it the status
    // is met or breached whatever the trend, and the evaluation stops changing at the end of the status span
    // (a forecast would keep moving for as long as recent reports stay in the look-back).
    const forecast = value === null || value >= t.threshold || date > t.deadline ? null : forecastDate(points, t.threshold, date);
    const reporting = s.reporting > 0;
    out.push({
      targetId: t.targetId,
      orgUnitCode: unitCode,
      date,
      status: decideStatus({ value, threshold: t.threshold, deadline: t.deadline, date, reporting, forecastDate: forecast }),
      value,
      threshold: t.threshold,
      numerator: s.contributors === 0 ? null : numerator,
      denominator: s.contributors === 0 ? null : denominator,
      gap: s.contributors === 0 ? null : gapToThreshold(t.threshold, numerator, denominator),
      forecastDate: forecast,
      reporting,
      reportingUnits: s.reporting,
      expectedUnits: model.expectedUnits(unitCode, t.tree, date, covered),
    });
  }
  return out;
}
