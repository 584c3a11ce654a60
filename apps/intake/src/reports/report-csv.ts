import { parse } from 'csv-parse/sync';
import type { FieldError } from '../common/field-errors';

/**
 * Column names a report CSV may use, English or Vietnamese (compared trimmed, case-insensitive, NFC,
 * with or without diacritics). Vietnamese: "Mã đơn vị, Nhóm, Ngày, Tổng số, Có điện thoại thông minh,
 * Đã cài đặt, Bật Bluetooth".
 */
export const REPORT_CSV_COLUMNS = {
  orgUnitCode: ['org_unit_code', 'mã đơn vị'],
  cohort: ['cohort', 'nhóm'],
  asOf: ['as_of', 'ngày'],
  headcount: ['headcount', 'tổng số'],
  smartphoneHolders: ['smartphone_holders', 'có điện thoại thông minh'],
  installed: ['installed', 'đã cài đặt'],
  bluetoothOn: ['bluetooth_on', 'bật bluetooth'],
} as const;
type Field = keyof typeof REPORT_CSV_COLUMNS;
const COUNT_FIELDS: readonly Field[] = ['headcount', 'smartphoneHolders', 'installed', 'bluetoothOn'];

/** Cohort names a Vietnamese sheet may use instead of the API's. */
export const COHORT_ALIASES: Readonly<Record<string, string>> = {
  'cán bộ': 'staff',
  'cán bộ, công chức, viên chức': 'staff',
  'học sinh, sinh viên': 'students',
  'học sinh': 'students',
  'đoàn viên': 'youth_members',
  'hội viên': 'association_members',
  'công nhân': 'enterprise_workers',
  'người lao động': 'enterprise_workers',
  'người dân': 'residents',
  'dân cư': 'residents',
};

const fold = (s: string) =>
  s
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/^\ufeff/, '');
const stripMarks = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd');

export interface CsvLine {
  readonly line: number;
  readonly item: Record<string, unknown>;
}

export type CsvParseResult = { ok: true; lines: CsvLine[] } | { ok: false; errors: FieldError[] };

/**
 * Turns a report CSV into plain report objects, one per data line, keyed by line number (the header is
 * line 1). Cells stay strings unless they are plainly what the field wants (digits for counts, a date in
 * YYYY-MM-DD or the Vietnamese DD/MM/YYYY), so the validator can say exactly what is wrong with the rest.
 */
export function parseReportCsv(text: string, maxLines: number): CsvParseResult {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text.replace(/^\ufeff/, ''), {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    return { ok: false, errors: [{ field: 'body', message: `body is not valid CSV${e.lines ? ` (line ${e.lines})` : ''}: ${e.message}` }] };
  }
  if (records.length === 0)
    return { ok: false, errors: [{ field: 'body', message: 'body: the CSV file is empty (a header line is required)' }] };
  const header = records[0].record.map(fold);
  const index = new Map<Field, number>();
  const missing: string[] = [];
  for (const [field, names] of Object.entries(REPORT_CSV_COLUMNS) as Array<[Field, readonly string[]]>) {
    const wanted = new Set(names.flatMap((n) => [n, stripMarks(n)]));
    const at = header.findIndex((h) => wanted.has(h) || wanted.has(stripMarks(h)));
    if (at < 0) missing.push(`${names[0]} (${names[1]})`);
    else index.set(field, at);
  }
  if (missing.length) return { ok: false, errors: [{ field: 'header', message: `header: missing column(s) ${missing.join(', ')}` }] };
  const data = records.slice(1);
  if (data.length === 0) return { ok: false, errors: [{ field: 'body', message: 'body: the CSV file has a header but no data lines' }] };
  if (data.length > maxLines)
    return { ok: false, errors: [{ field: 'body', message: `body: at most ${maxLines} data lines per import (got ${data.length})` }] };

  const lines = data.map(({ record, info }) => {
    const item: Record<string, unknown> = {};
    for (const [field, at] of index) {
      const cell = record[at];
      if (cell === undefined || cell === '') continue; // absent: the validator names it as missing
      item[field] = convert(field, cell);
    }
    // csv-parse counts the line a record ends on; a quoted cell with line breaks starts earlier.
    const breaks = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    return { line: info.lines - breaks, item };
  });
  return { ok: true, lines };
}

function convert(field: Field, cell: string): unknown {
  if (COUNT_FIELDS.includes(field)) return /^\d{1,15}$/.test(cell) ? Number(cell) : cell;
  if (field === 'asOf') {
    const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell);
    return vn ? `${vn[3]}-${vn[2].padStart(2, '0')}-${vn[1].padStart(2, '0')}` : cell;
  }
  if (field === 'cohort') return COHORT_ALIASES[fold(cell)] ?? cell;
  return cell;
}
