import { STANDING_LABELS, type Lang, type Standing } from '@app/domain';
import type { FastifyReply } from 'fastify';
import type { Head } from '../common/contacts';
import { escapeHtml, htmlPage, htmlResponse } from '@app/platform';
import { fmtDate, fmtDateTime, fmtInt, fmtPct, fmtPoints } from '../presentation/format';
import { DASHBOARD_WORDS } from './dashboard.words';

/** Where the dashboard's own scripts are served from (same origin: the CSP allows 'self' scripts and nothing inline). */
export const ECHARTS_PATH = '/dashboard/assets/echarts.min.js';
export const TREND_SCRIPT_PATH = '/dashboard/assets/trend-chart.js';

/** Every value from the read model goes through it (libs/platform). */
export const esc = escapeHtml;

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

export const headText = (h: Head | null | undefined) => (h ? `${h.title ?? ''} ${h.name}`.trim() : '—');

/** The link to a unit's own page, for the same day and language. */
export function unitLink(code: string, name: string, date: string, lang: Lang): string {
  return `<a class="unit" href="/dashboard/units/${esc(encodeURIComponent(code))}${esc(query({ date, lang }))}">${esc(name)}</a>`;
}

export function badge(lang: Lang, status: Standing | null | undefined): string {
  return status ? `<span class="badge s-${esc(status)}">${esc(STANDING_LABELS[lang][status])}</span>` : '—';
}

/** A change in percentage points, signed, with its unit ("+1,25 điểm %"); a dash when either day has no value. */
export function pointsText(lang: Lang, delta: number | null | undefined): string {
  if (delta === null || delta === undefined) return '—';
  return `${fmtPoints(lang, delta)} ${DASHBOARD_WORDS[lang].pp}`;
}

/** In a table the unit is in the column's header, so the cell holds the signed number alone (its title says it in full). */
export function pointsCell(lang: Lang, delta: number | null | undefined): string {
  if (delta === null || delta === undefined) return '<span class="num pp">—</span>';
  const cls = delta > 0 ? ' up' : delta < 0 ? ' down' : '';
  return `<span class="num pp${cls}" title="${esc(pointsText(lang, delta))}">${esc(fmtPoints(lang, delta))}</span>`;
}

export const intCell = (lang: Lang, n: number | null | undefined) => `<span class="num">${esc(fmtInt(lang, n))}</span>`;
export const pctCell = (lang: Lang, r: number | null | undefined) => `<span class="num">${esc(fmtPct(lang, r))}</span>`;

