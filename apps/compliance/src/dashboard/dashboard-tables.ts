import type { TargetStatus, UnitType } from '@app/contracts';
import { STANDING_LABELS, UNIT_TYPE_LABELS, type Lang, type Standing as StandingCode } from '@app/domain';
import type { Head } from '../common/contacts';
import type { SortValue } from '../common/listing';
import { fmtDate, fmtInt } from '../presentation/format';
import { REPORT_WORDS } from '../presentation/report-words';
import { badge, bar, esc, headText, intCell, pctCell, pointsCell, table, unitLink } from './dashboard-html';
import type { TargetRow as Target } from '../common/read-model.service';
import { DASHBOARD_WORDS, targetName } from './dashboard.words';

/**
 * Every table of the dashboard, defined once (the province overview here, a unit page's in dashboard-unit-tables.ts): the page renders it and the CSV and XLSX exports write
 * it, so a download holds exactly the columns and rows the official saw (numbers as numbers, headers
 * in the chosen language).
 */
export type CellKind = 'text' | 'int' | 'pct' | 'pp' | 'date' | 'status';

export interface Column<T> {
  header: (lang: Lang) => string;
  kind: CellKind;
  /** The value as data: a fraction for `pct`, percentage points for `pp`, an ISO date for `date`, a status code for `status`. */
  value: (row: T) => SortValue;
  /** The value in words of a language (a cohort, a unit type): what the page shows and what an export in that language holds. */
  label?: (row: T, lang: Lang) => string;
  /** How the page shows it, when not simply formatted from the value (a link, a bar). */
  html?: (row: T, lang: Lang, date: string) => string;
}

export interface TableSpec<T> {
  id: string;
  columns: ReadonlyArray<Column<T>>;
}

/** Communes without a support point named per district on the page before "and n more" (the export names them all). */
const UNCOVERED_NAMED = 8;

const NUMERIC: ReadonlySet<CellKind> = new Set(['int', 'pct', 'pp']);

function cellHtml<T>(c: Column<T>, row: T, lang: Lang, date: string): string {
  if (c.html) return c.html(row, lang, date);
  if (c.label) return esc(c.label(row, lang));
  const v = c.value(row);
  switch (c.kind) {
    case 'int':
      return intCell(lang, typeof v === 'number' ? v : null);
    case 'pct':
      return pctCell(lang, typeof v === 'number' ? v : null);
    case 'pp':
      return pointsCell(lang, typeof v === 'number' ? v / 100 : null);
    case 'date':
      return esc(typeof v === 'string' ? fmtDate(v) : '—');
    case 'status':
      return badge(lang, (v as StandingCode | null) ?? null);
    case 'text':
      return v === null || v === undefined || v === '' ? '—' : esc(String(v));
  }
}

export function renderTable<T>(spec: TableSpec<T>, rows: readonly T[], lang: Lang, date: string): string {
  const numeric = spec.columns.flatMap((c, i) => (NUMERIC.has(c.kind) ? [i] : []));
  const wide = spec.columns.flatMap((c, i) => (c.kind === 'text' ? [i] : []));
  return table(
    spec.columns.map((c) => c.header(lang)),
    rows.map((r) => spec.columns.map((c) => cellHtml(c, r, lang, date))),
    numeric,
    { id: `t-${spec.id}`, wide },
  );
}

/** A status in an export: its words when a language is asked for, else the code (for programs). */
export function exportValue<T>(c: Column<T>, row: T, lang: Lang | undefined): SortValue {
  if (c.label && lang) return c.label(row, lang);
  const v = c.value(row);
  if (c.kind === 'status' && lang && typeof v === 'string') return STANDING_LABELS[lang][v as StandingCode] ?? v;
  return v;
}

/** A change between two fractions in percentage points (1.25 for +1.25 pp), or null. */
export const pp = (d: number | null | undefined): number | null => (d === null || d === undefined ? null : Math.round(d * 1e6) / 1e4);

export const W = (lang: Lang) => DASHBOARD_WORDS[lang];
export const R = (lang: Lang) => REPORT_WORDS[lang];
export const typeLabel = (lang: Lang, t: string) => UNIT_TYPE_LABELS[lang][t as UnitType] ?? t;
export const since = <T>(value: (r: T) => number | null): Column<T> => ({
  header: (l) => `${W(l).sinceYesterday} (${W(l).pp})`,
  kind: 'pp',
  value: (r) => pp(value(r)),
});

