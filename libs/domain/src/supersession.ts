import type { Cohort, ReportAcceptedV1Data, RosterImportedV1Data } from '@app/contracts';
import type { AdoptionCounts } from './counts';

/** One unit's own report for one cohort (an intake report, or a roster import for enterprise_workers). */
export interface ReportInput extends AdoptionCounts {
  readonly unitCode: string;
  readonly cohort: Cohort;
  readonly asOf: string;
  readonly revision: number;
  /** Breaks the tie between two different reports with the same (asOf, revision), so no order of arrival can matter. */
  readonly reportId: string;
}

/** The report an intake report event stands for. */
export function reportOfAccepted(d: ReportAcceptedV1Data): ReportInput {
  return {
    unitCode: d.orgUnitCode,
    cohort: d.cohort,
    asOf: d.asOf,
    revision: d.revision,
    reportId: d.reportId,
    headcount: d.headcount,
    smartphoneHolders: d.smartphoneHolders,
    installed: d.installed,
    bluetoothOn: d.bluetoothOn,
  };
}

/** A roster import is the enterprise's enterprise_workers report as of its date (docs/domain.md). */
export function reportOfRoster(d: RosterImportedV1Data): ReportInput {
  return {
    unitCode: d.enterpriseCode,
    cohort: 'enterprise_workers',
    asOf: d.asOf,
    revision: d.revision,
    reportId: d.importId,
    headcount: d.headcount,
    smartphoneHolders: d.smartphoneHolders,
    installed: d.installed,
    bluetoothOn: d.bluetoothOn,
  };
}

/** Identity of a report version: the same report delivered twice has the same key and counts once. */
export function reportKey(r: Pick<ReportInput, 'unitCode' | 'cohort' | 'asOf' | 'revision'>): string {
  return `${r.unitCode}|${r.cohort}|${r.asOf}|${r.revision}`;
}

/** Orders reports of one unit and cohort from oldest to newest: later asOf, then later revision, then reportId. */
export function compareReports(a: ReportInput, b: ReportInput): number {
  if (a.asOf !== b.asOf) return a.asOf < b.asOf ? -1 : 1;
  if (a.revision !== b.revision) return a.revision - b.revision;
  return compareTuple(reportTieKey(a), reportTieKey(b));
}

/** Whether `a` supersedes `b` (a later asOf, or the same asOf and a later revision). */
export function supersedes(a: ReportInput, b: ReportInput): boolean {
  return compareReports(a, b) > 0;
}

/**
 * Keeps one report per (unit, cohort, asOf, revision): a duplicate delivery counts once, and of two
 * different reports under the same key the one with the greater reportId stays, whatever the order.
 */
export function mergeReport(existing: ReportInput | undefined, incoming: ReportInput): ReportInput {
  if (!existing) return incoming;
  return compareTuple(reportTieKey(incoming), reportTieKey(existing)) > 0 ? incoming : existing;
}

/** The tie order of two reports under one key: reportId, then the counts (the rates tables use the same row order). */
export function reportTieKey(r: ReportInput): Array<string | number> {
  return [r.reportId, r.headcount, r.smartphoneHolders, r.installed, r.bluetoothOn];
}

export function compareTuple(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

export function dedupeReports(reports: Iterable<ReportInput>): ReportInput[] {
  const byKey = new Map<string, ReportInput>();
  for (const r of reports) byKey.set(reportKey(r), mergeReport(byKey.get(reportKey(r)), r));
  return [...byKey.values()];
}

/** The latest report of those given (one unit and cohort), or null. */
export function latestReport(reports: Iterable<ReportInput>): ReportInput | null {
  let best: ReportInput | null = null;
  for (const r of reports) if (!best || supersedes(r, best)) best = r;
  return best;
}

/** The unit's figure on `date`: its latest report with asOf on or before that day (later reports do not exist yet). */
export function figureAsOf(reports: Iterable<ReportInput>, date: string): ReportInput | null {
  let best: ReportInput | null = null;
  for (const r of reports) if (r.asOf <= date && (!best || supersedes(r, best))) best = r;
  return best;
}

/**
 * Reports of one unit and cohort sorted oldest first, for repeated as-of look-ups: the answer for a
 * date is the last report whose asOf is on or before it (binary search).
 */
export class ReportHistory {
  private readonly sorted: ReportInput[];

  constructor(reports: Iterable<ReportInput>) {
    this.sorted = [...reports].sort(compareReports);
  }

  get first(): ReportInput | null {
    return this.sorted[0] ?? null;
  }

  get last(): ReportInput | null {
    return this.sorted[this.sorted.length - 1] ?? null;
  }

  asOf(date: string): ReportInput | null {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].asOf <= date) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? null : this.sorted[found];
  }
}
