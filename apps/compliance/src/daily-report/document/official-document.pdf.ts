import PDFDocument from 'pdfkit';
import { DOCUMENT_FONTS } from './document-fonts';
import type { OfficialDocument } from './official-document';
import { autoColumnWidths } from './table-layout';
import { chartHeight, drawChartPdf } from './trend-chart';

const MM = 72 / 25.4;
/** Decree 30/2020, Appendix I: A4, margins top and bottom 20 mm, left 30 mm, right 15 mm; body in 13 pt. */
const MARGINS = { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM };
const BODY = 13;
const TABLE = 9;
const TABLE_PADDING = 2;

/** Lets the event loop run (health checks, other requests, the watchdog) between pieces of a long layout. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The document as a PDF, its fonts embedded (subsets of DejaVu Serif, which covers Vietnamese). Laid out a
 * section at a time, yielding between them: a long report must not block the service's event loop.
 */
export async function renderOfficialPdf(d: OfficialDocument): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    lang: d.lang,
    info: { Title: d.subject, Author: d.issuer, Subject: d.title },
    bufferPages: true,
  });
  pdf.registerFont('regular', DOCUMENT_FONTS.regular);
  pdf.registerFont('bold', DOCUMENT_FONTS.bold);
  pdf.registerFont('italic', DOCUMENT_FONTS.italic);
  pdf.registerFont('boldItalic', DOCUMENT_FONTS.boldItalic);
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const left = MARGINS.left;
  const width = pdf.page.width - MARGINS.left - MARGINS.right;
  const leftW = width * 0.4;
  const rightX = left + leftW;
  const rightW = width - leftW;
  const top = MARGINS.top;

  // Left header: the issuer's superior, the issuer (bold, a short rule under it), number, subject.
  pdf.font('regular').fontSize(11).text(d.issuerSuperior, left, top, { width: leftW, align: 'center' });
  pdf.font('bold').fontSize(11).text(d.issuer, { width: leftW, align: 'center' });
  const ruleY = pdf.y + 2;
  pdf
    .moveTo(left + leftW * 0.3, ruleY)
    .lineTo(left + leftW * 0.7, ruleY)
    .lineWidth(0.6)
    .stroke();
  pdf.y = ruleY + 6;
  pdf.font('regular').fontSize(BODY).text(d.number, left, pdf.y, { width: leftW, align: 'center' });
  pdf.fontSize(11).text(d.subject, { width: leftW, align: 'center' });
  const leftBottom = pdf.y;

  // Right header: the national title and motto (bold, the motto underlined), then place and date (italic).
  pdf.font('bold').fontSize(11).text(d.nation, rightX, top, { width: rightW, align: 'center' });
  pdf.font('bold').fontSize(12).text(d.motto, { width: rightW, align: 'center' });
  const mottoW = pdf.widthOfString(d.motto);
  const mottoY = pdf.y + 1;
  pdf
    .moveTo(rightX + (rightW - mottoW) / 2, mottoY)
    .lineTo(rightX + (rightW + mottoW) / 2, mottoY)
    .stroke();
  pdf.y = mottoY + 8;
  pdf.font('italic').fontSize(BODY).text(d.placeDate, rightX, pdf.y, { width: rightW, align: 'center' });

  pdf.y = Math.max(leftBottom, pdf.y) + 18;
  pdf.font('bold').fontSize(14).text(d.kind, left, pdf.y, { width, align: 'center' });
  pdf.font('bold').fontSize(BODY).text(d.title, { width, align: 'center' });
  pdf.moveDown(1);

  for (const l of d.lead) pdf.font('regular').fontSize(BODY).text(l, left, pdf.y, { width, align: 'justify', indent: 28 });
  for (const s of d.sections) {
    await breathe();
    pdf.moveDown(0.5);
    pdf.font('bold').fontSize(BODY).text(s.heading, left, pdf.y, { width });
    for (const p of s.paragraphs) pdf.font('regular').fontSize(BODY).text(p, left, pdf.y, { width, align: 'justify', indent: 28 });
    if (s.chart) {
      // The week's trend, drawn as vector graphics; on a new page when the rest of this one cannot hold it.
      if (pdf.y + chartHeight(s.chart) + 8 > pdf.page.height - MARGINS.bottom) pdf.addPage();
      const top = pdf.y + 4;
      pdf.y = top + drawChartPdf(pdf, s.chart, left, top, width, 'regular') + 4;
      pdf.x = left;
    }
    if (s.table && s.table.rows.length) {
      pdf.moveDown(0.3);
      const measure = (text: string, header: boolean) =>
        pdf
          .font(header ? 'bold' : 'regular')
          .fontSize(TABLE)
          .widthOfString(text);
      const columnStyles = autoColumnWidths([s.table.headers, ...s.table.rows], measure, width, TABLE_PADDING);
      pdf.font('regular').fontSize(TABLE);
      pdf.table({
        position: { x: left, y: pdf.y },
        maxWidth: width,
        columnStyles,
        data: [s.table.headers.map((h) => ({ text: h, font: { src: 'bold' }, backgroundColor: '#eeeeee' })), ...s.table.rows],
        defaultStyle: { padding: TABLE_PADDING, border: 0.5 },
      });
      pdf.x = left;
    }
  }

  // Closing block: recipients on the left (bold italic heading, 11 pt list), the signature on the right.
  pdf.moveDown(1.5);
  if (pdf.y > pdf.page.height - MARGINS.bottom - 160) pdf.addPage();
  const closeY = pdf.y;
  pdf.font('boldItalic').fontSize(12).text(d.recipientsHeading, left, closeY, { width: leftW });
  pdf.font('regular').fontSize(11);
  for (const r of d.recipients) pdf.text(r, { width: leftW });
  const sigX = left + width / 2;
  const sigW = width / 2;
  pdf.font('bold').fontSize(BODY);
  if (d.signer.authority) pdf.text(d.signer.authority, sigX, closeY, { width: sigW, align: 'center' });
  pdf.text(d.signer.title, sigX, d.signer.authority ? pdf.y : closeY, { width: sigW, align: 'center' });
  pdf.moveDown(4);
  pdf.text(d.signer.name, sigX, pdf.y, { width: sigW, align: 'center' });

  // Page numbers from the second page on, centred at the top (Appendix I).
  const range = pdf.bufferedPageRange();
  for (let i = 1; i < range.count; i++) {
    pdf.switchToPage(range.start + i);
    pdf
      .font('regular')
      .fontSize(BODY)
      .text(String(i + 1), left, MARGINS.top / 2, { width, align: 'center', lineBreak: false });
  }
  pdf.end();
  return done;
}
