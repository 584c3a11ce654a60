import type { ColumnMap } from './roster-columns';

const TRUE_WORDS = ['co', 'c', 'x', '1', 'yes', 'y', 'true', 't', 'dung', 'roi', 'da', '✓', '✔'];
const FALSE_WORDS = ['', 'khong', 'k', 'ko', 'kh', '0', 'no', 'n', 'false', 'f', 'sai', 'chua', '-'];
const FLAGS = new Map<string, boolean>([...TRUE_WORDS.map((w) => [w, true] as const), ...FALSE_WORDS.map((w) => [w, false] as const)]);
// The precomposed Vietnamese spellings too, so the common cells skip Unicode normalisation (a million rows × 3 flags).
for (const [w, v] of [
  ['có', true],
  ['không', false],
  ['đúng', true],
  ['rồi', true],
  ['đã', true],
  ['chưa', false],
] as const)
  FLAGS.set(w, v);

/** A flag cell: có/không, x/blank, 1/0, yes/no, true/false (and their usual short forms). */
export function parseFlag(cell: string): boolean | null {
  const quick = FLAGS.get(cell) ?? FLAGS.get(cell.trim().toLowerCase());
  if (quick !== undefined) return quick;
  const folded = cell
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .trim()
    .toLowerCase();
  return FLAGS.get(folded) ?? null;
}

export interface RosterRow {
  /** The employee id as written, trimmed: hashed at once, never stored, logged or echoed. */
  readonly employeeId: string;
  readonly hasSmartphone: boolean;
  readonly installed: boolean;
  readonly bluetoothOn: boolean;
}

export type RowVerdict = { ok: true; row: RosterRow } | { ok: false; reason: string } | { ok: 'blank' };

const FLAG_HELP = 'use có/không, x/blank, 1/0, yes/no or true/false';

/**
 * Checks one data row. Reasons name the line's columns and never quote a cell: a mis-mapped column could
 * hold a name or a phone number, and the employee id must not leave the service either.
 *
 * `width` (CSV only, where a record's field count is what was written): the header's width up to its last
 * named column. A record with fewer fields is truncated and one with a value past the header is shifted
 * (an unquoted comma in a name); either is refused, never read with defaults (a missing Bluetooth field is
 * not "off"). An XLSX row has no field count: an empty cell there is simply blank.
 */
export function judgeRow(cells: readonly string[], columns: ColumnMap, width?: number): RowVerdict {
  if (cells.every((c) => c.trim() === '')) return { ok: 'blank' };
  if (width !== undefined) {
    if (cells.length < width) return { ok: false, reason: `${cells.length} field(s) where the header has ${width}: the row is cut short` };
    for (let i = width; i < cells.length; i++)
      if (cells[i].trim() !== '')
        return { ok: false, reason: `a value past the header's ${width} column(s): the row's fields are shifted (an unquoted separator?)` };
  }
  const employeeId = normaliseEmployeeId(cells[columns.employeeId] ?? '');
  if (!employeeId) return { ok: false, reason: 'empty employee id' };
  const hasSmartphone = parseFlag(cells[columns.hasSmartphone] ?? '');
  const installed = parseFlag(cells[columns.installed] ?? '');
  const bluetoothOn = parseFlag(cells[columns.bluetoothOn] ?? '');
  const unknown = [
    hasSmartphone === null ? 'has_smartphone' : null,
    installed === null ? 'installed' : null,
    bluetoothOn === null ? 'bluetooth_on' : null,
  ].filter((x): x is string => x !== null);
  if (unknown.length) return { ok: false, reason: `unknown flag in ${unknown.join(', ')} (${FLAG_HELP})` };
  if (installed && !hasSmartphone) return { ok: false, reason: 'installed without a smartphone' };
  if (bluetoothOn && !installed) return { ok: false, reason: 'Bluetooth on without Bluezone installed' };
  return { ok: true, row: { employeeId, hasSmartphone: hasSmartphone!, installed: installed!, bluetoothOn: bluetoothOn! } };
}

/** The same worker must be recognised across uploads: case, width forms and surrounding spaces do not matter. */
export function normaliseEmployeeId(raw: string): string {
  const t = raw.trim();
  if (/^[\x21-\x7e]*$/.test(t)) return t.toUpperCase();
  return t.normalize('NFKC').replace(/\s+/g, ' ').toUpperCase();
}
