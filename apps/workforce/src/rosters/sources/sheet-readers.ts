import { RosterFileError } from './roster-file.error';
import { EXCEL_MAX_ROW, MAX_CELL_CHARS, MAX_COLUMNS, sharedStringLimits } from './roster-limits';
import type { SourceRow } from './row-source';
import type { XmlAttrs, XmlHandler } from './xml-scanner';

/** The local name of a tag (SpreadsheetML may be written with any namespace prefix). */
export function local(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Column of a cell reference ("AB12" → 28), 1-based; 0 when there is none; past MAX_COLUMNS it stops counting. */
export function columnOf(ref: string | undefined): number {
  if (!ref) return 0;
  const bytes = Buffer.from(ref, 'utf8');
  return columnOfBytes(bytes, 0, bytes.length);
}

/** `columnOf` over the UTF-8 bytes [from, to) of a reference (a byte past ASCII is not a letter either). */
function columnOfBytes(b: Uint8Array, from: number, to: number): number {
  let col = 0;
  for (let i = from; i < to; i++) {
    const c = b[i] | 0x20;
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
    if (col > MAX_COLUMNS) return MAX_COLUMNS + 1;
  }
  return col;
}

/** The number written in bytes [from, to) when they are one to nine digits, else -1. */
function digitsAt(b: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 9) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The digits of `n` as they were written, `length` of them (leading zeros kept). */
function spelled(n: number, length: number): string {
  const s = String(n);
  return s.length >= length ? s : '0'.repeat(length - s.length) + s;
}

/** A row's number from its `r` (NaN when absent or not a number), read from the bytes when they are plain digits. */
function rowNumberOf(attrs: XmlAttrs): number {
  const k = attrs.indexOf('r');
  if (k === -1) return NaN;
  if (attrs.isPlain(k)) {
    const n = digitsAt(attrs.bytes, attrs.from(k), attrs.to(k));
    if (n !== -1) return n;
  }
  return Number(attrs.value(k));
}

/** A cell's column from its `r` (columnOf), read from the bytes when they need no decoding: no string a cell. */
function cellColumnOf(attrs: XmlAttrs): number {
  const k = attrs.indexOf('r');
  if (k === -1) return 0;
  return attrs.isPlain(k) ? columnOfBytes(attrs.bytes, attrs.from(k), attrs.to(k)) : columnOf(attrs.value(k));
}

/** A number cell as JavaScript prints it; a small integer written plainly (the flags' 0 and 1) is already that. */
function numberText(v: string): string {
  const n = v.length;
  if (n > 0 && n < 10) {
    const c0 = v.charCodeAt(0);
    let plain = c0 >= 49 && c0 <= 57; // 1-9: no sign, no leading zero
    for (let i = 1; plain && i < n; i++) plain = v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57;
    if (plain || (n === 1 && c0 === 48)) return v;
  }
  return String(parseFloat(v));
}

function cellTooLong(): RosterFileError {
  return new RosterFileError(422, 'cellTooLong', { max: MAX_CELL_CHARS });
}

/** The shared strings table: the text of each `<si>` (runs concatenated, phonetic guides left out), bounded. */
export class SharedStringsReader implements XmlHandler {
  readonly strings: string[] = [];
  wantText = false;
  private inItem = false;
  private inPhonetic = false;
  private text_ = '';
  private chars = 0;
  private readonly limits: { maxCount: number; maxChars: number };

  constructor(private readonly maxRows: number) {
    this.limits = sharedStringLimits(maxRows);
  }

  open(name: string): void {
    switch (local(name)) {
      case 'si':
        this.inItem = true;
        this.text_ = '';
        break;
      case 'rPh':
        this.inPhonetic = true;
        break;
      case 't':
        this.wantText = this.inItem && !this.inPhonetic;
        break;
      default:
        break;
    }
  }

  close(name: string): void {
    switch (local(name)) {
      case 't':
        this.wantText = false;
        break;
      case 'rPh':
        this.inPhonetic = false;
        break;
      case 'si':
        if (this.strings.length >= this.limits.maxCount) throw this.tooLarge();
        this.strings.push(this.text_);
        this.text_ = '';
        this.inItem = false;
        break;
      default:
        break;
    }
  }

  text(piece: string): void {
    this.text_ += piece;
    this.chars += piece.length;
    if (this.text_.length > MAX_CELL_CHARS) throw cellTooLong();
    if (this.chars > this.limits.maxChars) throw this.tooLarge();
  }

  private tooLarge(): RosterFileError {
    return new RosterFileError(413, 'sharedStringsTooLarge', { ...this.limits, maxRows: this.maxRows });
  }
}

/**
 * Rows of a worksheet part as text cells, the way exceljs's reader gave them before: shared strings by
 * index, inline and formula strings as written, numbers as JavaScript prints them, booleans as
 * true/false, errors as #ERROR; a cell's column from its reference (cells are placed, not appended), up to
 * MAX_COLUMNS (a reference past it is refused, not padded to).
 */
export class SheetReader implements XmlHandler {
  wantText = false;
  private batch: SourceRow[] = [];
  private rowNumber = 0;
  private cells: string[] | null = null;
  private col = 0;
  private type: string | undefined;
  private hasFormula = false;
  private value: string | null = null;
  /**
   * A `<v>` of one to nine digits (a shared string's index, a flag's 0 or 1) is kept as its number, never
   * made a string: `valueDigits` (-1: none, the value is `value`) and how many digits were written.
   */
  private valueDigits = -1;
  private valueLength = 0;
  private inValue = false;
  private digits = -1;
  private digitsLength = 0;
  private inInline = false;
  private inPhonetic = false;
  private captured = '';

  constructor(private readonly shared: readonly string[]) {}

  take(): SourceRow[] {
    const out = this.batch;
    this.batch = [];
    return out;
  }

  open(name: string, attrs: XmlAttrs): void {
    switch (local(name)) {
      case 'row': {
        const r = rowNumberOf(attrs);
        this.rowNumber = Number.isInteger(r) && r > 0 ? r : this.rowNumber + 1;
        if (this.rowNumber > EXCEL_MAX_ROW) throw new RosterFileError(422, 'rowNumberTooLarge', { max: EXCEL_MAX_ROW });
        this.cells = [];
        this.col = 0;
        break;
      }
      case 'c': {
        if (!this.cells) break;
        const c = cellColumnOf(attrs);
        this.col = c > 0 ? c : this.col + 1;
        if (this.col > MAX_COLUMNS) throw new RosterFileError(422, 'tooManyColumns', { line: this.rowNumber, max: MAX_COLUMNS });
        this.type = attrs.get('t');
        this.hasFormula = false;
        this.value = null;
        this.valueDigits = -1;
        this.inInline = false;
        while (this.cells.length < this.col) this.cells.push('');
        break;
      }
      case 'v':
        if (this.cells) {
          this.startCapture();
          this.inValue = true;
        }
        break;
      case 'f':
        this.hasFormula = true;
        break;
      case 'is':
        this.inInline = true;
        this.value = '';
        this.valueDigits = -1;
        break;
      case 'rPh':
        this.inPhonetic = true;
        break;
      case 't':
        if (this.inInline && !this.inPhonetic) this.startCapture();
        break;
      default:
        break;
    }
  }

  textBytes(bytes: Buffer, from: number, to: number): boolean {
    // Only a value's first piece: one cut between chunks is spelled out and joined as text.
    if (!this.inValue || this.digits !== -1 || this.captured !== '') return false;
    const n = digitsAt(bytes, from, to);
    if (n === -1) return false;
    this.digits = n;
    this.digitsLength = to - from;
    return true;
  }

  text(piece: string): void {
    if (this.digits !== -1) {
      this.captured = spelled(this.digits, this.digitsLength);
      this.digits = -1;
    }
    this.captured += piece;
    if (this.captured.length > MAX_CELL_CHARS) throw cellTooLong();
  }

  private startCapture(): void {
    this.wantText = true;
    this.captured = '';
    this.digits = -1;
  }

  close(name: string): void {
    switch (local(name)) {
      case 'v':
        if (this.wantText) {
          this.valueDigits = this.digits;
          this.valueLength = this.digitsLength;
          this.value = this.digits === -1 ? this.captured : null;
          this.wantText = false;
          this.inValue = false;
          this.digits = -1;
        }
        break;
      case 't':
        if (this.wantText && this.inInline) {
          this.value = (this.value ?? '') + this.captured;
          if (this.value.length > MAX_CELL_CHARS) throw cellTooLong();
          this.wantText = false;
        }
        break;
      case 'rPh':
        this.inPhonetic = false;
        break;
      case 'is':
        this.inInline = false;
        break;
      case 'c':
        if (this.cells && this.col > 0) this.cells[this.col - 1] = this.cellText();
        break;
      case 'row':
        if (this.cells) this.batch.push({ line: this.rowNumber, cells: this.cells });
        this.cells = null;
        break;
      default:
        break;
    }
  }

  private cellText(): string {
    const d = this.valueDigits;
    const v = this.value;
    if (d === -1 && v === null) return '';
    // A formula's cached value is its text (t="str") or a number, whatever else t says.
    const type = this.hasFormula ? (this.type === 'str' ? 'str' : undefined) : this.type;
    switch (type) {
      case 's':
        return this.shared[d !== -1 ? d : parseInt(v!, 10)] ?? '';
      case 'inlineStr':
      case 'str':
        return d !== -1 ? spelled(d, this.valueLength) : v!;
      case 'e':
        return '#ERROR';
      case 'b':
        return (d !== -1 ? d : parseInt(v!, 10)) !== 0 ? 'true' : 'false';
      case undefined:
      default:
        // Digits without a leading zero are already as JavaScript prints the number; with one, String drops it as parseFloat did.
        return d !== -1 ? String(d) : numberText(v!);
    }
  }
}