/** A horizontal bar (inline SVG, no script, no style attribute): the value, with a tick at the threshold. */
export function bar(lang: Lang, value: number | null, threshold: number | null, status: Standing | null, width = 160): string {
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

/**
 * A table whose cells are HTML already (escaped by their makers); headers are text. Numeric columns are
 * right-aligned. Each cell carries its header as data-label: on a phone the rows become cards that say
 * what each value is (print and wide screens keep the table).
 */
export function table(
  headers: string[],
  rows: string[][],
  numeric: readonly number[] = [],
  opts: { id?: string; wide?: readonly number[] } = {},
): string {
  const cls = (i: number) => (numeric.includes(i) ? ' class="n"' : opts.wide?.includes(i) ? ' class="w"' : '');
  const th = (h: string, i: number) => `<th${cls(i)} scope="col">${esc(h)}</th>`;
  const td = (c: string, i: number) => `<td data-label="${esc(headers[i])}"${cls(i)}>${c}</td>`;
  return (
    `<div class="scroll"><table class="cardable"${opts.id ? ` id="${esc(opts.id)}"` : ''}><thead><tr>${headers.map(th).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('') +
    '</tbody></table></div>'
  );
}

/** The download links of one table: CSV and XLSX, headers in the page's language. */
export function exportLinks(lang: Lang, tableId: string, params: Record<string, string | undefined>): string {
  const w = DASHBOARD_WORDS[lang];
  const href = (format: string) => `/dashboard/export/${encodeURIComponent(tableId)}${query({ ...params, lang, format })}`;
  return `<p class="exports muted">${esc(w.download)} <a href="${esc(href('xlsx'))}" download>XLSX</a> · <a href="${esc(href('csv'))}" download>CSV</a></p>`;
}

const CSS = `
:root{--ink:#1b2733;--muted:#5b6b7a;--line:#d8dee4;--bg:#f4f6f8;--brand:#0b5394;--met:#2e7d32;--on_track:#558b2f;--at_risk:#ef6c00;--breached:#c62828;--due_today:#ad1457;--no_data:#9e9e9e}
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}body{margin:0;font:15px/1.45 system-ui,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);background:var(--bg);overflow-wrap:break-word}
header{background:var(--brand);color:#fff;padding:14px 24px;display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
header h1{font-size:20px;margin:0}header p{margin:2px 0 0;opacity:.85;font-size:13px}header a{color:#fff}
.tools{display:flex;gap:10px;align-items:center;flex-wrap:wrap}.tools form{display:inline-flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0}
input,select,button{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:4px;max-width:100%}button{background:#fff;color:var(--brand);cursor:pointer}
main{max-width:1280px;margin:0 auto;padding:16px 24px 40px}
.fresh{color:var(--muted);font-size:13px;margin:0 0 12px}
nav.crumbs{font-size:14px;margin:0 0 10px}nav.crumbs a{color:var(--brand)}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px;margin:0 0 16px;min-width:0}
h2{font-size:17px;margin:0 0 10px;color:var(--brand)}h3{font-size:15px;margin:12px 0 6px}h4{font-size:14px;margin:10px 0 4px}
a.unit{color:var(--brand);text-decoration:none;font-weight:600}a.unit:hover{text-decoration:underline}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(300px,100%),1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:12px;min-width:0}.card h3{font-size:14px;margin:0 0 6px;font-weight:600}
.big{font-size:28px;font-weight:700}.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:8px 0 0;font-size:13px}.card dt{color:var(--muted)}.card dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{background:#eef2f6;font-weight:600;font-size:13px}th.n,td.n{text-align:right}td.w{min-width:9em}figure{margin:0}.scroll{overflow-x:auto;max-width:100%}
.barcell{display:inline-flex;gap:6px;align-items:center;white-space:nowrap}.num{min-width:58px;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pp.up{color:var(--met)}.pp.down{color:var(--breached)}
.track{fill:#e6eaee}.tick{stroke:var(--ink);stroke-width:2}
.fill.s-met{fill:var(--met)}.fill.s-on_track{fill:var(--on_track)}.fill.s-at_risk{fill:var(--at_risk)}.fill.s-breached{fill:var(--breached)}.fill.s-due_today{fill:var(--due_today)}.fill.s-no_data{fill:var(--no_data)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;white-space:nowrap}
.badge.s-met{background:var(--met)}.badge.s-on_track{background:var(--on_track)}.badge.s-at_risk{background:var(--at_risk)}.badge.s-breached{background:var(--breached)}.badge.s-due_today{background:var(--due_today)}.badge.s-no_data{background:var(--no_data)}
td>.num{display:block}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(460px,100%),1fr));gap:12px}
.chart{border:1px solid var(--line);border-radius:6px;padding:8px;min-width:0}.chart h3{font-size:14px;margin:0 0 4px}
.trend{width:100%;height:280px}
.muted{color:var(--muted);font-size:13px}ul.links{margin:4px 0 10px;padding-left:20px}ul.links li{margin:2px 0}
.login{max-width:520px;margin:40px auto}.login form{display:flex;gap:8px;flex-wrap:wrap}.login input[type=password]{flex:1;min-width:0}
.error{color:var(--breached);font-weight:600}
@media (max-width:640px){
header{padding:10px 12px}header h1{font-size:17px}main{padding:10px 8px 30px}section{padding:10px}
.big{font-size:24px}.trend{height:240px}
table.cardable thead{display:none}
table.cardable,table.cardable tbody,table.cardable tr,table.cardable td{display:block;width:100%}
table.cardable tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px;padding:4px 8px}
table.cardable td{display:flex;justify-content:space-between;align-items:center;gap:10px;border:0;padding:3px 0;text-align:right}
table.cardable td::before{content:attr(data-label);color:var(--muted);font-size:12px;text-align:left;flex:0 1 45%}
table.cardable td>.num{display:inline}.barcell svg{width:90px}
}
@media print{header .tools,.links,.exports,.crumbs form{display:none}body{background:#fff;font-size:12px}header{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink)}
section{border:0;padding:0;break-inside:auto}.chart,.card,tr{break-inside:avoid}a.unit{color:var(--ink)}.trend{height:240px}}
`;

/** Headers of a dashboard page: the service's HTML headers, with scripts allowed from this origin only (ECharts and the chart code). */
export function dashboardHtml(reply: FastifyReply, lang: Lang): string {
  return htmlResponse(reply, lang, { scripts: true });
}

/** Page frame (the platform's htmlPage), with the charts' scripts when the page draws them. */
export function page(lang: Lang, title: string, nonce: string, headerTools: string, body: string, opts: { charts?: boolean } = {}): string {
  const scripts = opts.charts ? [ECHARTS_PATH, TREND_SCRIPT_PATH] : [];
  return htmlPage({ lang, title, nonce, css: CSS, scripts, audience: DASHBOARD_WORDS[lang].audience, tools: headerTools, body });
}

export function langLink(lang: Lang, path: string, params: Record<string, string | undefined>): string {
  const w = DASHBOARD_WORDS[lang];
  return `<a href="${esc(path + query({ ...params, lang: w.otherLang }))}" hreflang="${w.otherLang}" lang="${w.otherLang}">${esc(w.otherLangName)}</a>`;
}

/** Keys that may upload rosters (an EZ board's, an admin's): the workforce service's roster page, in the same language. */
export const mayUploadRosters = (role: string | undefined): boolean => role === 'ez_board' || role === 'admin';

export function rosterPageLink(lang: Lang, workforceUrl: string): string {
  const href = `${workforceUrl.replace(/\/+$/, '')}/rosters${query({ lang })}`;
  return `<a class="rosters" href="${esc(href)}">${esc(DASHBOARD_WORDS[lang].rosterUpload)}</a>`;
}

/** A page with the roster page's link first among its header tools. */
export function withRosterLink(html: string, lang: Lang, workforceUrl: string): string {
  const tools = '<div class="tools">';
  const at = html.indexOf(tools);
  return at < 0 ? html : `${html.slice(0, at + tools.length)}${rosterPageLink(lang, workforceUrl)}${html.slice(at + tools.length)}`;
}

export function logoutForm(lang: Lang): string {
  return `<form method="post" action="/dashboard/logout"><input type="hidden" name="lang" value="${lang}"><button type="submit">${esc(DASHBOARD_WORDS[lang].logout)}</button></form>`;
}

/**
 * The header's tools on every dashboard page: the day picker (the campaign's days as dd/mm/yyyy, whatever
 * the browser's locale; back to the same page), the other language, log out.
 */
export function headerTools(lang: Lang, path: string, date: string, days: readonly string[]): string {
  const w = DASHBOARD_WORDS[lang];
  const options = days.map((d) => `<option value="${esc(d)}"${d === date ? ' selected' : ''}>${esc(fmtDate(d))}</option>`).join('');
  return `<form method="get" action="${esc(path)}"><label>${esc(w.date)} <select name="date">${options}</select></label><input type="hidden" name="lang" value="${lang}"><button type="submit">${esc(w.show)}</button></form>
${langLink(lang, path, { date })}${logoutForm(lang)}`;
}

/**
 * "Ngày 30/08/2020 · figures of 30/08/2020 last updated at 17:05:12 30/08/2020 (Vietnam time)": when the
 * figures of the day shown were last updated (the latest report they hold), never the time of an event
 * about another day; with a note when the day shown is not the latest with data.
 */
export function freshnessLine(lang: Lang, v: { date: string; updatedAt: string | null; latestDate: string | null }): string {
  const w = DASHBOARD_WORDS[lang];
  const freshness = v.updatedAt
    ? `<time datetime="${esc(v.updatedAt)}">${esc(w.asOf(fmtDate(v.date), fmtDateTime(v.updatedAt)))}</time>`
    : esc(w.noReports);
  const latest = v.latestDate && v.latestDate !== v.date ? ` ${esc(w.notLatest(fmtDate(v.latestDate)))}` : '';
  return `<p class="fresh"><strong>${esc(`${w.date} ${fmtDate(v.date)}`)}</strong> · ${freshness}${latest}</p>`;
}
