import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import type { Lang } from '@app/domain';
import { toCsv } from '../common/listing';
import { markFreshness } from '../common/respond';
import { exportValue, type CellKind, type TableSpec } from './dashboard-tables';
import type { ExportFormat } from './dto/dashboard-query.dto';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Excel number formats per kind: percentages stay fractions shown as %, points signed, counts grouped, days as dates. */
const NUM_FMT: Partial<Record<CellKind, string>> = {
  pct: '0.00%',
  pp: '+0.00;-0.00;0.00',
  int: '#,##0',
  date: 'dd/mm/yyyy',
};

/** A day as an Excel date (a number underneath), at UTC midnight so no time zone shifts it. */
const excelDate = (iso: string) => new Date(`${iso}T00:00:00Z`);

/**
 * One table as a file. CSV goes through the service's one CSV writer (UTF-8 with BOM, formula-looking text
 * neutralised by csvCell); XLSX holds numbers as numbers with their formats, and text as text (a string
 * cell is never a formula in XLSX). Headers in the chosen language, English by default.
 */
export async function sendTable<T>(
  reply: FastifyReply,
  spec: TableSpec<T>,
  rows: readonly T[],
  opts: { lang?: Lang; format: ExportFormat; filename: string; asOfEvent: string | null },
): Promise<string | Buffer> {
  const headerLang = opts.lang ?? 'en';
  markFreshness(reply, opts.asOfEvent);
  if (opts.format === 'csv') {
    void reply.header('content-type', 'text/csv; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="${opts.filename}.csv"`);
    return toCsv(
      spec.columns.map((c) => ({ header: c.header(headerLang), value: (r: T) => exportValue(c, r, opts.lang) })),
      rows,
    );
  }
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(spec.id.slice(0, 31));
  ws.columns = spec.columns.map((c) => ({
    header: c.header(headerLang),
    width: Math.min(48, Math.max(12, c.header(headerLang).length + 2)),
    style: NUM_FMT[c.kind] ? { numFmt: NUM_FMT[c.kind] } : {},
  }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) {
    ws.addRow(
      spec.columns.map((c) => {
        const v = exportValue(c, r, opts.lang);
        if (v === null || v === undefined) return null;
        if (c.kind === 'date' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return excelDate(v);
        return typeof v === 'boolean' ? String(v) : v;
      }),
    );
  }
  void reply.header('content-type', XLSX_TYPE);
  void reply.header('content-disposition', `attachment; filename="${opts.filename}.xlsx"`);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
