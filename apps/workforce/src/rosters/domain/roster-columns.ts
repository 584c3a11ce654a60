/**
 * Which column of a roster file holds what. Headers come in English or Vietnamese, typed by hand in
 * Excel or LibreOffice, so they are compared after folding case, diacritics, spaces and punctuation.
 */
export const ROSTER_FIELDS = ['employeeId', 'hasSmartphone', 'installed', 'bluetoothOn'] as const;
export type RosterField = (typeof ROSTER_FIELDS)[number];

/** The column names the API documents, used in messages. */
export const FIELD_LABELS: Readonly<Record<RosterField, string>> = {
  employeeId: 'employee_id',
  hasSmartphone: 'has_smartphone',
  installed: 'installed',
  bluetoothOn: 'bluetooth_on',
};

/** The header of the downloadable templates (GET /v1/roster-template.csv|.xlsx), one per language. */
export const TEMPLATE_HEADERS = {
  vi: ['Mã NV', 'Có điện thoại thông minh', 'Đã cài Bluezone', 'Bật Bluetooth'],
  en: ['employee_id', 'has_smartphone', 'installed', 'bluetooth_on'],
} as const satisfies Record<'vi' | 'en', readonly string[]>;

export type ColumnMap = Readonly<Record<RosterField, number>>;

/** "Đã cài Bluezone" → "dacaibluezone": lower case, no diacritics (đ too), letters and digits only. */
export function foldHeader(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const EXACT: ReadonlyArray<[RosterField | 'ignored', readonly string[]]> = [
  [
    'employeeId',
    [
      'employeeid',
      'employeeno',
      'employeenumber',
      'empid',
      'staffid',
      'workerid',
      'id',
      'manv',
      'manhanvien',
      'macn',
      'macongnhan',
      'maso',
      'masonhanvien',
      'mald',
      'malaodong',
      'manguoilaodong',
    ],
  ],
  [
    'hasSmartphone',
    ['hassmartphone', 'smartphone', 'codienthoaithongminh', 'dienthoaithongminh', 'cosmartphone', 'codtdd', 'codtthongminh', 'dtthongminh'],
  ],
  [
    'installed',
    [
      'installed',
      'bluezoneinstalled',
      'installedbluezone',
      'hasbluezone',
      'dacaibluezone',
      'caibluezone',
      'dacai',
      'dacaidat',
      'dacaidatbluezone',
      'caidatbluezone',
      'bluezone',
    ],
  ],
  ['bluetoothOn', ['bluetoothon', 'bluetooth', 'bluetoothenabled', 'batbluetooth', 'dabatbluetooth', 'bluetoothbat', 'mobluetooth']],
];

/** The field a header names, or null (names, phones and anything else are read past). */
export function fieldOfHeader(text: string): RosterField | null {
  const f = foldHeader(text);
  if (!f) return null;
  for (const [field, names] of EXACT) if (names.includes(f)) return field === 'ignored' ? null : field;
  // Looser forms ("Bật Bluetooth (có/không)", "Đã cài đặt ứng dụng Bluezone?"): Bluetooth is checked first,
  // since an "installed" header may mention Bluezone and a Bluetooth header never does.
  if (f.includes('bluetooth')) return 'bluetoothOn';
  if (f.includes('bluezone') || f.startsWith('dacai') || f.startsWith('installed')) return 'installed';
  if (f.includes('smartphone') || f.includes('thongminh')) return 'hasSmartphone';
  if (f.startsWith('employeeid') || f.startsWith('manv') || f.startsWith('manhanvien') || f.startsWith('macongnhan')) return 'employeeId';
  return null;
}

export type HeaderMatch =
  | { kind: 'header'; columns: ColumnMap }
  | { kind: 'partial'; missing: RosterField[]; found: Partial<Record<RosterField, number>> }
  | { kind: 'none' };

/**
 * A header over two rows, as an office sheet lays it out with merged cells: a group title merged across
 * columns ("Bluezone" over "Đã cài" and "Bật Bluetooth") and titles merged down both rows ("Mã NV"). An XLSX
 * keeps a merged cell's text in its first cell only (and lists the merges after the rows), so each column
 * reads its upper text, carried right from the group title where the upper cell is empty and the lower one
 * is not, followed by its lower text.
 */
export function combineHeaderRows(upper: readonly string[], lower: readonly string[]): string[] {
  const out: string[] = [];
  let group = '';
  for (let i = 0; i < Math.max(upper.length, lower.length); i++) {
    const u = (upper[i] ?? '').trim();
    const l = (lower[i] ?? '').trim();
    if (u) group = u;
    else if (!l) group = '';
    out.push(`${u || (l ? group : '')} ${l}`.trim());
  }
  return out;
}

/** Reads a candidate header row: all four fields found (first occurrence wins), some, or none. */
export function matchHeader(cells: readonly string[]): HeaderMatch {
  const found: Partial<Record<RosterField, number>> = {};
  cells.forEach((cell, i) => {
    const field = fieldOfHeader(cell);
    if (field && found[field] === undefined) found[field] = i;
  });
  const missing = ROSTER_FIELDS.filter((f) => found[f] === undefined);
  if (missing.length === 0) return { kind: 'header', columns: found as ColumnMap };
  return missing.length === ROSTER_FIELDS.length ? { kind: 'none' } : { kind: 'partial', missing, found };
}
