import { readFileSync } from 'node:fs';
import {
  AlignmentType,
  BorderStyle,
  CharacterSet,
  Document,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  Header,
  ImageRun,
  type IParagraphOptions,
} from 'docx';
import { DOCUMENT_FONT_NAME, DOCUMENT_FONTS } from './document-fonts';
import type { OfficialDocument } from './official-document';
import { chartHeight, chartPng, type ReportChart } from './trend-chart';

/** Half-points, as Word counts font sizes: 13 pt body (Decree 30/2020, Appendix I). */
const BODY = 26;
const SMALL = 24;
const TABLE = 20;
/** Twentieths of a point per millimetre. */
const MM = 1440 / 25.4;

let fonts: { data: Buffer; bold: Buffer; italic: Buffer; boldItalic: Buffer } | null = null;
function fontFiles() {
  fonts ??= {
    data: readFileSync(DOCUMENT_FONTS.regular),
    bold: readFileSync(DOCUMENT_FONTS.bold),
    italic: readFileSync(DOCUMENT_FONTS.italic),
    boldItalic: readFileSync(DOCUMENT_FONTS.boldItalic),
  };
  return fonts;
}

const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };

function line(
  text: string,
  run: { bold?: boolean; italics?: boolean; underline?: boolean; size?: number } = {},
  para: IParagraphOptions = {},
): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    ...para,
    children: [
      new TextRun({
        text,
        bold: run.bold,
        italics: run.italics,
        underline: run.underline ? {} : undefined,
        size: run.size ?? BODY,
      }),
    ],
  });
}

function body(text: string): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: Math.round(10 * MM) },
    spacing: { after: 60 },
    children: [new TextRun({ text, size: BODY })],
  });
}

function twoColumns(left: Paragraph[], right: Paragraph[], leftShare: number): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          new TableCell({ width: { size: leftShare, type: WidthType.PERCENTAGE }, borders: NO_BORDERS, children: left }),
          new TableCell({ width: { size: 100 - leftShare, type: WidthType.PERCENTAGE }, borders: NO_BORDERS, children: right }),
        ],
      }),
    ],
  });
}

function dataTable(headers: string[], rows: string[][]): Table {
  const cell = (text: string, header: boolean) =>
    new TableCell({
      shading: header ? { type: ShadingType.CLEAR, fill: 'EEEEEE', color: 'auto' } : undefined,
      children: [new Paragraph({ children: [new TextRun({ text, bold: header, size: TABLE })] })],
    });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: headers.map((h) => cell(h, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c, false)) })),
    ],
  });
}

/** Points across the text block (A4 less the margins of Decree 30: 165 mm), the chart's width. */
const CHART_POINTS = 460;

/** The week's trend as a picture (a PNG drawn from the chart's SVG with the document's font), as wide as the text. */
function chartParagraph(c: ReportChart): Paragraph {
  const px = (pt: number) => Math.round((pt * 96) / 72);
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { before: 60, after: 60 },
    children: [
      new ImageRun({
        type: 'png',
        data: chartPng(c, CHART_POINTS),
        transformation: { width: px(CHART_POINTS), height: px(chartHeight(c)) },
        altText: { name: 'trend', title: c.title, description: c.title },
      }),
    ],
  });
}

/** The document as DOCX (Word 2007+), with DejaVu Serif embedded so Vietnamese renders without the font installed. */
export async function renderOfficialDocx(d: OfficialDocument): Promise<Buffer> {
  const header = twoColumns(
    [
      line(d.issuerSuperior, { size: SMALL }),
      line(d.issuer, { bold: true, size: SMALL }),
      line(''),
      line(d.number),
      line(d.subject, { size: 22 }),
    ],
    [
      line(d.nation, { bold: true, size: SMALL }),
      line(d.motto, { bold: true, underline: true }),
      line(''),
      line(d.placeDate, { italics: true }),
    ],
    40,
  );
  const content: Array<Paragraph | Table> = [
    header,
    line('', {}, { spacing: { after: 120 } }),
    line(d.kind, { bold: true, size: 28 }),
    line(d.title, { bold: true }, { spacing: { after: 240 } }),
    ...d.lead.map(body),
  ];
  for (const s of d.sections) {
    content.push(
      new Paragraph({ spacing: { before: 120, after: 60 }, children: [new TextRun({ text: s.heading, bold: true, size: BODY })] }),
    );
    content.push(...s.paragraphs.map(body));
    if (s.chart) content.push(chartParagraph(s.chart));
    if (s.table && s.table.rows.length) content.push(dataTable(s.table.headers, s.table.rows));
  }
  content.push(line('', {}, { spacing: { after: 240 } }));
  const signature = [
    ...(d.signer.authority ? [line(d.signer.authority, { bold: true })] : []),
    line(d.signer.title, { bold: true }),
    line(''),
    line(''),
    line(''),
    line(d.signer.name, { bold: true }),
  ];
  const recipients = [
    new Paragraph({ children: [new TextRun({ text: d.recipientsHeading, bold: true, italics: true, size: SMALL })] }),
    ...d.recipients.map((r) => new Paragraph({ children: [new TextRun({ text: r, size: 22 })] })),
  ];
  content.push(twoColumns(recipients, signature, 50));

  const f = fontFiles();
  const doc = new Document({
    creator: d.issuer,
    title: d.subject,
    description: d.title,
    fonts: [{ name: DOCUMENT_FONT_NAME, ...f, characterSet: CharacterSet.VIETNAMESE }],
    styles: { default: { document: { run: { font: DOCUMENT_FONT_NAME, size: BODY }, paragraph: {} } } },
    sections: [
      {
        properties: {
          titlePage: true,
          page: {
            margin: { top: Math.round(20 * MM), bottom: Math.round(20 * MM), left: Math.round(30 * MM), right: Math.round(15 * MM) },
          },
        },
        headers: {
          default: new Header({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [PageNumber.CURRENT] })] })],
          }),
          first: new Header({ children: [] }),
        },
        children: content,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
