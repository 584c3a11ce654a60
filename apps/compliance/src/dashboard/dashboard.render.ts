import { UNIT_CODE_PATTERN } from '@app/contracts';
import type { Lang } from '@app/domain';
import { fmtDate, fmtInt, fmtPct } from '../presentation/format';
import { REPORT_WORDS } from '../presentation/report-words';
import {
  badge,
  bar,
  esc,
  exportLinks,
  freshnessLine,
  headerTools,
  langLink,
  logoutForm,
  page,
  pointsText,
  query,
  rosterPageLink,
  unitLink,
} from './dashboard-html';
import { BROADCASTS_TABLE, COVERAGE_TABLE, DISTRICTS_TABLE, renderTable, TARGET_LAGGARDS_TABLE, type TargetRow } from './dashboard-tables';
import { trendCharts } from './dashboard-trend';
import { DASHBOARD_WORDS, targetName } from './dashboard.words';
import type { DashboardView } from './dashboard.views';

export { bar, esc, query, vietnamTime } from './dashboard-html';

function targetCard(lang: Lang, t: TargetRow): string {
  const r = REPORT_WORDS[lang];
  const w = DASHBOARD_WORDS[lang];
  return `<div class="card" data-target="${esc(t.targetId)}" data-standing="${esc(t.standing)}"><h3>${esc(targetName(t.target, lang))}</h3>
<div class="big">${esc(fmtPct(lang, t.value))}</div>
${bar(lang, t.value, t.threshold, t.standing, 260)}
<dl><dt>${esc(w.sinceYesterday)}</dt><dd>${esc(pointsText(lang, t.delta))}</dd>
<dt>${esc(r.threshold)}</dt><dd>${esc(fmtPct(lang, t.threshold))}</dd>
<dt>${esc(r.status)}</dt><dd class="standing">${badge(lang, t.standing)}</dd>
<dt>${esc(r.peopleShort)}</dt><dd class="people-short">${esc(fmtInt(lang, t.peopleShort))}</dd>
<dt>${esc(r.breachedUnits)}</dt><dd class="units-short">${esc(fmtInt(lang, t.unitsShort))}</dd>
<dt>${esc(w.unitsNoData)}</dt><dd class="units-no-data">${esc(fmtInt(lang, t.unitsNoData))}</dd>
<dt>${esc(r.deadline)}</dt><dd>${esc(fmtDate(t.deadline))}</dd></dl></div>`;
}

function districtsSection(lang: Lang, v: DashboardView): string {
  const w = DASHBOARD_WORDS[lang];
  if (!v.districts.length) return `<section id="districts"><h2>${esc(w.districts)}</h2><p>${esc(REPORT_WORDS[lang].noData)}</p></section>`;
  return `<section id="districts"><h2>${esc(w.districts)}</h2>${renderTable(DISTRICTS_TABLE, v.districts, lang, v.date)}
${exportLinks(lang, 'districts', { date: v.date })}</section>`;
}

/** Each target's own laggards (worst first by the distance to its threshold), then its units not reporting, named with their heads. */
function laggardsSection(lang: Lang, v: DashboardView): string {
  const w = DASHBOARD_WORDS[lang];
  const blocks = v.laggards.byTarget.map((l) => {
    const name = targetName(l.target, lang);
    const shown = l.rows.length
      ? `${renderTable(TARGET_LAGGARDS_TABLE, l.rows, lang, v.date)}${l.total > l.rows.length ? `<p class="muted">${esc(w.laggardsShown(fmtInt(lang, l.rows.length), fmtInt(lang, l.total)))}</p>` : ''}`
      : `<p>${esc(w.noLaggards)}</p>`;
    const silent = l.silentTotal
      ? `<h4>${esc(w.silentOf(fmtInt(lang, l.silentTotal)))}</h4>${renderTable(TARGET_LAGGARDS_TABLE, l.silent, lang, v.date)}`
      : '';
    return `<div class="laggards" data-target="${esc(l.target.targetId)}"><h3>${esc(w.laggardsOf(name, fmtInt(lang, l.total)))}</h3>${shown}${silent}
${exportLinks(lang, 'laggards', { date: v.date, target: l.target.targetId })}</div>`;
  });
  return `<section id="laggards"><h2>${esc(w.laggards)}</h2>${blocks.length ? blocks.join('\n') : `<p>${esc(REPORT_WORDS[lang].none)}</p>`}</section>`;
}

