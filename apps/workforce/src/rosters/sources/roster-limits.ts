import { RosterFileError } from './roster-file.error';

/**
 * How much work an upload may cause. Every quantity a file decides (rows, columns, cells' length, texts,
 * unpacked bytes, zip members, nesting) has a bound here, so a small hostile file cannot make the service
 * spin or exhaust its memory: each bound is refused with a clear 4xx (roster-messages.ts).
 */
export interface RosterLimits {
  /** ROSTER_MAX_ROWS: rows of one file, blank rows included (they cost the same to read). */
  readonly maxRows: number;
  /** ROSTER_MAX_UNPACKED_BYTES: bytes inflated from an XLSX's parts, counted while inflating. */
  readonly maxUnpackedBytes: number;
}

/**
 * Rows read from one file against ROSTER_MAX_ROWS, blank ones included: the import counts the records it
 * sees, the CSV reader the empty lines its parser skips (they never become records).
 */
export class RowCounter {
  private seen = 0;

  constructor(readonly max: number) {}

  add(n = 1): void {
    this.seen += n;
    if (this.seen > this.max) throw new RosterFileError(413, 'tooManyRows', { max: this.max });
  }
}

/** Columns a row may reach (IV, the old Excel's last column): a roster has a handful. */
export const MAX_COLUMNS = 256;
/** Excel's last row; a higher row number only comes from a damaged or forged file. */
export const EXCEL_MAX_ROW = 1_048_576;
/** Excel's limit on the characters of one cell; also bounds each shared string. */
export const MAX_CELL_CHARS = 32_767;
/** Parts of an XLSX's zip: Excel writes a dozen or two. */
export const MAX_ZIP_MEMBERS = 10_000;

/**
 * The shared-strings table is the one thing held whole (its entries are referenced by index from anywhere
 * in the sheet): at most four texts a row and 64 characters a row on average, well above a real roster
 * (id, name, phone and a few flags, many of which repeat).
 */
export function sharedStringLimits(maxRows: number): { maxCount: number; maxChars: number } {
  return { maxCount: 4 * maxRows + 1_000, maxChars: 64 * maxRows + 65_536 };
}
