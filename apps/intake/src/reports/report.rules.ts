import { COHORTS, COHORTS_BY_UNIT_TYPE, isCalendarDate, MAX_COUNT, UNIT_CODE_PATTERN, type Cohort, type UnitType } from '@app/contracts';
import type { CountRule } from '../common/count.rules';
import type { FieldError } from '../common/field-errors';

/** docs/domain.md: 0 ≤ bluetoothOn ≤ installed ≤ smartphoneHolders ≤ headcount; each broken link is named by its lower field. */
export const REPORT_COUNT_RULES: readonly CountRule[] = [
  { field: 'bluetoothOn', parts: ['bluetoothOn'], limit: 'installed' },
  { field: 'installed', parts: ['installed'], limit: 'smartphoneHolders' },
  { field: 'smartphoneHolders', parts: ['smartphoneHolders'], limit: 'headcount' },
];

/** A unit reports only the cohorts its type manages (COHORTS_BY_UNIT_TYPE, shared with registry and rates). */
export function cohortErrors(unitType: string, cohort: Cohort): FieldError[] {
  const allowed = COHORTS_BY_UNIT_TYPE[unitType as UnitType];
  if (!allowed) return [{ field: 'cohort', message: `cohort: units of type ${unitType} report no cohort` }];
  if (!allowed.includes(cohort)) {
    return [{ field: 'cohort', message: `cohort: a ${unitType} reports ${allowed.join(', ')}, not ${cohort}` }];
  }
  return [];
}

export interface ReportCounts {
  readonly headcount: number;
  readonly smartphoneHolders: number;
  readonly installed: number;
  readonly bluetoothOn: number;
}

/** The same report again (a retry, a re-upload) is not a correction: it changes nothing. */
export function sameCounts(a: ReportCounts, b: ReportCounts): boolean {
  return (
    a.headcount === b.headcount &&
    a.smartphoneHolders === b.smartphoneHolders &&
    a.installed === b.installed &&
    a.bluetoothOn === b.bluetoothOn
  );
}

const REPORT_KEYS = new Set(['orgUnitCode', 'cohort', 'asOf', 'headcount', 'smartphoneHolders', 'installed', 'bluetoothOn']);
const COHORT_SET: ReadonlySet<string> = new Set(COHORTS);
const isCountValue = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;

/**
 * The batch hot path: true only when the item passes every rule of CreateReportDto (the same rules, written
 * out by hand because class-validator costs ~0.1–0.4 ms per object). Anything it does not accept goes
 * through CreateReportDto for the exact field errors; the unit tests check that both always agree.
 */
export function isPlainValidReport(item: unknown): item is ReportCounts & { orgUnitCode: string; cohort: Cohort; asOf: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const o = item as Record<string, unknown>;
  let n = 0;
  for (const k in o) {
    if (!REPORT_KEYS.has(k)) return false;
    n++;
  }
  return (
    n === REPORT_KEYS.size &&
    typeof o.orgUnitCode === 'string' &&
    UNIT_CODE_PATTERN.test(o.orgUnitCode) &&
    typeof o.cohort === 'string' &&
    COHORT_SET.has(o.cohort) &&
    isCalendarDate(o.asOf) &&
    isCountValue(o.headcount) &&
    isCountValue(o.smartphoneHolders) &&
    isCountValue(o.installed) &&
    isCountValue(o.bluetoothOn) &&
    o.bluetoothOn <= o.installed &&
    o.installed <= o.smartphoneHolders &&
    o.smartphoneHolders <= o.headcount
  );
}