/** Columns several tables share: the target, the value as a bar against its threshold, people missing, status, since when. */
type Standing = { value: number | null; threshold: number | null; status: StandingCode | null; gap: number | null };
export const targetColumn = <T extends { target: Target | null }>(): Column<T> => ({
  header: (l) => R(l).target,
  kind: 'text',
  value: (r) => r.target?.targetId,
  label: (r, l) => (r.target ? targetName(r.target, l) : '—'),
});
export const valueColumn = <T extends Standing>(width: number): Column<T> => ({
  header: (l) => R(l).value,
  kind: 'pct',
  value: (r) => r.value,
  html: (r, l) => bar(l, r.value, r.threshold, r.status, width),
});
export const gapColumn = <T extends Standing>(): Column<T> => ({ header: (l) => R(l).gap, kind: 'int', value: (r) => r.gap });
export const statusColumn = <T extends Standing>(): Column<T> => ({ header: (l) => R(l).status, kind: 'status', value: (r) => r.status });
export const sinceDateColumn = <T extends { since: string | null }>(): Column<T> => ({
  header: (l) => W(l).since,
  kind: 'date',
  value: (r) => r.since,
});

// --- the overview -----------------------------------------------------------------------------------

export interface TargetRow {
  targetId: string;
  target: Target;
  value: number | null;
  threshold: number;
  status: TargetStatus;
  /** What officials read: the status, or due today on the deadline while the province is short. */
  standing: StandingCode;
  peopleShort: number | null;
  unitsShort: number;
  unitsNoData: number;
  unitsBreached: number;
  deadline: string;
  delta: number | null;
}

export const TARGETS_TABLE: TableSpec<TargetRow> = {
  id: 'targets',
  columns: [
    { header: (l) => R(l).target, kind: 'text', value: (r) => r.targetId, label: (r, l) => targetName(r.target, l) },
    { header: (l) => R(l).value, kind: 'pct', value: (r) => r.value },
    since((r) => r.delta),
    { header: (l) => R(l).threshold, kind: 'pct', value: (r) => r.threshold },
    { header: (l) => R(l).status, kind: 'status', value: (r) => r.standing },
    { header: (l) => R(l).peopleShort, kind: 'int', value: (r) => r.peopleShort },
    { header: (l) => R(l).breachedUnits, kind: 'int', value: (r) => r.unitsShort },
    { header: (l) => W(l).unitsNoData, kind: 'int', value: (r) => r.unitsNoData },
    { header: (l) => R(l).deadline, kind: 'date', value: (r) => r.deadline },
  ],
};

export interface StandingCell {
  value: number | null;
  threshold: number;
  status: TargetStatus;
  gap: number | null;
  delta: number | null;
}

export interface DistrictRow {
  rank: number;
  code: string;
  name: string;
  head: Head | null;
  installed: number | null;
  population: number | null;
  resident: StandingCell | null;
  members: StandingCell | null;
}

const standingBar = (lang: Lang, s: StandingCell | null) => (s ? bar(lang, s.value, s.threshold, s.status, 80) : '—');

export const DISTRICTS_TABLE: TableSpec<DistrictRow> = {
  id: 'districts',
  columns: [
    { header: (l) => R(l).rank, kind: 'int', value: (r) => r.rank },
    { header: (l) => R(l).district, kind: 'text', value: (r) => r.name, html: (r, l, d) => unitLink(r.code, r.name, d, l) },
    { header: (l) => R(l).head, kind: 'text', value: (r) => headText(r.head) },
    { header: (l) => W(l).residentRate, kind: 'pct', value: (r) => r.resident?.value, html: (r, l) => standingBar(l, r.resident) },
    since((r) => r.resident?.delta ?? null),
    { header: (l) => R(l).installed, kind: 'int', value: (r) => r.installed },
    { header: (l) => R(l).population, kind: 'int', value: (r) => r.population },
    { header: (l) => R(l).gap, kind: 'int', value: (r) => r.resident?.gap },
    { header: (l) => R(l).status, kind: 'status', value: (r) => r.resident?.status },
    { header: (l) => W(l).membersBluetooth, kind: 'pct', value: (r) => r.members?.value, html: (r, l) => standingBar(l, r.members) },
    since((r) => r.members?.delta ?? null),
  ],
};

