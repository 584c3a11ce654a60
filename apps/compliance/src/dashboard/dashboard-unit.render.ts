import type { UnitType } from '@app/contracts';
import { UNIT_TYPE_LABELS, type Lang } from '@app/domain';
import { fmtInt } from '../presentation/format';
import { REPORT_WORDS } from '../presentation/report-words';
import { esc, exportLinks, freshnessLine, headerTools, headText, page, query, unitLink } from './dashboard-html';
import { renderTable } from './dashboard-tables';
import {
  ACTIVITIES_TABLE,
  CHILDREN_TABLE,
  FIGURES_TABLE,
  REPORTS_TABLE,
  STATUSES_TABLE,
  SUPPORT_POINTS_TABLE,
} from './dashboard-unit-tables';
import { trendCharts } from './dashboard-trend';
import { DASHBOARD_WORDS, targetName } from './dashboard.words';
import type { UnitView } from './dashboard.views';

export const unitPath = (code: string) => `/dashboard/units/${encodeURIComponent(code)}`;

/** A unit's page: printable (print CSS hides the tools and keeps charts and table rows whole). */
export function renderUnit(v: UnitView, lang: Lang, nonce: string): string {
  const w = DASHBOARD_WORDS[lang];
  const r = REPORT_WORDS[lang];
  const path = unitPath(v.code);
  const links = (id: string) => exportLinks(lang, id, { date: v.date, unit: v.code });
  const crumbs = v.crumbs.length
    ? `<nav class="crumbs" aria-label="${esc(w.adminParent)}"><a href="/${esc(query({ date: v.date, lang }))}">${esc(w.backHome)}</a> › ${v.crumbs
        .map((c) => unitLink(c.code, c.name, v.date, lang))
        .join(' › ')} › <strong>${esc(v.name)}</strong></nav>`
    : `<nav class="crumbs"><a href="/${esc(query({ date: v.date, lang }))}">${esc(w.backHome)}</a></nav>`;
  const facts = `<div class="card"><dl>
<dt>${esc(w.type)}</dt><dd>${esc(UNIT_TYPE_LABELS[lang][v.type as UnitType] ?? v.type)}</dd>
<dt>${esc(w.headOfUnit)}</dt><dd>${esc(headText(v.head))}</dd>
${v.adminParent ? `<dt>${esc(w.adminParent)}</dt><dd>${unitLink(v.adminParent.code, v.adminParent.name, v.date, lang)}</dd>` : ''}
${v.accountableTo ? `<dt>${esc(w.accountableTo)}</dt><dd>${unitLink(v.accountableTo.code, v.accountableTo.name, v.date, lang)}</dd>` : ''}
</dl></div>`;
  const section = (id: string, title: string, content: string) => `<section id="${id}"><h2>${esc(title)}</h2>${content}</section>`;
  const tableOr = <T>(rows: readonly T[], html: () => string, empty: string) => (rows.length ? html() : `<p>${esc(empty)}</p>`);
  const children = v.children.length
    ? v.children
        .map(
          (c) =>
            `<h3>${esc(c.tree === 'administrative' ? w.childrenAdmin : w.childrenAccountable)}</h3>${c.rows[0]?.target ? `<p class="muted">${esc(`${r.target}: ${targetName(c.rows[0].target, lang)}`)}</p>` : ''}${renderTable(CHILDREN_TABLE(c.tree), c.rows, lang, v.date)}\n${links(`children-${c.tree}`)}`,
        )
        .join('\n')
    : `<p>${esc(w.noChildren)}</p>`;
  const body = `${crumbs}
${freshnessLine(lang, v)}
${section('unit', w.unitFacts, facts)}
${section(
  'statuses',
  w.statuses,
  tableOr(v.statuses, () => `${renderTable(STATUSES_TABLE, v.statuses, lang, v.date)}\n${links('statuses')}`, r.noData),
)}
${section('trends', w.trends, trendCharts(lang, v.trends, v.date, 'trend-unit'))}
${section(
  'figures',
  w.figures,
  tableOr(v.figures, () => `${renderTable(FIGURES_TABLE, v.figures, lang, v.date)}\n${links('figures')}`, r.noData),
)}
${section('children', w.childrenTitle, children)}
${section(
  'reports',
  w.reports,
  tableOr(v.reports, () => `${renderTable(REPORTS_TABLE, v.reports, lang, v.date)}\n${links('reports')}`, w.reportsNone),
)}
${section(
  'activities',
  w.activities,
  tableOr(
    v.activities.rows,
    () =>
      `${renderTable(ACTIVITIES_TABLE, v.activities.rows, lang, v.date)}${v.activities.total > v.activities.rows.length ? `<p class="muted">${esc(w.activitiesShown(fmtInt(lang, v.activities.rows.length), fmtInt(lang, v.activities.total)))}</p>` : ''}\n${links('activities')}`,
    w.activitiesNone,
  ),
)}
${section(
  'support-points',
  w.supportPoints,
  tableOr(
    v.supportPoints,
    () => `${renderTable(SUPPORT_POINTS_TABLE, v.supportPoints, lang, v.date)}\n${links('support-points')}`,
    w.supportNone,
  ),
)}
<p class="muted exports">${esc(w.print)}</p>`;
  return page(lang, v.name, nonce, headerTools(lang, path, v.date, v.days), body, { charts: v.trends.length > 0 });
}