function coverageSection(lang: Lang, v: DashboardView): string {
  const r = REPORT_WORDS[lang];
  const w = DASHBOARD_WORDS[lang];
  const c = v.coverage;
  return `<section id="coverage"><h2>${esc(w.coverage)}</h2>
<p>${esc(r.coverage(fmtInt(lang, c.communesWithPoint), fmtInt(lang, c.communes), fmtPct(lang, c.coverage)))} ${esc(r.pointsLine(fmtInt(lang, c.points), fmtInt(lang, c.assistedOnDate), fmtInt(lang, c.installedOnDate)))}</p>
${c.rows.length ? `${renderTable(COVERAGE_TABLE, c.rows, lang, v.date)}\n${exportLinks(lang, 'coverage', { date: v.date })}` : ''}</section>`;
}

function activitySection(lang: Lang, v: DashboardView): string {
  const r = REPORT_WORDS[lang];
  const w = DASHBOARD_WORDS[lang];
  const a = v.activity;
  return `<section id="activity"><h2>${esc(w.activity)}</h2>
<p>${esc(r.broadcast(fmtInt(lang, a.communesBroadcastCompliant), fmtInt(lang, a.communes), fmtInt(lang, a.communesBroadcasting)))}</p>
<h3>${esc(w.missingEnd)}</h3>
${a.missingEnd.length ? `${renderTable(BROADCASTS_TABLE, a.missingEnd, lang, v.date)}\n${exportLinks(lang, 'broadcasts', { date: v.date })}` : `<p>${esc(w.allAnnounced)}</p>`}
${a.missingStart ? `<p class="muted">${esc(w.missingStart(fmtInt(lang, a.missingStart)))}</p>` : ''}
<p class="muted">${esc(r.doorToDoor(fmtInt(lang, a.householdsVisited)))} ${esc(r.teams(fmtInt(lang, a.propagandaTeams)))} ${esc(r.venues(fmtInt(lang, a.venuesMobilised), fmtInt(lang, a.customersGuided)))} ${esc(r.hq(fmtInt(lang, a.hqVisitors), fmtInt(lang, a.hqInstalledOnSite)))}</p></section>`;
}

function linksSection(lang: Lang, v: DashboardView): string {
  const w = DASHBOARD_WORDS[lang];
  const link = (path: string, params: Record<string, string | undefined>, text: string) =>
    `<li><a href="${esc(path + query(params))}">${esc(text)}</a></li>`;
  const date = v.date;
  const codes = v.districts.map((d) => d.code).join(',');
  return `<section id="links"><h2>${esc(w.links)}</h2>
<ul class="links">
${link('/v1/daily-report', { date, lang }, w.dailyReport)}
${link('/v1/daily-report', { date, lang, format: 'md' }, `${w.dailyReport} (${w.markdown})`)}
</ul>
<p>${esc(w.csv)}</p>
<ul class="links">
${link('/v1/units', { date, type: 'district', sort: 'populationRate', format: 'csv' }, w.csvDistricts)}
${link('/v1/laggards', { date, format: 'csv' }, w.csvLaggards)}
${v.targetRows.map((t) => link(`/v1/targets/${encodeURIComponent(t.targetId)}/statuses`, { date, format: 'csv' }, w.csvStatuses(targetName(t.target, lang)))).join('\n')}
${link('/v1/support-coverage', { date, format: 'csv' }, w.csvCoverage)}
${link('/v1/activity-compliance', { date, format: 'csv' }, w.csvActivity)}
${link('/v1/transport', { date, format: 'csv' }, w.csvTransport)}
${codes ? link('/dashboard/timeseries', { units: codes, date, lang, format: 'xlsx' }, w.seriesDistricts) : ''}
</ul>
<ul class="links"><li><a href="/docs">${esc(w.docs)}</a></li></ul></section>`;
}

