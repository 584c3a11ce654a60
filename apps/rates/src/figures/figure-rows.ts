import type { Cohort, TargetStatus, Tree } from '@app/contracts';
import type { Figure, TargetEvaluation } from '@app/domain';

/** Column lists and row mappers of rates_figures and rates_target_statuses. */
export const FIGURE_COLUMNS = `org_unit_code, cohort, tree, date::text AS date, headcount, smartphone_holders, installed, bluetooth_on,
  install_rate, bluetooth_rate, population, population_rate, reporting_units, expected_units`;

export interface FigureRow {
  org_unit_code: string;
  cohort: Cohort;
  tree: Tree;
  date: string;
  headcount: number;
  smartphone_holders: number;
  installed: number;
  bluetooth_on: number;
  install_rate: number | null;
  bluetooth_rate: number | null;
  population: number | null;
  population_rate: number | null;
  reporting_units: number;
  expected_units: number;
}

export function figureOfRow(r: FigureRow): Figure {
  return {
    orgUnitCode: r.org_unit_code,
    cohort: r.cohort,
    tree: r.tree,
    date: r.date,
    headcount: r.headcount,
    smartphoneHolders: r.smartphone_holders,
    installed: r.installed,
    bluetoothOn: r.bluetooth_on,
    installRate: r.install_rate,
    bluetoothRate: r.bluetooth_rate,
    population: r.population,
    populationRate: r.population_rate,
    reportingUnits: r.reporting_units,
    expectedUnits: r.expected_units,
  };
}

export function sameFigure(a: Figure, b: Figure): boolean {
  return (
    a.tree === b.tree &&
    a.headcount === b.headcount &&
    a.smartphoneHolders === b.smartphoneHolders &&
    a.installed === b.installed &&
    a.bluetoothOn === b.bluetoothOn &&
    a.installRate === b.installRate &&
    a.bluetoothRate === b.bluetoothRate &&
    a.population === b.population &&
    a.populationRate === b.populationRate &&
    a.reportingUnits === b.reportingUnits &&
    a.expectedUnits === b.expectedUnits
  );
}

export const STATUS_COLUMNS = `target_id, org_unit_code, date::text AS date, status, value, threshold, numerator, denominator, gap,
  forecast_date::text AS forecast_date, reporting, reporting_units, expected_units`;

export interface StatusRow {
  target_id: string;
  org_unit_code: string;
  date: string;
  status: TargetStatus;
  value: number | null;
  threshold: number;
  numerator: number | null;
  denominator: number | null;
  gap: number | null;
  forecast_date: string | null;
  reporting: boolean;
  reporting_units: number;
  expected_units: number;
}

export function evaluationOfRow(r: StatusRow): TargetEvaluation {
  return {
    targetId: r.target_id,
    orgUnitCode: r.org_unit_code,
    date: r.date,
    status: r.status,
    value: r.value,
    threshold: r.threshold,
    numerator: r.numerator,
    denominator: r.denominator,
    gap: r.gap,
    forecastDate: r.forecast_date,
    reporting: r.reporting,
    reportingUnits: r.reporting_units,
    expectedUnits: r.expected_units,
  };
}

export function sameEvaluation(a: TargetEvaluation, b: TargetEvaluation): boolean {
  return (
    a.status === b.status &&
    a.value === b.value &&
    a.threshold === b.threshold &&
    a.numerator === b.numerator &&
    a.denominator === b.denominator &&
    a.gap === b.gap &&
    a.forecastDate === b.forecastDate &&
    a.reporting === b.reporting &&
    a.reportingUnits === b.reportingUnits &&
    a.expectedUnits === b.expectedUnits
  );
}
