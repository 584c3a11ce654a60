import type { Lang } from '@app/domain';
import { escapeHtml } from '@app/platform';
import type { ReportChart } from './document/trend-chart';
import { chartSvg } from './document/trend-chart';

/** A report as data: the Markdown and the HTML are two renderings of the same document. */
export interface ReportDoc {
  lang: Lang;
  title: string;
  lead: string[];
  sections: ReportSection[];
}
export interface ReportSection {
  heading: string;
  /** A part of the section before it (5.1 of 5): its heading one level down in HTML and Markdown. */
  sub?: boolean;
  paragraphs: string[];
  table?: { headers: string[]; rows: string[][] };
  /** A small chart drawn before the table (the week's trend): vector in the PDF, an image in the DOCX, SVG in HTML. */
  chart?: ReportChart;
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
    out.push(`${s.sub ? '###' : '##'} ${mdText(s.heading)}`, '');
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

const esc = escapeHtml;

export function renderHtml(doc: ReportDoc, styleNonce: string): string {
  const parts = [
    '<!DOCTYPE html>',
    `<html lang="${doc.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    // Laid out at the phone's own width (the chairman's office reads it there too): without this a phone lays the page
    // out 980 px wide and shrinks it. A wide table scrolls within its box; the chart shrinks to fit.
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(doc.title)}</title>`,
    `<style nonce="${esc(styleNonce)}">body{font-family:"Times New Roman",serif;max-width:960px;margin:2em auto;padding:0 1em;line-height:1.4}table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #999;padding:.25em .5em;text-align:left}th{background:#eee}.scroll{overflow-x:auto}figure{margin:1em 0}figure svg{max-width:100%;height:auto}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(doc.title)}</h1>`,
    ...doc.lead.map((l) => `<p>${esc(l)}</p>`),
  ];
  for (const s of doc.sections) {
    parts.push(s.sub ? `<h3>${esc(s.heading)}</h3>` : `<h2>${esc(s.heading)}</h2>`);
    for (const p of s.paragraphs) parts.push(`<p>${esc(p)}</p>`);
    if (s.chart) parts.push(`<figure>${chartSvg(s.chart, 620)}</figure>`);
    if (s.table) {
      parts.push(
        '<div class="scroll"><table>',
        `<thead><tr>${s.table.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`,
        '<tbody>',
      );
      for (const r of s.table.rows) parts.push(`<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
      parts.push('</tbody>', '</table></div>');
    }
  }
  parts.push('</body>', '</html>');
  return `${parts.join('\n')}\n`;
}
