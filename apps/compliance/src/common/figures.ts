import type { Cohort, Tree } from '@app/contracts';
import { ratio } from '@app/domain';

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

/** The rates of a stored figure: the domain's ratios of its counts (libs/domain counts.ts). */
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
    installRate: ratio(c.installed, c.smartphoneHolders),
    bluetoothRate: ratio(c.bluetoothOn, c.smartphoneHolders),
    population: c.population,
    populationRate: ratio(c.installed, c.population),
    reportingUnits: c.reportingUnits,
    expectedUnits: c.expectedUnits,
  };
}

/** The domain's ratio (libs/domain counts.ts) as SQL, for ordering by a rate: null unless the denominator is above 0. */
export function sqlRatio(numerator: string, denominator: string): string {
  return `(${numerator}::float8 / CASE WHEN ${denominator} > 0 THEN ${denominator} END)`;
}

/**
 * The first day an ISO date names (0001-01-01): a query date minus a window can fall before it
 * ("0000-12-31"), which PostgreSQL refuses, so a window's start is taken no earlier than this.
 */
export function notBeforeFirstDay(date: string): string {
  return date < '0001-01-01' ? '0001-01-01' : date;
}
