import type { ActivityKind, Cohort, TargetStatus, Tree } from '@app/contracts';
import { ACTIVITY_COUNT_LABELS, ACTIVITY_LABELS, COHORT_LABELS, type Lang } from '@app/domain';
import type { Head } from '../common/contacts';
import type { Figure } from '../common/figures';
import type { TargetRow as Target } from '../common/read-model.service';
import { fmtInt } from '../presentation/format';
import { esc, headText, unitLink, vietnamTime } from './dashboard-html';
import {
  gapColumn,
  pp,
  R,
  since,
  sinceDateColumn,
  statusColumn,
  targetColumn,
  typeLabel,
  valueColumn,
  W,
  type TableSpec,
} from './dashboard-tables';
import { targetName } from './dashboard.words';

/** The tables of a unit's page (its figures, statuses, children, reports, activities, support points, series). */
export interface FigureRow extends Figure {
  installDelta: number | null;
  bluetoothDelta: number | null;
}

export const FIGURES_TABLE: TableSpec<FigureRow> = {
  id: 'figures',
  columns: [
    { header: (l) => R(l).cohort, kind: 'text', value: (r) => r.cohort, label: (r, l) => COHORT_LABELS[l][r.cohort] },
    { header: (l) => W(l).tree, kind: 'text', value: (r) => r.tree, label: (r, l) => W(l).trees[r.tree] },
    { header: (l) => W(l).headcount, kind: 'int', value: (r) => r.headcount },
    { header: (l) => W(l).holders, kind: 'int', value: (r) => r.smartphoneHolders },
    { header: (l) => W(l).installed, kind: 'int', value: (r) => r.installed },
    { header: (l) => W(l).bluetoothOn, kind: 'int', value: (r) => r.bluetoothOn },
    { header: (l) => W(l).installRate, kind: 'pct', value: (r) => r.installRate },
    {
      header: (l) => `${W(l).installRate}: ${W(l).sinceYesterday.toLowerCase()} (${W(l).pp})`,
      kind: 'pp',
      value: (r) => pp(r.installDelta),
    },
    { header: (l) => W(l).bluetoothRate, kind: 'pct', value: (r) => r.bluetoothRate },
    {
      header: (l) => `${W(l).bluetoothRate}: ${W(l).sinceYesterday.toLowerCase()} (${W(l).pp})`,
      kind: 'pp',
      value: (r) => pp(r.bluetoothDelta),
    },
    { header: (l) => W(l).populationRate, kind: 'pct', value: (r) => r.populationRate },
    {
      header: (l) => W(l).reporting,
      kind: 'text',
      value: (r) => `${r.reportingUnits}/${r.expectedUnits}`,
      html: (r, l) => `<span class="num">${esc(`${fmtInt(l, r.reportingUnits)}/${fmtInt(l, r.expectedUnits)}`)}</span>`,
    },
  ],
};

export interface UnitStatusView {
  target: Target;
  value: number | null;
  threshold: number;
  status: TargetStatus;
  gap: number | null;
  since: string | null;
  deadline: string;
  delta: number | null;
}

export const STATUSES_TABLE: TableSpec<UnitStatusView> = {
  id: 'statuses',
  columns: [
    targetColumn(),
    valueColumn(120),
    since((r) => r.delta),
    { header: (l) => R(l).threshold, kind: 'pct', value: (r) => r.threshold },
    statusColumn(),
    sinceDateColumn(),
    gapColumn(),
    { header: (l) => R(l).deadline, kind: 'date', value: (r) => r.deadline },
  ],
};

export interface ChildRow {
  rank: number;
  code: string;
  name: string;
  type: string;
  head: Head | null;
  target: Target | null;
  value: number | null;
  threshold: number | null;
  status: TargetStatus | null;
  gap: number | null;
  delta: number | null;
  reportingUnits: number | null;
  expectedUnits: number | null;
}

export const CHILDREN_TABLE = (tree: Tree): TableSpec<ChildRow> => ({
  id: `children-${tree}`,
  columns: [
    { header: (l) => R(l).rank, kind: 'int', value: (r) => r.rank },
    { header: (l) => R(l).unit, kind: 'text', value: (r) => r.name, html: (r, l, d) => unitLink(r.code, r.name, d, l) },
    { header: (l) => W(l).type, kind: 'text', value: (r) => r.type, label: (r, l) => typeLabel(l, r.type) },
    { header: (l) => R(l).head, kind: 'text', value: (r) => headText(r.head) },
    targetColumn(),
    valueColumn(80),
    since((r) => r.delta),
    gapColumn(),
    statusColumn(),
    {
      header: (l) => W(l).reporting,
      kind: 'text',
      value: (r) => (r.reportingUnits === null ? null : `${r.reportingUnits}/${r.expectedUnits ?? 0}`),
      html: (r, l) =>
        r.reportingUnits === null ? '—' : `<span class="num">${esc(`${fmtInt(l, r.reportingUnits)}/${fmtInt(l, r.expectedUnits)}`)}</span>`,
    },
  ],
});

