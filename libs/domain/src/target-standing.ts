import { TARGET_STATUSES, type Cohort, type TargetStatus, type Tree } from '@app/contracts';
import { compareStrings } from './collections';
import { ratio } from './counts';
import { gapToThreshold, metricParts, type Target } from './target-status';

/**
 * How a unit (or a target as a whole) stands on a day, as officials read it: the status rates decided, except
 * that on the deadline day a unit still below the threshold is **due today** (docs/domain.md, "The deadline
 * day"): not yet breached, but short, named and counted. The day after, rates has it breached.
 */
export const STANDINGS = [...TARGET_STATUSES, 'due_today'] as const;
export type Standing = (typeof STANDINGS)[number];

/** Statuses of a unit below the threshold: it is short, whatever else is said of it. */
const SHORT: ReadonlySet<TargetStatus> = new Set<TargetStatus>(['on_track', 'at_risk', 'breached']);

/** Whether a unit with this status is short of the target (below the threshold, with a value). */
export function isShort(status: TargetStatus): boolean {
  return SHORT.has(status);
}

/** The standing shown for a status on a day: a short unit on the deadline day is due today. */
export function standingOf(t: Pick<Target, 'deadline'>, status: TargetStatus, date: string): Standing {
  return date === t.deadline && status !== 'breached' && isShort(status) ? 'due_today' : status;
}

/** The statuses a standing stands for (a filter by `due_today` is a filter by the short statuses on the deadline). */
export function statusesOfStanding(standing: Standing): TargetStatus[] {
  return standing === 'due_today' ? ['on_track', 'at_risk'] : [standing];
}

/** A figure row as far as a target's value needs it (one unit, one cohort, one tree, one day). */
export interface TargetFigure {
  readonly cohort: Cohort;
  readonly tree: Tree;
  readonly smartphoneHolders: number;
  readonly installed: number;
  readonly bluetoothOn: number;
  readonly headcount: number;
  readonly population: number | null;
}

export interface TargetMeasure {
  readonly value: number | null;
  readonly numerator: number;
  readonly denominator: number | null;
  /** People still to reach the threshold; null without a denominator. */
  readonly gap: number | null;
}

/**
 * A unit's value for a target from its figures of one day: the metric over the counts summed across the
 * target's cohorts on its tree (a ratio of sums, never an average of rates); populations summed where set.
 * The same rule as evaluateTargetSeries applies to its sums.
 */
export function measureTarget(
  t: Pick<Target, 'metric' | 'cohorts' | 'tree' | 'threshold'>,
  figures: readonly TargetFigure[],
): TargetMeasure {
  const mine = figures.filter((f) => f.tree === t.tree && t.cohorts.includes(f.cohort));
  if (mine.length === 0) return { value: null, numerator: 0, denominator: null, gap: null };
  const counts = { headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 };
  let population: number | null = null;
  for (const f of mine) {
    counts.headcount += f.headcount;
    counts.smartphoneHolders += f.smartphoneHolders;
    counts.installed += f.installed;
    counts.bluetoothOn += f.bluetoothOn;
    if (f.population !== null) population = (population ?? 0) + f.population;
  }
  const { numerator, denominator } = metricParts(t.metric, counts, population);
  return { value: ratio(numerator, denominator), numerator, denominator, gap: gapToThreshold(t.threshold, numerator, denominator) };
}

/** How many units hold one status (a group of the latest statuses of a day). */
export interface StatusGroup {
  readonly status: TargetStatus;
  readonly units: number;
}

/**
 * A target's units on a day, counted by the same rules as their statuses and the laggard list: every unit
 * with a status for the target (the units expected to report it and the units whose sums hold theirs).
 */
export interface TargetTally {
  /** Units with a status on the day. */
  readonly units: number;
  /** Below the threshold: on track, at risk, due today or breached (the laggard list's length). */
  readonly unitsShort: number;
  readonly unitsOnTrack: number;
  readonly unitsAtRisk: number;
  readonly unitsBreached: number;
  /** Not reporting: no value, or no report within the window before the deadline. */
  readonly unitsNoData: number;
  readonly unitsMet: number;
}

export function tallyStatuses(groups: Iterable<StatusGroup>): TargetTally {
  const n: Record<TargetStatus, number> = { met: 0, on_track: 0, at_risk: 0, breached: 0, no_data: 0 };
  for (const g of groups) n[g.status] += g.units;
  return {
    units: n.met + n.on_track + n.at_risk + n.breached + n.no_data,
    unitsShort: n.on_track + n.at_risk + n.breached,
    unitsOnTrack: n.on_track,
    unitsAtRisk: n.at_risk,
    unitsBreached: n.breached,
    unitsNoData: n.no_data,
    unitsMet: n.met,
  };
}

/** A row to rank: a unit's standing against a target. */
export interface RankedRow {
  readonly value: number | null;
  readonly threshold: number;
  readonly gap: number | null;
  readonly status: TargetStatus;
  readonly code: string;
  readonly targetId?: string;
}

const SEVERITY: Readonly<Record<TargetStatus, number>> = { breached: 0, at_risk: 1, on_track: 2, no_data: 3, met: 4 };

/** Worst status first (breached, at risk, on track, no data, met): for sorting by status. */
export function statusSeverity(status: TargetStatus): number {
  return SEVERITY[status];
}

/**
 * The one ranking rule (dashboard, daily report, CSV and XLSX): worst first by the distance to the threshold
 * (threshold − value, so targets of different thresholds compare), then by the people missing, then by
 * the status's severity, then by code and target. Units without a value come after every unit with one.
 */
export function compareWorstFirst(a: RankedRow, b: RankedRow): number {
  const da = a.value === null ? -Infinity : a.threshold - a.value;
  const db = b.value === null ? -Infinity : b.threshold - b.value;
  if (da !== db) return db - da > 0 ? 1 : -1;
  return (
    (b.gap ?? -1) - (a.gap ?? -1) ||
    SEVERITY[a.status] - SEVERITY[b.status] ||
    compareStrings(a.code, b.code) ||
    compareStrings(a.targetId ?? '', b.targetId ?? '')
  );
}

export function rankWorstFirst<T extends RankedRow>(rows: readonly T[]): T[] {
  return [...rows].sort(compareWorstFirst);
}
