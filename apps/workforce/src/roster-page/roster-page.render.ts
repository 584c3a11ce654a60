import { escapeHtml as esc, htmlPage } from '@app/platform';
import type { RosterAggregates } from '../rosters/domain/roster-diff';
import type { ImportRecord } from '../rosters/roster-import.model';
import { rejectedRowReason, rosterMessage, type Lang } from '../rosters/roster-messages';
import { ROSTER_PAGE_WORDS } from './roster-page.words';

/** The page's routes (this service's own origin: the forms post here, the script comes from here). */
export const ROSTER_PAGE = '/rosters';
export const ROSTER_PAGE_LOGIN = '/rosters/login';
export const ROSTER_PAGE_LOGOUT = '/rosters/logout';
export const ROSTER_PAGE_PREVIEW = '/rosters/preview';
export const ROSTER_PAGE_SCRIPT = '/rosters/assets/roster-drop.js';
export const importPath = (id: string) => `/rosters/imports/${encodeURIComponent(id)}`;

export interface EnterpriseChoice {
  readonly code: string;
  readonly name: string;
}

/** A day as Vietnam writes it, whatever the browser's locale (dd/mm/yyyy), and back. */
export const dmy = (iso: string): string => iso.split('-').reverse().join('/');
export function isoOfDmy(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text) ?? null;
  if (m) return `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  return /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? text.trim() : null;
}

/** A unit as people read it: its name and code, or the code alone when it has no other name. */
export const unitLabel = (name: string, code: string): string => (name === code ? code : `${name} (${code})`);

const num = (lang: Lang, n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US');
const pct = (lang: Lang, share: number | null | undefined): string =>
  share === null || share === undefined
    ? '—'
    : share.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US', { style: 'percent', maximumFractionDigits: 1 });
const q = (params: Record<string, string | undefined>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, v);
  return `?${s.toString()}`;
};

const CSS = `
:root{--ink:#1b2733;--muted:#5b6b7a;--line:#d8dee4;--bg:#f4f6f8;--brand:#0b5394;--ok:#2e7d32;--warn:#ef6c00;--bad:#c62828}
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}body{margin:0;font:15px/1.45 system-ui,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);background:var(--bg);overflow-wrap:anywhere}
header{background:var(--brand);color:#fff;padding:14px 24px;display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
header h1{font-size:20px;margin:0}header p{margin:2px 0 0;opacity:.85;font-size:13px}header a{color:#fff}
.tools{display:flex;gap:10px;align-items:center;flex-wrap:wrap}.tools form{margin:0}
input,select,button{font:inherit;padding:6px 10px;border:1px solid var(--line);border-radius:4px;max-width:100%}button{background:#fff;color:var(--brand);cursor:pointer}
button.primary{background:var(--brand);color:#fff;border-color:var(--brand);font-weight:600}button.danger{color:var(--bad);border-color:var(--bad)}
main{max-width:960px;margin:0 auto;padding:16px 24px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px;margin:0 0 16px;min-width:0}
h2{font-size:17px;margin:0 0 10px;color:var(--brand)}h3{font-size:15px;margin:14px 0 6px}
a{color:var(--brand)}.muted{color:var(--muted);font-size:13px}
form.upload{display:grid;grid-template-columns:minmax(0,1fr);gap:12px}form.upload label{display:grid;grid-template-columns:minmax(0,1fr);gap:4px;font-weight:600;min-width:0}form.upload select,form.upload input[type=text]{width:100%;min-width:0;font-weight:400}form.upload .actions{margin:0}form.upload p{margin:0}
.drop{display:block;border:2px dashed var(--line);border-radius:8px;padding:22px 14px;text-align:center;cursor:pointer;background:#fafbfc;font-weight:400}
.drop.over,.drop:focus-within{border-color:var(--brand);background:#eaf2fb}.drop input[type=file]{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}.drop{position:relative}
.drop .chosen{display:block;margin-top:6px;color:var(--muted);font-weight:400}
.actions{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:12px 0 0}.actions form{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600;font-size:13px}tbody th{background:none;font-size:14px;font-weight:400}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
dl.nums{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(160px,100%),1fr));gap:8px;margin:0}
dl.nums div{border:1px solid var(--line);border-radius:6px;padding:8px 10px}dl.nums dt{color:var(--muted);font-size:13px}dl.nums dd{margin:0;font-size:22px;font-weight:700;font-variant-numeric:tabular-nums}
.banner{border-radius:6px;padding:10px 12px;margin:0 0 12px;font-weight:600}
.banner div+div{font-weight:400;margin-top:2px}.banner.held{background:#fff3e0;border:1px solid var(--warn);color:#8a3b00}.banner.done{background:#e8f5e9;border:1px solid var(--ok);color:#1b5e20}
.banner.bad{background:#ffebee;border:1px solid var(--bad);color:var(--bad)}
.arrow{color:var(--muted)}ul.links{margin:4px 0;padding-left:20px}ul.held{list-style:none;margin:0;padding:0}ul.held li{border-bottom:1px solid var(--line);padding:8px 0}
.login{max-width:520px;margin:40px auto}.login form{display:flex;gap:8px;flex-wrap:wrap}.login input[type=password]{flex:1;min-width:0}
.error{color:var(--bad);font-weight:600}
@media (max-width:640px){header{padding:10px 12px}header h1{font-size:17px}main{padding:10px 8px 30px}section{padding:10px}dl.nums dd{font-size:19px}}
`;

function frame(lang: Lang, nonce: string, tools: string, body: string, opts: { script?: boolean; title?: string } = {}): string {
  const w = ROSTER_PAGE_WORDS[lang];
  const title = opts.title ?? w.title;
  return htmlPage({ lang, title, nonce, css: CSS, scripts: opts.script ? [ROSTER_PAGE_SCRIPT] : [], audience: w.audience, tools, body });
}

function langLink(lang: Lang, path: string, params: Record<string, string | undefined> = {}): string {
  const w = ROSTER_PAGE_WORDS[lang];
  return `<a href="${esc(path + q({ ...params, lang: w.otherLang }))}" hreflang="${w.otherLang}" lang="${w.otherLang}">${esc(w.otherLangName)}</a>`;
}

function logoutForm(lang: Lang): string {
  return `<form method="post" action="${ROSTER_PAGE_LOGOUT}"><input type="hidden" name="lang" value="${lang}"><button type="submit">${esc(ROSTER_PAGE_WORDS[lang].logout)}</button></form>`;
}

/** The login form: shown (with status 401) whenever the page is asked for without a usable key. */
export function renderLogin(lang: Lang, nonce: string, opts: { path: string; message?: string }): string {
  const w = ROSTER_PAGE_WORDS[lang];
  const body = `<section class="login"><h2>${esc(w.loginTitle)}</h2>
${opts.message ? `<p class="error" role="alert">${esc(opts.message)}</p>` : ''}<p>${esc(w.loginHelp)}</p>
<form method="post" action="${ROSTER_PAGE_LOGIN}"><input type="hidden" name="lang" value="${lang}">
<label for="key">${esc(w.key)}</label> <input id="key" type="password" name="key" required minlength="8" maxlength="200" autocomplete="current-password" autofocus>
<button type="submit" class="primary">${esc(w.login)}</button>
</form></section>`;
  return frame(lang, nonce, langLink(lang, opts.path), body);
}

/** A refusal said in the page's language: this key, this enterprise, or a form from another site. */
export function renderRefusal(lang: Lang, nonce: string, message: string): string {
  const w = ROSTER_PAGE_WORDS[lang];
  return frame(
    lang,
    nonce,
    logoutForm(lang),
    `<section class="login"><p class="error" role="alert">${esc(message)}</p><p><a href="${esc(ROSTER_PAGE + q({ lang }))}">${esc(w.backHome)}</a></p></section>`,
  );
}

function templateLinks(lang: Lang): string {
  const w = ROSTER_PAGE_WORDS[lang];
  return `<ul class="links"><li><a href="/v1/roster-template.csv${q({ lang })}" download>${esc(w.templateCsv)}</a></li><li><a href="/v1/roster-template.xlsx${q({ lang })}" download>${esc(w.templateXlsx)}</a></li></ul>`;
}

export interface HomeView {
  readonly enterprises: readonly EnterpriseChoice[];
  readonly selected?: string;
  readonly today: string;
  readonly held: readonly ImportRecord[];
  readonly names: ReadonlyMap<string, string>;
  /** ROSTER_MAX_REMOVAL_SHARE: a held upload removing more is shown as pending, whether a preview or not. */
  readonly maxShare: number;
  /** A file refused as a whole (no header, not CSV/XLSX, no row accepted…), in the page's language. */
  readonly error?: string;
}

/** The page: the uploads waiting for a decision, and the form that sends a file for a preview. */
export function renderHome(lang: Lang, nonce: string, v: HomeView): string {
  const w = ROSTER_PAGE_WORDS[lang];
  const options = v.enterprises
    .map((e) => `<option value="${esc(e.code)}"${e.code === v.selected ? ' selected' : ''}>${esc(unitLabel(e.name, e.code))}</option>`)
    .join('');
  const form = v.enterprises.length
    ? `<form class="upload" method="post" action="${ROSTER_PAGE_PREVIEW}" enctype="multipart/form-data">
<input type="hidden" name="lang" value="${lang}">
<label>${esc(w.enterprise)} <select id="enterprise" name="enterprise" required><option value="">${esc(w.chooseEnterprise)}</option>${options}</select></label>
<label>${esc(w.asOf)} <input id="asOf" type="text" name="asOf" value="${esc(dmy(v.today))}" inputmode="numeric" pattern="\\d{1,2}/\\d{1,2}/\\d{4}" placeholder="${esc(w.datePattern)}" autocomplete="off" required></label>
<label class="drop" id="drop" data-chosen="${esc(w.chosen)}" data-none="${esc(w.noneChosen)}">${esc(w.drop)}<input id="file" type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required><span class="chosen" id="chosen" aria-live="polite">${esc(w.noneChosen)}</span></label>
<p class="muted">${esc(w.previewHelp)}</p>
<div class="actions"><button type="submit" class="primary" id="send">${esc(w.preview)}</button></div>
</form>`
    : `<p>${esc(w.noEnterprise)}</p>`;
  const held = v.held.length
    ? `<ul class="held">${v.held
        .map(
          (r) =>
            `<li><a href="${esc(importPath(r.id) + q({ lang }))}">${esc(unitLabel(v.names.get(r.enterpriseCode) ?? r.enterpriseCode, r.enterpriseCode))}</a> · ${esc(w.state[heldState(r, v.maxShare)])} · ${esc(
              `${w.joined} ${num(lang, r.diff?.joined)}, ${w.left} ${num(lang, r.diff?.left)}`,
            )}</li>`,
        )
        .join('')}</ul>`
    : `<p class="muted">${esc(w.noHeld)}</p>`;
  const body = `${v.error ? `<p class="banner bad" role="alert">${esc(v.error)}</p>` : ''}<section><h2>${esc(w.uploadTitle)}</h2>${form}</section>
<section id="held"><h2>${esc(w.held)}</h2>${held}</section>
<section><h2>${esc(w.templates)}</h2>${templateLinks(lang)}</section>`;
  return frame(lang, nonce, `${langLink(lang, ROSTER_PAGE, { enterprise: v.selected })}${logoutForm(lang)}`, body, { script: true });
}

export interface ImportView {
  readonly rec: ImportRecord;
  readonly name: string;
  readonly mayConfirm: boolean;
  readonly mayReject: boolean;
  readonly maxShare: number;
  readonly hours: number;
  /** Why a confirmation or rejection was refused (not held any more, roster changed…), in the page's language. */
  readonly error?: string;
}

/** How a held upload is shown: pending when it removes more than the share allowed at once, even as a dry run's preview. */
const heldState = (r: ImportRecord, maxShare: number): ImportRecord['state'] =>
  r.state === 'preview' && r.removalShare !== null && r.removalShare > maxShare ? 'pending' : r.state;

const FIGURE_KEYS = ['headcount', 'smartphoneHolders', 'installed', 'bluetoothOn'] as const;

function figuresTable(lang: Lang, before: RosterAggregates | null, after: RosterAggregates | null): string {
  const w = ROSTER_PAGE_WORDS[lang];
  const rate = (a: RosterAggregates | null) => (a && a.headcount > 0 ? a.installed / a.headcount : null);
  const row = (label: string, b: string, a: string) =>
    `<tr><th scope="row">${esc(label)}</th><td class="n">${esc(b)}</td><td class="n arrow" aria-hidden="true">→</td><td class="n">${esc(a)}</td></tr>`;
  return `<div class="scroll"><table id="figures"><thead><tr><th scope="col">${esc(w.figure)}</th><th class="n" scope="col">${esc(w.before)}</th><th class="n" scope="col"><span class="arrow" aria-hidden="true"></span></th><th class="n" scope="col">${esc(w.after)}</th></tr></thead><tbody>${FIGURE_KEYS.map(
    (k) => row(w[k], num(lang, before?.[k]), num(lang, after?.[k])),
  ).join('')}${row(w.installRate, pct(lang, rate(before)), pct(lang, rate(after)))}</tbody></table></div>`;
}

/** One upload: its preview (rows, people, figures before → after) and, while it is held, confirm / reject. */
export function renderImport(lang: Lang, nonce: string, v: ImportView): string {
  const w = ROSTER_PAGE_WORDS[lang];
  const r = v.rec;
  const held = r.state === 'preview' || r.state === 'pending';
  const large = heldState(r, v.maxShare) === 'pending';
  let banner: string;
  if (held && large) {
    const text = rosterMessage(
      'heldPending',
      { left: r.diff?.left ?? 0, previous: r.before?.headcount ?? 0, share: r.removalShare ?? 0, maxShare: v.maxShare, hours: v.hours },
      lang,
    );
    banner = `<div class="banner held" id="state" data-state="pending" role="status"><div>${esc(w.heldLarge)}</div><div>${esc(text)}</div></div>`;
  } else if (held) {
    banner = `<div class="banner held" id="state" data-state="${esc(r.state)}" role="status"><div>${esc(w.state[r.state])}</div><div>${esc(rosterMessage('preview', { hours: v.hours }, lang))}</div></div>`;
  } else if (r.state === 'completed') {
    banner = `<div class="banner done" id="state" data-state="completed" role="status">${esc(w.inForce(r.revision ?? 0))}</div>`;
  } else {
    banner = `<div class="banner bad" id="state" data-state="${esc(r.state)}" role="status">${esc(w.state[r.state])}${held ? '' : ` · ${esc(w.nothingChanged)}`}</div>`;
  }
  const refused = r.rejected.length
    ? `<h3>${esc(w.refusedLines)}</h3><div class="scroll"><table id="refused"><thead><tr><th class="n" scope="col">${esc(w.line)}</th><th scope="col">${esc(w.reason)}</th></tr></thead><tbody>${r.rejected
        .map((l) => `<tr><td class="n">${esc(num(lang, l.line))}</td><td>${esc(rejectedRowReason(l.reason, lang))}</td></tr>`)
        .join('')}</tbody></table></div>${
        r.rowsRejected > r.rejected.length ? `<p class="muted">${esc(w.notListed(num(lang, r.rowsRejected - r.rejected.length)))}</p>` : ''
      }`
    : '';
  const nums = (items: Array<[string, string, string]>) =>
    `<dl class="nums">${items.map(([id, label, value]) => `<div id="${id}"><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`).join('')}</dl>`;
  const back = q({ lang, enterprise: r.enterpriseCode });
  const decide = held
    ? `<div class="actions">${
        v.mayConfirm
          ? `<form method="post" action="${esc(importPath(r.id))}/confirm"><input type="hidden" name="lang" value="${lang}"><input type="hidden" name="previewToken" value="${esc(r.previewToken)}"><button type="submit" class="primary" id="confirm">${esc(w.confirm)}</button></form>`
          : `<p class="muted">${esc(w.confirmByBoard)}</p>`
      }${
        v.mayReject
          ? `<form method="post" action="${esc(importPath(r.id))}/reject"><input type="hidden" name="lang" value="${lang}"><button type="submit" class="danger" id="reject">${esc(w.reject)}</button></form>`
          : ''
      }</div>`
    : '';
  const body = `${v.error ? `<p class="banner bad" role="alert">${esc(v.error)}</p>` : ''}<section><h2>${esc(unitLabel(v.name, r.enterpriseCode))}</h2>
<p class="muted">${esc(`${w.asOf} ${dmy(r.asOf)}`)}</p>
${banner}
<h3>${esc(w.rows)}</h3>${nums([
    ['rows-read', w.rowsRead, num(lang, r.rowsRead)],
    ['rows-accepted', w.rowsAccepted, num(lang, r.rowsAccepted)],
    ['rows-rejected', w.rowsRejected, num(lang, r.rowsRejected)],
  ])}
${refused}
<h3>${esc(w.people)}</h3>${nums([
    ['joined', w.joined, num(lang, r.diff?.joined)],
    ['left', w.left, num(lang, r.diff?.left)],
    ['newly-installed', w.newlyInstalled, num(lang, r.diff?.newlyInstalled)],
    ['removal', w.removal, pct(lang, r.removalShare)],
  ])}
<h3>${esc(w.figures)}</h3>${figuresTable(lang, r.before, r.aggregates)}
${decide}
<p><a href="${esc(ROSTER_PAGE + back)}">${esc(w.uploadAnother)}</a></p></section>`;
  return frame(lang, nonce, `${langLink(lang, importPath(r.id))}${logoutForm(lang)}`, body, { title: w.importTitle(r.enterpriseCode) });
}
