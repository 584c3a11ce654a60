import { COHORT_LABELS, STANDING_LABELS } from '@app/domain';
import type { ReportChart } from './document/trend-chart';
import { chartSvg } from './document/trend-chart';
import type { ReportLang } from './dto/daily-report-query.dto';

/** A report as data: the Markdown and the HTML are two renderings of the same document. */
export interface ReportDoc {
  lang: ReportLang;
  title: string;
  lead: string[];
  sections: ReportSection[];
}
export interface ReportSection {
  heading: string;
  paragraphs: string[];
  table?: { headers: string[]; rows: string[][] };
  /** A small chart drawn before the table (the week's trend): vector in the PDF, an image in the DOCX, SVG in HTML. */
  chart?: ReportChart;
}

/** The labels of libs/domain's catalogue (one for every page, report and export). */
export const STATUS_LABEL = STANDING_LABELS;
export const COHORT_LABEL = COHORT_LABELS;

/** Words of the report, Vietnamese first. */
export const WORDS = {
  vi: {
    title: (d: string) => `Báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày ${d}`,
    to: 'Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh',
    from: 'Sở Thông tin và Truyền thông báo cáo kết quả thực hiện Công văn số 3359/UBND-CNXD ngày 21/8/2020 như sau:',
    asOf: (d: string, t: string) => `Số liệu ngày ${d} cập nhật lần cuối lúc ${t} (giờ Việt Nam).`,
    noData: 'Chưa có số liệu.',
    s1: '1. Tình hình thực hiện các chỉ tiêu',
    s2: '2. Từng đối tượng',
    s3: '3. Diễn biến 7 ngày qua',
    s4: '4. Xếp hạng các huyện, thị xã, thành phố (thấp nhất trước)',
    s5: '5. Đơn vị chưa đạt chỉ tiêu và người đứng đầu (thấp nhất trước)',
    s6: '6. Đơn vị chưa báo cáo và người đứng đầu',
    s7: '7. Điểm hỗ trợ cài đặt',
    s8: '8. Hoạt động tuyên truyền',
    s9: '9. Thay đổi so với ngày trước',
    targetLine: (name: string, value: string, threshold: string, deadline: string, standing: string) =>
      `Chỉ tiêu “${name}”: đạt ${value} (mức yêu cầu ${threshold}, hạn ${deadline}) — ${standing}.`,
    shortLine: (people: string, units: string, silent: string) =>
      `Còn thiếu ${people} người; ${units} đơn vị chưa đạt; ${silent} đơn vị chưa báo cáo.`,
    trendTitle: (from: string, to: string) => `Tỷ lệ toàn tỉnh theo từng chỉ tiêu từ ${from} đến ${to}`,
    day: 'Ngày',
    targets: 'Chỉ tiêu',
    silentNone: 'Tất cả các đơn vị phải báo cáo đều đã báo cáo.',
    silentCount: (n: string) => `${n} đơn vị chưa gửi báo cáo trong thời hạn:`,
    movements: (n: string) => `${n} đơn vị thay đổi tình trạng so với ngày trước:`,
    movement: (a: string, b: string, n: string) => `${a} → ${b}: ${n} đơn vị.`,
    largest: 'Các thay đổi lớn nhất:',
    largestLine: (u: string, t: string, a: string, b: string, d: string) => `${u} (${t}): ${a} → ${b} (${d} điểm phần trăm).`,
    target: 'Chỉ tiêu',
    value: 'Kết quả',
    threshold: 'Mức yêu cầu',
    status: 'Tình trạng',
    gap: 'Số người cần cài thêm',
    breachedUnits: 'Đơn vị chưa đạt',
    peopleShort: 'Số người còn thiếu',
    silentUnits: 'Đơn vị chưa báo cáo',
    populationRate: 'Tỷ lệ trên dân số',
    deadline: 'Hạn',
    cohort: 'Đối tượng',
    installed: 'Đã cài đặt',
    holders: 'Có điện thoại thông minh',
    installRate: 'Tỷ lệ cài đặt',
    bluetoothRate: 'Tỷ lệ bật Bluetooth',
    reporting: 'Đơn vị báo cáo',
    rank: 'Hạng',
    district: 'Đơn vị',
    head: 'Người đứng đầu',
    population: 'Dân số',
    change: 'Thay đổi',
    unit: 'Đơn vị',
    accountableTo: 'Chịu trách nhiệm trước',
    coverage: (a: string, b: string, r: string) => `${a}/${b} xã, phường, thị trấn có điểm hỗ trợ (${r}).`,
    pointsLine: (p: string, as: string, ins: string) =>
      `${p} điểm hỗ trợ đang hoạt động; trong ngày hỗ trợ ${as} lượt, cài đặt ${ins} lượt.`,
    operator: 'Đơn vị cung cấp',
    points: 'Số điểm',
    communes: 'Số xã có điểm',
    assisted: 'Lượt hỗ trợ trong ngày',
    broadcast: (a: string, b: string, c: string) =>
      `Phát thanh: ${a}/${b} xã, phường, thị trấn phát nội dung tuyên truyền ở đầu và cuối mọi buổi phát thanh; ${c} xã có phát thanh trong ngày.`,
    doorToDoor: (h: string) => `Đến từng hộ gia đình: ${h} hộ được vận động.`,
    teams: (t: string) => `Tổ tuyên truyền: ${t} tổ.`,
    venues: (v: string, c: string) =>
      `Cơ sở kinh doanh ăn uống, du lịch, giải trí: ${v} cơ sở được vận động, ${c} lượt khách được hướng dẫn.`,
    hq: (v: string, i: string) => `Kiểm tra khách đến trụ sở: ${v} lượt, cài đặt tại chỗ ${i} lượt.`,
    transport: (p: string, i: string, r: string) => `Bến xe, bến phà: kiểm tra ${p} hành khách, cài đặt tại chỗ ${i}, tỷ lệ đã cài ${r}.`,
    rateChange: (c: string, a: string, b: string, d: string) => `${c}: ${a} → ${b} (${d} điểm phần trăm).`,
    noChange: 'Không có thay đổi.',
    none: 'Không có.',
  },
  en: {
    title: (d: string) => `Bluezone installation report for ${d}`,
    to: 'To: the Chairman of the People’s Committee of Trà Vinh province',
    from: 'The Department of Information and Communications reports on Official Letter No. 3359/UBND-CNXD of 21/08/2020:',
    asOf: (d: string, t: string) => `Figures of ${d} last updated at ${t} (Vietnam time).`,
    noData: 'No data yet.',
    s1: '1. The targets on the day',
    s2: '2. Each cohort',
    s3: '3. The last 7 days',
    s4: '4. Districts ranked (worst first)',
    s5: '5. Units below target and their heads (worst first)',
    s6: '6. Units not reporting and their heads',
    s7: '7. Installation support points',
    s8: '8. Campaign activity',
    s9: '9. Changes since the day before',
    targetLine: (name: string, value: string, threshold: string, deadline: string, standing: string) =>
      `Target “${name}”: ${value} (threshold ${threshold}, deadline ${deadline}) — ${standing}.`,
    shortLine: (people: string, units: string, silent: string) =>
      `${people} people short; ${units} units short; ${silent} units not reporting.`,
    trendTitle: (from: string, to: string) => `The province's rate per target from ${from} to ${to}`,
    day: 'Day',
    targets: 'Targets',
    silentNone: 'Every unit that must report has reported.',
    silentCount: (n: string) => `${n} units have not reported within the window:`,
    movements: (n: string) => `${n} units changed status since the day before:`,
    movement: (a: string, b: string, n: string) => `${a} → ${b}: ${n} units.`,
    largest: 'The largest changes:',
    largestLine: (u: string, t: string, a: string, b: string, d: string) => `${u} (${t}): ${a} → ${b} (${d} percentage points).`,
    target: 'Target',
    value: 'Value',
    threshold: 'Threshold',
    status: 'Status',
    gap: 'People still to install',
    breachedUnits: 'Units short',
    peopleShort: 'People short',
    silentUnits: 'Units not reporting',
    populationRate: 'Rate of population',
    deadline: 'Deadline',
    cohort: 'Cohort',
    installed: 'Installed',
    holders: 'Smartphone holders',
    installRate: 'Install rate',
    bluetoothRate: 'Bluetooth rate',
    reporting: 'Units reporting',
    rank: 'Rank',
    district: 'Unit',
    head: 'Head',
    population: 'Population',
    change: 'Change',
    unit: 'Unit',
    accountableTo: 'Accountable to',
    coverage: (a: string, b: string, r: string) => `${a} of ${b} communes have a support point (${r}).`,
    pointsLine: (p: string, as: string, ins: string) => `${p} support points open; ${as} people assisted and ${ins} installs that day.`,
    operator: 'Operator',
    points: 'Points',
    communes: 'Communes covered',
    assisted: 'Assisted that day',
    broadcast: (a: string, b: string, c: string) =>
      `Radio: ${a} of ${b} communes aired the promotion at the start and the end of every broadcast; ${c} communes broadcast that day.`,
    doorToDoor: (h: string) => `Door to door: ${h} households visited.`,
    teams: (t: string) => `Propaganda teams: ${t}.`,
    venues: (v: string, c: string) => `Food, tourism and entertainment venues: ${v} mobilised, ${c} customers guided.`,
    hq: (v: string, i: string) => `Headquarters visitor checks: ${v} visitors, ${i} installed on site.`,
    transport: (p: string, i: string, r: string) =>
      `Bus stations and ferry terminals: ${p} passengers checked, ${i} installed on site, ${r} with the app.`,
    rateChange: (c: string, a: string, b: string, d: string) => `${c}: ${a} → ${b} (${d} percentage points).`,
    noChange: 'No change.',
    none: 'None.',
  },
} as const;