export interface ReportRow {
  cohort: Cohort;
  asOf: string;
  revision: number;
  submittedAt: string;
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
}

export const REPORTS_TABLE: TableSpec<ReportRow> = {
  id: 'reports',
  columns: [
    { header: (l) => W(l).asOfDay, kind: 'date', value: (r) => r.asOf },
    { header: (l) => R(l).cohort, kind: 'text', value: (r) => r.cohort, label: (r, l) => COHORT_LABELS[l][r.cohort] },
    { header: (l) => W(l).headcount, kind: 'int', value: (r) => r.headcount },
    { header: (l) => W(l).holders, kind: 'int', value: (r) => r.smartphoneHolders },
    { header: (l) => W(l).installed, kind: 'int', value: (r) => r.installed },
    { header: (l) => W(l).bluetoothOn, kind: 'int', value: (r) => r.bluetoothOn },
    { header: (l) => W(l).revision, kind: 'int', value: (r) => r.revision },
    { header: (l) => W(l).submittedAt, kind: 'text', value: (r) => r.submittedAt, label: (r) => vietnamTime(r.submittedAt) },
  ],
};

export interface ActivityItem {
  date: string;
  code: string;
  name: string;
  kind: ActivityKind;
  counts: Record<string, number | boolean | string>;
}

function activityDetails(lang: Lang, a: ActivityItem): string {
  const words = ACTIVITY_COUNT_LABELS[lang];
  return Object.entries(a.counts)
    .filter(([k, v]) => typeof v === 'number' && words[k])
    .map(([k, v]) => `${fmtInt(lang, v as number)} ${words[k]}`)
    .join('; ');
}

export const ACTIVITIES_TABLE: TableSpec<ActivityItem> = {
  id: 'activities',
  columns: [
    { header: (l) => W(l).date, kind: 'date', value: (r) => r.date },
    { header: (l) => R(l).unit, kind: 'text', value: (r) => r.name, html: (r, l, d) => unitLink(r.code, r.name, d, l) },
    { header: (l) => W(l).kind, kind: 'text', value: (r) => r.kind, label: (r, l) => ACTIVITY_LABELS[l][r.kind] },
    { header: (l) => W(l).details, kind: 'text', value: (r) => JSON.stringify(r.counts), label: (r, l) => activityDetails(l, r) },
  ],
};

export interface SupportPointRow {
  pointId: string;
  operatorCode: string;
  operatorName: string;
  communeCode: string;
  communeName: string;
  address: string | null;
  openedOn: string | null;
  assistedToDate: number;
  installedToDate: number;
}

export const SUPPORT_POINTS_TABLE: TableSpec<SupportPointRow> = {
  id: 'support-points',
  columns: [
    { header: (l) => W(l).operator, kind: 'text', value: (r) => r.operatorName },
    {
      header: (l) => R(l).unit,
      kind: 'text',
      value: (r) => r.communeName,
      html: (r, l, d) => unitLink(r.communeCode, r.communeName, d, l),
    },
    { header: (l) => W(l).address, kind: 'text', value: (r) => r.address },
    { header: (l) => W(l).openedOn, kind: 'date', value: (r) => r.openedOn },
    { header: (l) => W(l).assistedToDate, kind: 'int', value: (r) => r.assistedToDate },
    { header: (l) => W(l).installedToDate, kind: 'int', value: (r) => r.installedToDate },
  ],
};

// --- several units day by day -----------------------------------------------------------------------

export interface SeriesRow {
  code: string;
  name: string;
  target: Target;
  date: string;
  value: number | null;
  threshold: number;
  numerator: number | null;
  denominator: number | null;
}

export const SERIES_TABLE: TableSpec<SeriesRow> = {
  id: 'series',
  columns: [
    { header: (l) => W(l).code, kind: 'text', value: (r) => r.code },
    { header: (l) => R(l).unit, kind: 'text', value: (r) => r.name },
    { header: (l) => R(l).target, kind: 'text', value: (r) => r.target.targetId, label: (r, l) => targetName(r.target, l) },
    { header: (l) => W(l).date, kind: 'date', value: (r) => r.date },
    { header: (l) => R(l).value, kind: 'pct', value: (r) => r.value },
    { header: (l) => R(l).threshold, kind: 'pct', value: (r) => r.threshold },
    { header: (l) => W(l).numerator, kind: 'int', value: (r) => r.numerator },
    { header: (l) => W(l).denominator, kind: 'int', value: (r) => r.denominator },
  ],
};
