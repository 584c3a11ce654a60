import { Resvg } from '@resvg/resvg-js';
import type { Lang } from '@app/domain';
import { fmtPct } from '../../presentation/format';
import { DOCUMENT_FONT_NAME, DOCUMENT_FONTS } from './document-fonts';

/**
 * The week's trend of the daily report as a small line chart: one line per target (the province's value on
 * each day), its threshold dashed in the same colour. Laid out once as drawing primitives, then drawn as
 * vector graphics into the PDF (pdfkit), as SVG (the HTML report) and as a PNG rendered from that SVG with
 * the documents' own font (the DOCX). Nothing is fetched from anywhere.
 */
export interface ReportChart {
  /** Accessible description (the SVG's title, the image's alt text). */
  title: string;
  /** The days, as shown under the axis (dd/mm). */
  days: string[];
  series: Array<{ name: string; values: Array<number | null>; threshold: number }>;
  /** The legend's word for the dashed line ("mức yêu cầu"). */
  thresholdWord: string;
  /** How a fraction is written on the axis and the labels (Vietnamese or English numbers). */
  /** The reader's language: the chart's percentages are written as the report writes them. */
  lang: Lang;
}

type Prim =
  | { k: 'line'; x1: number; y1: number; x2: number; y2: number; color: string; width: number; dash?: boolean }
  | { k: 'poly'; pts: Array<[number, number]>; color: string; width: number }
  | { k: 'dot'; x: number; y: number; r: number; color: string }
  | { k: 'text'; x: number; y: number; text: string; size: number; anchor: 'start' | 'middle' | 'end'; color: string };

const COLORS = ['#0b5394', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a'];
const GRID = '#cccccc';
const INK = '#222222';
const LEGEND_LINE = 13;
const LEGEND_CHARS = 72;

/** The chart's height for a width: the plot and one legend line per target. */
export function chartHeight(c: ReportChart): number {
  return 150 + c.series.length * LEGEND_LINE;
}

/** The primitives of the chart in a box of `w` × chartHeight points, origin top left, y downwards; text y is the baseline. */
function layout(c: ReportChart, w: number): Prim[] {
  const plot = { left: 38, right: w - 18, top: 10, bottom: 150 - 28 };
  const out: Prim[] = [];
  const y = (v: number) => plot.bottom - Math.max(0, Math.min(1, v)) * (plot.bottom - plot.top);
  const n = c.days.length;
  const x = (i: number) => (n <= 1 ? (plot.left + plot.right) / 2 : plot.left + (i * (plot.right - plot.left)) / (n - 1));
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    out.push({ k: 'line', x1: plot.left, y1: y(v), x2: plot.right, y2: y(v), color: GRID, width: 0.5 });
    out.push({ k: 'text', x: plot.left - 4, y: y(v) + 2.5, text: pct(c.lang, v), size: 7, anchor: 'end', color: INK });
  }
  c.days.forEach((d, i) => out.push({ k: 'text', x: x(i), y: plot.bottom + 11, text: d, size: 7, anchor: 'middle', color: INK }));
  out.push({ k: 'line', x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, color: INK, width: 0.8 });
  c.series.forEach((s, si) => {
    const color = COLORS[si % COLORS.length];
    out.push({ k: 'line', x1: plot.left, y1: y(s.threshold), x2: plot.right, y2: y(s.threshold), color, width: 0.8, dash: true });
    // A line through consecutive days with a value; a day without one breaks it.
    let run: Array<[number, number]> = [];
    const flush = () => {
      if (run.length > 1) out.push({ k: 'poly', pts: run, color, width: 1.6 });
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      run.push([x(i), y(v)]);
      out.push({ k: 'dot', x: x(i), y: y(v), r: 1.8, color });
    });
    flush();
    const last = s.values
      .map((v, i) => [v, i] as const)
      .filter(([v]) => v !== null)
      .at(-1);
    if (last) out.push({ k: 'text', x: x(last[1]) - 3, y: y(last[0]!) - 4, text: pct(c.lang, last[0]!), size: 7, anchor: 'end', color });
    const ly = 150 - 6 + si * LEGEND_LINE;
    out.push({ k: 'line', x1: plot.left, y1: ly - 2.5, x2: plot.left + 16, y2: ly - 2.5, color, width: 1.6 });
    out.push({ k: 'line', x1: plot.left + 18, y1: ly - 2.5, x2: plot.left + 30, y2: ly - 2.5, color, width: 0.8, dash: true });
    const name = s.name.length > LEGEND_CHARS ? `${s.name.slice(0, LEGEND_CHARS - 1)}…` : s.name;
    out.push({
      k: 'text',
      x: plot.left + 34,
      y: ly,
      text: `${name} (${c.thresholdWord} ${pct(c.lang, s.threshold)})`,
      size: 7,
      anchor: 'start',
      color: INK,
    });
  });
  return out;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => Math.round(v * 100) / 100;

