import type { TargetStatus } from '@app/contracts';
import type { Head } from '../analytics/analytics.service';
import { fmtDate, fmtInt, fmtPct, STATUS_LABEL, WORDS } from '../daily-report/daily-report.render';
import type { ReportLang } from '../daily-report/dto/daily-report-query.dto';
import { DASHBOARD_WORDS } from './dashboard.words';
import type { DashboardView, Standing } from './dashboard.service';

/** Communes without a support point named per district before "and n more". */
const UNCOVERED_NAMED = 8;

/** Escapes text for HTML content and double- or single-quoted attributes. Every value from the read model goes through it. */
export function esc(s: string | number | null | undefined): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An event's time (UTC ISO) as Vietnam reads it: HH:MM:SS DD/MM/YYYY (UTC+7, no daylight saving). */
export function vietnamTime(iso: string): string {
  const t = new Date(Date.parse(iso) + 7 * 3600_000).toISOString();
  return `${t.slice(11, 19)} ${fmtDate(t.slice(0, 10))}`;
}

export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return `?${q.toString()}`;
}

const headText = (h: Head | null) => (h ? `${h.title ?? ''} ${h.name}`.trim() : '—');

function badge(lang: ReportLang, status: TargetStatus | null | undefined): string {
  return status ? `<span class="badge s-${esc(status)}">${esc(STATUS_LABEL[lang][status])}</span>` : '—';
}

/** A horizontal bar (inline SVG, no script, no style attribute): the value, with a tick at the threshold. */
export function bar(lang: ReportLang, value: number | null, threshold: number | null, status: TargetStatus | null, width = 160): string {
  const label = `${fmtPct(lang, value)}${threshold !== null ? ` / ${fmtPct(lang, threshold)}` : ''}`;
  const fill = value === null ? 0 : Math.round(Math.max(0, Math.min(1, value)) * width);
  const tick =
    threshold === null
      ? ''
      : `<line class="tick" x1="${Math.round(Math.min(1, threshold) * width)}" x2="${Math.round(Math.min(1, threshold) * width)}" y1="0" y2="14"/>`;
  return (
    `<span class="barcell"><svg class="bar" width="${width}" height="14" viewBox="0 0 ${width} 14" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>` +
    `<rect class="track" width="${width}" height="14" rx="3"/><rect class="fill s-${esc(status ?? 'no_data')}" width="${fill}" height="14" rx="3"/>${tick}</svg>` +
    `<span class="num">${esc(fmtPct(lang, value))}</span></span>`
  );
}

/** Cells are HTML already (escaped by their makers); headers are text. Numeric columns are right-aligned, headers included. */
function table(headers: string[], rows: string[][], numeric: readonly number[] = []): string {
  const th = (h: string, i: number) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${esc(h)}</th>`;
  return (
    `<div class="scroll"><table><thead><tr>${headers.map(th).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table></div>'
  );
}

const CSS = `
:root{--ink:#1b2733;--muted:#5b6b7a;--line:#d8dee4;--bg:#f4f6f8;--brand:#0b5394;--met:#2e7d32;--on_track:#558b2f;--at_risk:#ef6c00;--breached:#c62828;--no_data:#9e9e9e}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--brand);color:#fff;padding:14px 24px;display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
header h1{font-size:20px;margin:0}header p{margin:2px 0 0;opacity:.85;font-size:13px}header a{color:#fff}
.tools{display:flex;gap:10px;align-items:center;flex-wrap:wrap}.tools form{display:inline-flex;gap:6px;align-items:center;margin:0}
input,button{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:4px}button{background:#fff;color:var(--brand);cursor:pointer}
main{max-width:1280px;margin:0 auto;padding:16px 24px 40px}
.fresh{color:var(--muted);font-size:13px;margin:0 0 12px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px;margin:0 0 16px}
h2{font-size:17px;margin:0 0 10px;color:var(--brand)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:12px}.card h3{font-size:14px;margin:0 0 6px;font-weight:600}
.big{font-size:28px;font-weight:700}.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:8px 0 0;font-size:13px}.card dt{color:var(--muted)}.card dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{background:#eef2f6;font-weight:600;font-size:13px}th.n{text-align:right}.scroll{overflow-x:auto}
.barcell{display:inline-flex;gap:6px;align-items:center;white-space:nowrap}.num{min-width:58px;text-align:right;font-variant-numeric:tabular-nums}
.track{fill:#e6eaee}.tick{stroke:var(--ink);stroke-width:2}
.fill.s-met{fill:var(--met)}.fill.s-on_track{fill:var(--on_track)}.fill.s-at_risk{fill:var(--at_risk)}.fill.s-breached{fill:var(--breached)}.fill.s-no_data{fill:var(--no_data)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;white-space:nowrap}
.badge.s-met{background:var(--met)}.badge.s-on_track{background:var(--on_track)}.badge.s-at_risk{background:var(--at_risk)}.badge.s-breached{background:var(--breached)}.badge.s-no_data{background:var(--no_data)}
td>.num{display:block}
.muted{color:var(--muted);font-size:13px}ul.links{margin:4px 0 10px;padding-left:20px}ul.links li{margin:2px 0}
.login{max-width:520px;margin:40px auto}.login form{display:flex;gap:8px;flex-wrap:wrap}.login input[type=password]{flex:1;min-width:240px}
.error{color:var(--breached);font-weight:600}
@media print{header .tools,.links{display:none}body{background:#fff}section{border:0;padding:0}}
`;