export interface LaggardRow {
  target: Target;
  orgUnitCode: string;
  name: string;
  head: Head | null;
  accountableTo: { code: string; name: string } | null;
  value: number | null;
  threshold: number;
  gap: number | null;
  status: StandingCode;
  since: string | null;
  delta: number | null;
}

export const LAGGARDS_TABLE: TableSpec<LaggardRow> = {
  id: 'laggards',
  columns: [
    { header: (l) => R(l).unit, kind: 'text', value: (r) => r.name, html: (r, l, d) => unitLink(r.orgUnitCode, r.name, d, l) },
    { header: (l) => R(l).head, kind: 'text', value: (r) => headText(r.head) },
    {
      header: (l) => R(l).accountableTo,
      kind: 'text',
      value: (r) => r.accountableTo?.name,
      html: (r, l, d) => (r.accountableTo ? unitLink(r.accountableTo.code, r.accountableTo.name, d, l) : '—'),
    },
    targetColumn(),
    valueColumn(80),
    since((r) => r.delta),
    gapColumn(),
    statusColumn(),
    sinceDateColumn(),
  ],
};

/** One target's laggards on the page: the heading names the target, so its rows do not repeat it (the export keeps it). */
export const TARGET_LAGGARDS_TABLE: TableSpec<LaggardRow> = {
  id: 'laggards',
  columns: LAGGARDS_TABLE.columns.filter((c) => c.header('en') !== R('en').target),
};

export interface CoverageTableRow {
  code: string;
  name: string;
  coverage: number | null;
  communes: number | null;
  communesWithPoint: number;
  points: number;
  assistedOnDate: number;
  installedOnDate: number;
  /** The communes of the district without a support point, by name. */
  uncovered: string[];
  delta: number | null;
}

export const COVERAGE_TABLE: TableSpec<CoverageTableRow> = {
  id: 'coverage',
  columns: [
    { header: (l) => W(l).districtColumn, kind: 'text', value: (r) => r.name, html: (r, l, d) => unitLink(r.code, r.name, d, l) },
    {
      header: (l) => W(l).coverageRate,
      kind: 'pct',
      value: (r) => r.coverage,
      html: (r, l) =>
        bar(l, r.coverage, null, r.coverage === null ? null : r.coverage >= 1 ? 'met' : r.coverage > 0 ? 'at_risk' : 'breached', 100),
    },
    since((r) => r.delta),
    { header: (l) => W(l).communesTotal, kind: 'int', value: (r) => r.communes },
    { header: (l) => R(l).communes, kind: 'int', value: (r) => r.communesWithPoint },
    { header: (l) => R(l).points, kind: 'int', value: (r) => r.points },
    { header: (l) => R(l).assisted, kind: 'int', value: (r) => r.assistedOnDate },
    { header: (l) => R(l).installed, kind: 'int', value: (r) => r.installedOnDate },
    {
      header: (l) => W(l).communesWithout,
      kind: 'text',
      value: (r) => r.uncovered.join(', '),
      html: (r, l) =>
        esc(
          r.uncovered.slice(0, UNCOVERED_NAMED).join(', ') +
            (r.uncovered.length > UNCOVERED_NAMED ? ` ${W(l).andMore(fmtInt(l, r.uncovered.length - UNCOVERED_NAMED))}` : ''),
        ) || '—',
    },
  ],
};

export interface BroadcastRow {
  code: string;
  name: string;
  districtCode: string | null;
  districtName: string | null;
  sessions: number | null;
  withStart: number | null;
  withEnd: number | null;
}

export const BROADCASTS_TABLE: TableSpec<BroadcastRow> = {
  id: 'broadcasts',
  columns: [
    { header: (l) => R(l).unit, kind: 'text', value: (r) => r.name, html: (r, l, d) => unitLink(r.code, r.name, d, l) },
    {
      header: (l) => W(l).districtColumn,
      kind: 'text',
      value: (r) => r.districtName,
      html: (r, l, d) => (r.districtCode ? unitLink(r.districtCode, r.districtName ?? r.districtCode, d, l) : '—'),
    },
    { header: (l) => W(l).sessions, kind: 'int', value: (r) => r.sessions },
    { header: (l) => W(l).withStart, kind: 'int', value: (r) => r.withStart },
    { header: (l) => W(l).withEnd, kind: 'int', value: (r) => r.withEnd },
  ],
};

// --- a unit's page ----------------------------------------------------------------------------------