/** The chart as SVG (inline in the HTML report; the source of the DOCX's PNG). */
export function chartSvg(c: ReportChart, w: number): string {
  const h = chartHeight(c);
  const body = layout(c, w)
    .map((p) => {
      switch (p.k) {
        case 'line':
          return `<line x1="${num(p.x1)}" y1="${num(p.y1)}" x2="${num(p.x2)}" y2="${num(p.y2)}" stroke="${p.color}" stroke-width="${p.width}"${p.dash ? ' stroke-dasharray="3 2"' : ''}/>`;
        case 'poly':
          return `<polyline points="${p.pts.map(([a, b]) => `${num(a)},${num(b)}`).join(' ')}" fill="none" stroke="${p.color}" stroke-width="${p.width}"/>`;
        case 'dot':
          return `<circle cx="${num(p.x)}" cy="${num(p.y)}" r="${p.r}" fill="${p.color}"/>`;
        case 'text':
          return `<text x="${num(p.x)}" y="${num(p.y)}" font-size="${p.size}" text-anchor="${p.anchor}" fill="${p.color}">${xml(p.text)}</text>`;
      }
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${DOCUMENT_FONT_NAME}" role="img" aria-label="${xml(c.title)}"><title>${xml(c.title)}</title><rect width="${w}" height="${h}" fill="#ffffff"/>${body}</svg>`;
}

/** The chart as a PNG (`scale` pixels per point), drawn from its SVG with the documents' DejaVu Serif. */
export function chartPng(c: ReportChart, w: number, scale = 3): Buffer {
  const resvg = new Resvg(chartSvg(c, w), {
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: [DOCUMENT_FONTS.regular], loadSystemFonts: false, defaultFontFamily: DOCUMENT_FONT_NAME },
  });
  return resvg.render().asPng();
}

/** What the PDF renderer needs of a pdfkit document (kept narrow so the layout is testable without one). */
export interface PdfCanvas {
  save(): this;
  restore(): this;
  moveTo(x: number, y: number): this;
  lineTo(x: number, y: number): this;
  lineWidth(w: number): this;
  strokeColor(c: string): this;
  fillColor(c: string): this;
  dash(length: number, opts?: { space?: number }): this;
  undash(): this;
  stroke(): this;
  circle(x: number, y: number, r: number): this;
  fill(): this;
  font(name: string): this;
  fontSize(size: number): this;
  widthOfString(s: string): number;
  text(s: string, x: number, y: number, opts?: { lineBreak?: boolean }): this;
}

/** The chart drawn as vector graphics at (x, y) in a PDF, `w` points wide; returns its height. */
export function drawChartPdf(pdf: PdfCanvas, c: ReportChart, x: number, y: number, w: number, font: string): number {
  pdf.save();
  for (const p of layout(c, w)) {
    switch (p.k) {
      case 'line':
        pdf.lineWidth(p.width).strokeColor(p.color);
        if (p.dash) pdf.dash(3, { space: 2 });
        pdf
          .moveTo(x + p.x1, y + p.y1)
          .lineTo(x + p.x2, y + p.y2)
          .stroke();
        if (p.dash) pdf.undash();
        break;
      case 'poly':
        pdf
          .lineWidth(p.width)
          .strokeColor(p.color)
          .moveTo(x + p.pts[0][0], y + p.pts[0][1]);
        for (const [a, b] of p.pts.slice(1)) pdf.lineTo(x + a, y + b);
        pdf.stroke();
        break;
      case 'dot':
        pdf
          .fillColor(p.color)
          .circle(x + p.x, y + p.y, p.r)
          .fill();
        break;
      case 'text': {
        pdf.font(font).fontSize(p.size).fillColor(p.color);
        const tw = pdf.widthOfString(p.text);
        const left = p.anchor === 'start' ? p.x : p.anchor === 'middle' ? p.x - tw / 2 : p.x - tw;
        // pdfkit places text by its top: the baseline sits about 0.8 em below it.
        pdf.text(p.text, x + left, y + p.y - p.size * 0.8, { lineBreak: false });
        break;
      }
    }
  }
  pdf.restore();
  pdf.fillColor('#000000').strokeColor('#000000');
  return chartHeight(c);
}

/** A chart's percentage: the report's, without trailing zeros (97,81%, 50%). */
function pct(lang: Lang, fraction: number): string {
  return fmtPct(lang, fraction).replace(/[.,]00%$/, '%');
}