/** Page frame: the nonce lets the inline style through a Content-Security-Policy that forbids everything else inline. */
function page(lang: ReportLang, title: string, nonce: string, headerTools: string, body: string): string {
  const w = DASHBOARD_WORDS[lang];
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style nonce="${esc(nonce)}">${CSS}</style>
</head>
<body>
<header><div><h1>${esc(title)}</h1><p>${esc(w.audience)}</p></div><div class="tools">${headerTools}</div></header>
<main>
${body}
</main>
</body>
</html>
`;
}

function langLink(lang: ReportLang, params: Record<string, string | undefined>): string {
  const w = DASHBOARD_WORDS[lang];
  return `<a href="/${esc(query({ ...params, lang: w.otherLang }))}" hreflang="${w.otherLang}" lang="${w.otherLang}">${esc(w.otherLangName)}</a>`;
}

function logoutForm(lang: ReportLang): string {
  return `<form method="post" action="/dashboard/logout"><input type="hidden" name="lang" value="${lang}"><button type="submit">${esc(DASHBOARD_WORDS[lang].logout)}</button></form>`;
}

function targetCard(lang: ReportLang, t: DashboardView['targets'][number]): string {
  const r = WORDS[lang];
  return `<div class="card"><h3>${esc(t.name)}</h3>
<div class="big">${esc(fmtPct(lang, t.value))}</div>
${bar(lang, t.value, t.threshold, t.status, 260)}
<dl><dt>${esc(r.threshold)}</dt><dd>${esc(fmtPct(lang, t.threshold))}</dd>
<dt>${esc(r.status)}</dt><dd>${badge(lang, t.status)}</dd>
<dt>${esc(r.gap)}</dt><dd>${esc(fmtInt(lang, t.gap))}</dd>
<dt>${esc(r.breachedUnits)}</dt><dd>${esc(fmtInt(lang, t.unitsBreached))}</dd>
<dt>${esc(r.deadline)}</dt><dd>${esc(fmtDate(t.deadline))}</dd></dl></div>`;
}

const standingBar = (lang: ReportLang, s: Standing | null) => (s ? bar(lang, s.value, s.threshold, s.status, 120) : '—');

function districtsSection(lang: ReportLang, v: DashboardView): string {
  const r = WORDS[lang];
  const w = DASHBOARD_WORDS[lang];
  if (!v.districts.length) return `<section id="districts"><h2>${esc(w.districts)}</h2><p>${esc(r.noData)}</p></section>`;
  const rows = v.districts.map((d, i) => [
    `${i + 1}`,
    esc(d.name),
    esc(headText(d.head)),
    standingBar(lang, d.resident),
    `<span class="num">${esc(fmtInt(lang, d.installed))}</span>`,
    `<span class="num">${esc(fmtInt(lang, d.population))}</span>`,
    `<span class="num">${esc(fmtInt(lang, d.resident?.gap))}</span>`,
    badge(lang, d.resident?.status),
    standingBar(lang, d.members),
  ]);
  return `<section id="districts"><h2>${esc(w.districts)}</h2>${table([r.rank, r.district, r.head, w.residentRate, r.installed, r.population, r.gap, r.status, w.membersBluetooth], rows, [4, 5, 6])}</section>`;
}

function laggardsSection(lang: ReportLang, v: DashboardView): string {
  const r = WORDS[lang];
  const w = DASHBOARD_WORDS[lang];
  const { rows, total } = v.laggards;
  if (!rows.length) return `<section id="laggards"><h2>${esc(w.laggards)}</h2><p>${esc(r.none)}</p></section>`;
  const body = rows.map((l) => [
    esc(l.name),
    esc(headText(l.head)),
    esc(l.accountableTo?.name ?? '—'),
    esc(v.targetNames.get(l.targetId) ?? l.targetId),
    bar(lang, l.value, l.threshold, l.status, 100),
    `<span class="num">${esc(fmtInt(lang, l.gap))}</span>`,
    badge(lang, l.status),
  ]);
  return `<section id="laggards"><h2>${esc(w.laggards)}</h2>${table([r.unit, r.head, r.accountableTo, r.target, r.value, r.gap, r.status], body, [5])}
<p class="muted">${esc(w.laggardsShown(fmtInt(lang, rows.length), fmtInt(lang, total)))} <a href="/v1/laggards${esc(query({ date: v.date, format: 'csv' }))}">CSV</a></p></section>`;
}

function coverageSection(lang: ReportLang, v: DashboardView): string {
  const r = WORDS[lang];
  const w = DASHBOARD_WORDS[lang];
  const c = v.coverage;
  const uncovered = (codes: string[]) => {
    const names = codes.slice(0, UNCOVERED_NAMED).map((code) => v.unitNames.get(code) ?? code);
    return (
      esc(names.join(', ') + (codes.length > UNCOVERED_NAMED ? ` ${w.andMore(fmtInt(lang, codes.length - UNCOVERED_NAMED))}` : '')) || '—'
    );
  };
  const rows = c.rows.map((d) => [
    esc(d.name),
    bar(lang, d.coverage, null, d.coverage === null ? null : d.coverage >= 1 ? 'met' : d.coverage > 0 ? 'at_risk' : 'breached', 100),
    `<span class="num">${esc(`${fmtInt(lang, d.communesWithPoint)}/${fmtInt(lang, d.communes)}`)}</span>`,
    `<span class="num">${esc(fmtInt(lang, d.points))}</span>`,
    `<span class="num">${esc(fmtInt(lang, d.assistedOnDate))}</span>`,
    `<span class="num">${esc(fmtInt(lang, d.installedOnDate))}</span>`,
    uncovered(d.communesWithoutPoint),
  ]);
  return `<section id="coverage"><h2>${esc(w.coverage)}</h2>
<p>${esc(r.coverage(fmtInt(lang, c.communesWithPoint), fmtInt(lang, c.communes), fmtPct(lang, c.coverage)))} ${esc(r.pointsLine(fmtInt(lang, c.points), fmtInt(lang, c.assistedOnDate), fmtInt(lang, c.installedOnDate)))}</p>
${rows.length ? table([w.districtColumn, w.coverageRate, r.communes, r.points, r.assisted, r.installed, w.communesWithout], rows, [2, 3, 4, 5]) : ''}</section>`;
}

function activitySection(lang: ReportLang, v: DashboardView): string {
  const r = WORDS[lang];
  const w = DASHBOARD_WORDS[lang];
  const a = v.activity;
  const missing = a.missingEnd.map((m) => [
    esc(m.name),
    esc(m.districtName ?? '—'),
    `<span class="num">${esc(fmtInt(lang, m.broadcastSessions))}</span>`,
    `<span class="num">${esc(fmtInt(lang, m.broadcastWithStart))}</span>`,
    `<span class="num">${esc(fmtInt(lang, m.broadcastWithEnd))}</span>`,
  ]);
  return `<section id="activity"><h2>${esc(w.activity)}</h2>
<p>${esc(r.broadcast(fmtInt(lang, a.communesBroadcastCompliant), fmtInt(lang, a.communes), fmtInt(lang, a.communesBroadcasting)))}</p>
<h3>${esc(w.missingEnd)}</h3>
${missing.length ? table([r.unit, w.districtColumn, w.sessions, w.withStart, w.withEnd], missing, [2, 3, 4]) : `<p>${esc(w.allAnnounced)}</p>`}
${a.missingStart ? `<p class="muted">${esc(w.missingStart(fmtInt(lang, a.missingStart)))}</p>` : ''}
<p class="muted">${esc(r.doorToDoor(fmtInt(lang, a.householdsVisited)))} ${esc(r.teams(fmtInt(lang, a.propagandaTeams)))} ${esc(r.venues(fmtInt(lang, a.venuesMobilised), fmtInt(lang, a.customersGuided)))} ${esc(r.hq(fmtInt(lang, a.hqVisitors), fmtInt(lang, a.hqInstalledOnSite)))}</p></section>`;
}

function linksSection(lang: ReportLang, v: DashboardView): string {
  const w = DASHBOARD_WORDS[lang];
  const link = (path: string, params: Record<string, string | undefined>, text: string) =>
    `<li><a href="${esc(path + query(params))}">${esc(text)}</a></li>`;
  const date = v.date;
  return `<section id="links"><h2>${esc(w.links)}</h2>
<ul class="links">
${link('/v1/daily-report', { date, lang }, w.dailyReport)}
${link('/v1/daily-report', { date, lang, format: 'md' }, `${w.dailyReport} (${w.markdown})`)}
</ul>
<p>${esc(w.csv)}</p>
<ul class="links">
${link('/v1/units', { date, type: 'district', sort: 'populationRate', format: 'csv' }, w.csvDistricts)}
${link('/v1/laggards', { date, format: 'csv' }, w.csvLaggards)}
${v.targets.map((t) => link(`/v1/targets/${encodeURIComponent(t.targetId)}/statuses`, { date, format: 'csv' }, w.csvStatuses(t.targetId))).join('\n')}
${link('/v1/support-coverage', { date, format: 'csv' }, w.csvCoverage)}
${link('/v1/activity-compliance', { date, format: 'csv' }, w.csvActivity)}
${link('/v1/transport', { date, format: 'csv' }, w.csvTransport)}
</ul>
<ul class="links"><li><a href="/docs">${esc(w.docs)}</a></li></ul></section>`;
}

/** The dashboard for one day, as one HTML document with no script. */
export function renderDashboard(v: DashboardView, lang: ReportLang, nonce: string): string {
  const w = DASHBOARD_WORDS[lang];
  const title = v.province ? `${w.title} — ${v.province.name}` : w.title;
  const tools = `<form method="get" action="/"><label>${esc(w.date)} <input type="date" name="date" value="${esc(v.date)}"${v.latestDate ? ` max="${esc(v.latestDate)}"` : ''}></label><input type="hidden" name="lang" value="${lang}"><button type="submit">${esc(w.show)}</button></form>
${langLink(lang, { date: v.date })}${logoutForm(lang)}`;
  const freshness = v.asOfEvent ? `<time datetime="${esc(v.asOfEvent)}">${esc(w.asOf(vietnamTime(v.asOfEvent)))}</time>` : esc(w.noEvents);
  const latest = v.latestDate && v.latestDate !== v.date ? ` ${esc(w.notLatest(fmtDate(v.latestDate)))}` : '';
  const body = `<p class="fresh"><strong>${esc(`${w.date} ${fmtDate(v.date)}`)}</strong> · ${freshness}${latest}</p>
<section id="targets"><h2>${esc(w.targets)}</h2>${v.targets.length ? `<div class="cards">${v.targets.map((t) => targetCard(lang, t)).join('\n')}</div>` : `<p>${esc(WORDS[lang].noData)}</p>`}</section>
${districtsSection(lang, v)}
${laggardsSection(lang, v)}
${coverageSection(lang, v)}
${activitySection(lang, v)}
${linksSection(lang, v)}`;
  return page(lang, title, nonce, tools, body);
}

/** The login form: shown (with status 401) whenever the dashboard is asked for without a usable key. */
export function renderLogin(lang: ReportLang, nonce: string, opts: { date?: string; message?: string }): string {
  const w = DASHBOARD_WORDS[lang];
  const body = `<section class="login"><h2>${esc(w.loginTitle)}</h2>
${opts.message ? `<p class="error" role="alert">${esc(opts.message)}</p>` : ''}
<p>${esc(w.loginHelp)}</p>
<form method="post" action="/dashboard/login">
<input type="hidden" name="lang" value="${lang}">${opts.date ? `<input type="hidden" name="date" value="${esc(opts.date)}">` : ''}
<label for="key">${esc(w.key)}</label> <input id="key" type="password" name="key" required minlength="8" maxlength="200" autocomplete="current-password" autofocus>
<button type="submit">${esc(w.login)}</button>
</form></section>`;
  return page(lang, w.title, nonce, langLink(lang, { date: opts.date }), body);
}

/** A key that is valid but not allowed to see the dashboard (403). */
export function renderForbidden(lang: ReportLang, nonce: string): string {
  const w = DASHBOARD_WORDS[lang];
  return page(
    lang,
    w.title,
    nonce,
    logoutForm(lang),
    `<section class="login"><p class="error" role="alert">${esc(w.forbidden)}</p></section>`,
  );
}
