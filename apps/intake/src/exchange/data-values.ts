import type { Cohort, ExchangeField } from '@app/contracts';
import type { FieldError } from '../common/field-errors';
import { EXCHANGE_MESSAGES, say, type Lang } from './exchange-messages';

/** One data value as read from an ADX file or a dataValueSets body, codes as the other system wrote them. */
export interface DataValue {
  /** Where it stands in the file: `group 2, dataValue 3 (line 14)`, `dataValues[5]`. */
  readonly at: string;
  readonly orgUnit: string;
  readonly period: string;
  readonly dataElement: string;
  /** dataValueSets: the category option combo ('' for the default); ADX: absent. */
  readonly categoryOptionCombo?: string;
  /** ADX: the dataValue's disaggregation attributes; dataValueSets: absent. */
  readonly disaggregation?: Readonly<Record<string, string>>;
  readonly value: unknown;
  /** A fault found while reading it (a missing attribute): it cannot be placed in a report. */
  readonly fault?: FieldError;
}

/** How the codes of the other system map to ours (the registry's mapping table, read from intake's replica). */
export interface ExchangeMapping {
  /** The cohort and count a data element carries, or null when it is not mapped. */
  element(v: DataValue): { cohort: Cohort; field: ExchangeField } | null;
  /** Our unit code for the other system's org unit (the code itself when it has no mapping). */
  unit(orgUnit: string): string;
}

export type PeriodFormat = 'adx' | 'dhis2';

/** The day a period names, or null: ADX `2020-08-25/P1D` (ISO 8601 start and duration), DHIS2 `20200825`. */
export function dayOf(period: string, format: PeriodFormat): string | null {
  const m = format === 'adx' ? /^(\d{4})-(\d{2})-(\d{2})\/P1D$/.exec(period) : /^(\d{4})(\d{2})(\d{2})$/.exec(period);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** A report item assembled from data values, with where it came from. */
export interface AssembledReport {
  readonly orgUnit: string;
  readonly period: string;
  /** The plain item handed to the batch (its fields checked there, exactly as a batch item's). */
  readonly item: Record<string, unknown>;
  /** Faults of the assembly itself (a count given twice): the item is rejected with them. */
  readonly errors: FieldError[];
}

export interface UnplacedValue {
  readonly at: string;
  readonly orgUnit: string;
  readonly period: string;
  readonly dataElement: string;
  readonly errors: FieldError[];
}

/** A value as the batch's validators see it: numeric text becomes a number; anything else stays as written. */
function countOf(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return value;
}

/**
 * Data values grouped into reports: one report per (our unit, cohort, day), each count from the data element
 * mapped to it. A value that names no mapped data element or no single day cannot be placed; a report missing
 * a count goes to the batch as it is and gets the batch's own error for it.
 */
export function assembleReports(
  values: Iterable<DataValue>,
  mapping: ExchangeMapping,
  format: PeriodFormat,
  lang: Lang,
): { reports: AssembledReport[]; unplaced: UnplacedValue[] } {
  const reports = new Map<string, { orgUnit: string; period: string; item: Record<string, unknown>; errors: FieldError[] }>();
  const unplaced: UnplacedValue[] = [];
  const example = format === 'adx' ? '2020-08-25/P1D' : '20200825';
  for (const v of values) {
    const errors: FieldError[] = [];
    if (v.fault) errors.push(v.fault);
    const target = v.fault ? null : mapping.element(v);
    if (!v.fault && !target) {
      const combo =
        v.categoryOptionCombo ??
        Object.entries(v.disaggregation ?? {})
          .map(([k, o]) => `${k}=${o}`)
          .join(', ');
      errors.push({ field: 'dataElement', message: say(EXCHANGE_MESSAGES.unmappedElement, lang, { element: v.dataElement, combo }) });
    }
    const asOf = v.fault ? null : dayOf(v.period, format);
    if (!v.fault && !asOf) errors.push({ field: 'period', message: say(EXCHANGE_MESSAGES.notDaily, lang, { period: v.period, example }) });
    if (errors.length || !target || !asOf) {
      unplaced.push({ at: v.at, orgUnit: v.orgUnit, period: v.period, dataElement: v.dataElement, errors });
      continue;
    }
    const orgUnitCode = mapping.unit(v.orgUnit);
    const key = `${orgUnitCode}\u0000${target.cohort}\u0000${asOf}`;
    let r = reports.get(key);
    if (!r) {
      r = { orgUnit: v.orgUnit, period: v.period, item: { orgUnitCode, cohort: target.cohort, asOf }, errors: [] };
      reports.set(key, r);
    }
    if (target.field in r.item) {
      if (!r.errors.some((e) => e.field === target.field))
        r.errors.push({ field: target.field, message: say(EXCHANGE_MESSAGES.duplicateValue, lang, { field: target.field }) });
    } else r.item[target.field] = countOf(v.value);
  }
  return { reports: [...reports.values()], unplaced };
}