export { fmtInt, fmtPct, fmtPoints } from './report-numbers';

export function fmtDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/** An "as of" time (2020-08-30T17:05:12+07:00, already on the province's clock) as officials write it: 17:05:12 30/08/2020. */
export function fmtDateTime(at: string): string {
  return `${at.slice(11, 19)} ${fmtDate(at.slice(0, 10))}`;
}

/**
 * Text as Markdown that renders as that text: `&`, `<` and `>` as entities (so no raw HTML such as a
 * <script> in a unit name, and no autolink, reaches a Markdown viewer), the inline markup characters
 * backslash-escaped (no link, image, emphasis or code span), and a character that would open a block
 * (heading, quote, list, thematic break) escaped at the start of the text. Every string of the report
 * document is text: its Markdown is made by renderMarkdown alone.
 */
export function mdText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ')
    .replace(/^(\s*)([#+=-]|\d+[.)])/, (_m, space: string, mark: string) => `${space}${mark.slice(0, -1)}\\${mark.slice(-1)}`);
}

export function renderMarkdown(doc: ReportDoc): string {
  const out: string[] = [`# ${mdText(doc.title)}`, '', ...doc.lead.flatMap((l) => [mdText(l), '']), ''];
  for (const s of doc.sections) {
    out.push(`## ${mdText(s.heading)}`, '');
    for (const p of s.paragraphs) out.push(mdText(p), '');
    if (s.table) {
      out.push(`| ${s.table.headers.map(mdText).join(' | ')} |`, `|${s.table.headers.map(() => ' --- ').join('|')}|`);
      for (const r of s.table.rows) out.push(`| ${r.map(mdText).join(' | ')} |`);
      out.push('');
    }
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderHtml(doc: ReportDoc, styleNonce: string): string {
  const parts = [
    '<!DOCTYPE html>',
    `<html lang="${doc.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(doc.title)}</title>`,
    `<style nonce="${esc(styleNonce)}">body{font-family:"Times New Roman",serif;max-width:960px;margin:2em auto;line-height:1.4}table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #999;padding:.25em .5em;text-align:left}th{background:#eee}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(doc.title)}</h1>`,
    ...doc.lead.map((l) => `<p>${esc(l)}</p>`),
  ];
  for (const s of doc.sections) {
    parts.push(`<h2>${esc(s.heading)}</h2>`);
    for (const p of s.paragraphs) parts.push(`<p>${esc(p)}</p>`);
    if (s.chart) parts.push(`<figure>${chartSvg(s.chart, 620)}</figure>`);
    if (s.table) {
      parts.push('<table>', `<thead><tr>${s.table.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`, '<tbody>');
      for (const r of s.table.rows) parts.push(`<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
      parts.push('</tbody>', '</table>');
    }
  }
  parts.push('</body>', '</html>');
  return `${parts.join('\n')}\n`;
}
