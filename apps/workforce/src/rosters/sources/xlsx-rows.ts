import { finished, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { RosterFileError } from './roster-file.error';
import type { SourceRow } from './row-source';

/**
 * Rows of the first worksheet of an XLSX as they stream in (exceljs's streaming reader: the shared-string
 * table is kept, rows are not). Later worksheets are read past.
 */
export async function* xlsxRows(stream: Readable): AsyncGenerator<SourceRow> {
  // exceljs pipes the input with .pipe(), which does not forward errors: an aborted upload would leave it
  // waiting forever, so every step races the input's own end.
  const inputFailed = new Promise<never>((_, reject) => {
    finished(stream, { readable: true, writable: false }, (err) => {
      if (err) reject(err);
    });
  });
  inputFailed.catch(() => undefined);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  const sheets = reader[Symbol.asyncIterator]();
  let sheetIndex = 0;
  try {
    for (;;) {
      const sheet = await Promise.race([sheets.next(), inputFailed]);
      if (sheet.done) break;
      const rows = (sheet.value as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
      for (;;) {
        const row = await Promise.race([rows.next(), inputFailed]);
        if (row.done) break;
        if (sheetIndex === 0) yield { line: row.value.number, cells: cellsOf(row.value) };
      }
      sheetIndex += 1;
    }
  } catch (err) {
    if (err instanceof RosterFileError) throw err;
    if (isInputAbort(err)) throw err;
    throw new RosterFileError(422, 'the XLSX file could not be read (damaged or not an Excel workbook); nothing was imported');
  }
  if (sheetIndex === 0) throw new RosterFileError(422, 'the XLSX file has no worksheet');
}

function isInputAbort(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error)?.message === 'aborted';
}

function cellsOf(row: ExcelJS.Row): string[] {
  const values = row.values as unknown[];
  const out: string[] = [];
  // row.values is 1-based and sparse.
  for (let i = 1; i < values.length; i++) out.push(cellText(values[i]));
  return out;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
    if ('result' in o) return cellText(o.result);
    if (o.text !== undefined) return cellText(o.text);
    if (o.error) return '#ERROR';
  }
  return '';
}