/** The overview for one day: HTML, with ECharts and the chart code as the only scripts (same origin). */
export function renderDashboard(v: DashboardView, lang: Lang, nonce: string): string {
  const w = DASHBOARD_WORDS[lang];
  const title = v.province ? `${w.title} — ${v.province.name}` : w.title;
  const province = v.province ? `<p class="muted">${unitLink(v.province.code, `${w.unitPage}: ${v.province.name}`, v.date, lang)}</p>` : '';
  const body = `${freshnessLine(lang, v)}
<section id="targets"><h2>${esc(w.targets)}</h2>${v.targetRows.length ? `<div class="cards">${v.targetRows.map((t) => targetCard(lang, t)).join('\n')}</div>${exportLinks(lang, 'targets', { date: v.date })}` : `<p>${esc(REPORT_WORDS[lang].noData)}</p>`}${province}</section>
<section id="trends"><h2>${esc(w.trends)}</h2>${trendCharts(lang, v.trends, v.date, 'trend-province')}</section>
${districtsSection(lang, v)}
${laggardsSection(lang, v)}
${coverageSection(lang, v)}
${activitySection(lang, v)}
${linksSection(lang, v)}`;
  return page(lang, title, nonce, headerTools(lang, '/', v.date, v.days), body, { charts: v.trends.length > 0 });
}

/** The login form: shown (with status 401) whenever the dashboard is asked for without a usable key. */
export function renderLogin(lang: Lang, nonce: string, opts: { date?: string; message?: string; path?: string }): string {
  const w = DASHBOARD_WORDS[lang];
  // Shown instead of a unit's page: the form takes the official back to it once signed in.
  const [, unitPath, unit] = /^(\/dashboard\/units\/)([^/]+)$/.exec(opts.path ?? '') ?? [];
  const returnTo = unitPath && UNIT_CODE_PATTERN.test(unit) ? unit : undefined;
  const body = `<section class="login"><h2>${esc(w.loginTitle)}</h2>
${opts.message ? `<p class="error" role="alert">${esc(opts.message)}</p>` : ''}
<p>${esc(w.loginHelp)}</p>
<form method="post" action="/dashboard/login">
<input type="hidden" name="lang" value="${lang}">${opts.date ? `<input type="hidden" name="date" value="${esc(opts.date)}">` : ''}${
    returnTo ? `<input type="hidden" name="unit" value="${esc(returnTo)}">` : ''
  }
<label for="key">${esc(w.key)}</label> <input id="key" type="password" name="key" required minlength="8" maxlength="200" autocomplete="current-password" autofocus>
<button type="submit">${esc(w.login)}</button>
</form></section>`;
  return page(lang, w.title, nonce, langLink(lang, opts.path ?? '/', { date: opts.date }), body);
}

/**
 * A page that is refused or unknown, said in the page's language: a key that may not see the dashboard or
 * this unit (403, the default message), or a unit nobody knows (404).
 */
export function renderRefusal(lang: Lang, nonce: string, message?: string, opts: { rosterPage?: string } = {}): string {
  const w = DASHBOARD_WORDS[lang];
  const rosters = opts.rosterPage ? `<p>${esc(w.rosterUploadHere)} ${rosterPageLink(lang, opts.rosterPage)}</p>` : '';
  return page(
    lang,
    w.title,
    nonce,
    logoutForm(lang),
    `<section class="login"><p class="error" role="alert">${esc(message ?? w.forbidden)}</p>${rosters}<p><a href="/${esc(query({ lang }))}">${esc(w.backHome)}</a></p></section>`,
  );
}
