import type { Cohort, Metric, TargetStatus, Tree } from '@app/contracts';

/** A figure as the API shows it: counts as the rates service computed them, rates as fractions. */
export interface Figure {
  orgUnitCode: string;
  cohort: Cohort;
  tree: Tree;
  date: string;
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
  installRate: number | null;
  bluetoothRate: number | null;
  population: number | null;
  populationRate: number | null;
  reportingUnits: number;
  expectedUnits: number;
}

export interface FigureCounts {
  orgUnitCode: string;
  cohort: Cohort;
  tree: Tree;
  date: string;
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
  population: number | null;
  reportingUnits: number;
  expectedUnits: number;
}

export interface Target {
  targetId: string;
  name: string;
  metric: Metric;
  cohorts: Cohort[];
  tree: Tree;
  scopeUnitTypes: string[];
  scopeLevels: number[];
  threshold: number;
  deadline: string;
  campaignStart: string | null;
  reportingWindowDays: number;
}

/** A ratio of counts; null when there is nothing to divide by (shown, never counted as zero). */
export function rate(numerator: number, denominator: number | null | undefined): number | null {
  return denominator ? numerator / denominator : null;
}

export function toFigure(c: FigureCounts): Figure {
  return {
    orgUnitCode: c.orgUnitCode,
    cohort: c.cohort,
    tree: c.tree,
    date: c.date,
    headcount: c.headcount,
    smartphoneHolders: c.smartphoneHolders,
    installed: c.installed,
    bluetoothOn: c.bluetoothOn,
    installRate: rate(c.installed, c.smartphoneHolders),
    bluetoothRate: rate(c.bluetoothOn, c.smartphoneHolders),
    population: c.population,
    populationRate: rate(c.installed, c.population),
    reportingUnits: c.reportingUnits,
    expectedUnits: c.expectedUnits,
  };
}

export interface Measure {
  value: number | null;
  numerator: number;
  denominator: number | null;
  /** People still to install (or to switch Bluetooth on) to reach the threshold; null without a denominator. */
  gap: number | null;
}

/**
 * A unit's value for a target: a ratio of counts summed over the target's cohorts on its tree, never an
 * average of rates. Resident rate divides by the registry's population; without one there is no value.
 */
export function measure(target: Pick<Target, 'metric' | 'cohorts' | 'tree' | 'threshold'>, figures: readonly FigureCounts[]): Measure {
  const mine = figures.filter((f) => f.tree === target.tree && target.cohorts.includes(f.cohort));
  if (mine.length === 0) return { value: null, numerator: 0, denominator: null, gap: null };
  let numerator = 0;
  let denominator: number | null = 0;
  for (const f of mine) {
    numerator += target.metric === 'bluetooth_rate' ? f.bluetoothOn : f.installed;
    if (target.metric === 'resident_rate') denominator = f.population === null || denominator === null ? null : denominator + f.population;
    else denominator = (denominator ?? 0) + f.smartphoneHolders;
  }
  const value = rate(numerator, denominator);
  return { value, numerator, denominator, gap: gapOf(target.threshold, numerator, denominator) };
}

/** ceil(threshold × denominator) − numerator, at least 0; the epsilon keeps 0.3 × 10 from becoming 4. */
export function gapOf(threshold: number, numerator: number, denominator: number | null): number | null {
  if (denominator === null || denominator === 0) return null;
  return Math.max(0, Math.ceil(threshold * denominator - 1e-9) - numerator);
}

/**
 * The status when the rates service has not published one for the unit: met, breached after the
 * deadline, no_data without a value, otherwise at_risk (the trend is the rates service's to judge).
 */
export function fallbackStatus(target: Pick<Target, 'threshold' | 'deadline'>, value: number | null, date: string): TargetStatus {
  if (value === null) return 'no_data';
  if (value >= target.threshold) return 'met';
  return date > target.deadline ? 'breached' : 'at_risk';
}

export const STATUS_SEVERITY: Readonly<Record<TargetStatus, number>> = { breached: 0, at_risk: 1, on_track: 2, no_data: 3, met: 4 };

/**
 * The first day an ISO date names (0001-01-01): a query date minus a window can fall before it
 * ("0000-12-31"), which PostgreSQL refuses, so a window's start is taken no earlier than this.
 */
export function notBeforeFirstDay(date: string): string {
  return date < '0001-01-01' ? '0001-01-01' : date;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
