import { ProblemException } from '@app/platform';

export type SortValue = string | number | boolean | null | undefined;

/** `name` or `-name`; the keys allowed for one list, each mapped to how a row yields it. */
export function sortOptions(keys: readonly string[]): string[] {
  return keys.flatMap((k) => [k, `-${k}`]);
}

/** The key and direction of `sort` (`name`, `-name`; none: ''), or 400 when the list has no such key. */
function sortKey(sort: string | undefined, keys: Readonly<Record<string, unknown>>): { key: string; desc: boolean } {
  const spec = sort ?? '';
  const desc = spec.startsWith('-');
  const key = desc ? spec.slice(1) : spec;
  if (spec && !Object.prototype.hasOwnProperty.call(keys, key))
    throw new ProblemException(400, `cannot sort by ${spec}`, [
      { field: 'sort', message: `sort must be one of ${sortOptions(Object.keys(keys)).join(', ')}` },
    ]);
  return { key, desc };
}

/**
 * sortRows in SQL: an ORDER BY on the whitelisted key's expression (nulls last in either direction), then
 * on the tie-breaker, ascending; the same order as sortRows gives for numbers, dates and codes.
 */
export function sqlOrderBy(sort: string | undefined, keys: Readonly<Record<string, string>>, tieBreak: string): string {
  const { key, desc } = sortKey(sort, keys);
  return [...(key ? [`${keys[key]} ${desc ? 'DESC' : 'ASC'} NULLS LAST`] : []), tieBreak].join(', ');
}

/**
 * Sorts by a whitelisted key (nulls last in either direction), then by the tie-breaker, so that a page
 * is the same every time it is asked for (and a rebuild answers byte for byte the same).
 */
export function sortRows<T>(
  rows: T[],
  sort: string | undefined,
  keys: Readonly<Record<string, (row: T) => SortValue>>,
  tieBreak: (row: T) => string,
): T[] {
  const { key, desc } = sortKey(sort, keys);
  const get = key ? keys[key] : undefined;
  return [...rows].sort((a, b) => {
    if (get) {
      const va = get(a);
      const vb = get(b);
      const na = va === null || va === undefined;
      const nb = vb === null || vb === undefined;
      if (na !== nb) return na ? 1 : -1;
      if (!na && !nb && va !== vb) {
        const c = typeof va === 'string' && typeof vb === 'string' ? va.localeCompare(vb, 'vi') : Number(va) - Number(vb);
        if (c !== 0) return desc ? -c : c;
      }
    }
    const ta = tieBreak(a);
    const tb = tieBreak(b);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  });
}

export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

export function paginate<T>(rows: T[], limit: number, offset: number): Page<T> {
  return { total: rows.length, limit, offset, items: rows.slice(offset, offset + limit) };
}

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => SortValue;
}

/** What makes a spreadsheet read a text cell as a formula (OWASP "CSV injection", ASVS 1.2.10). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell of every CSV this service writes. Numbers stay numbers (-3 is a number, not a formula);
 * text that a spreadsheet would run as a formula (a unit or head name `=HYPERLINK(…)`, `@SUM(…)`,
 * `-2+3`) gets a leading apostrophe and quotes, so Excel and LibreOffice show it as the text it is.
 */
export function csvCell(v: SortValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const s = FORMULA_START.test(v) ? `'${v}` : v;
  return s !== v || /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** UTF-8 with a BOM (so Excel reads Vietnamese correctly), a header row, CRLF line ends (RFC 4180). */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.value(r))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
