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
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
    if (col > MAX_COLUMNS) return MAX_COLUMNS + 1;
  }
  return col;
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
        const r = Number(attrs.get('r'));
        this.rowNumber = Number.isInteger(r) && r > 0 ? r : this.rowNumber + 1;
        if (this.rowNumber > EXCEL_MAX_ROW) throw new RosterFileError(422, 'rowNumberTooLarge', { max: EXCEL_MAX_ROW });
        this.cells = [];
        this.col = 0;
        break;
      }
      case 'c': {
        if (!this.cells) break;
        const c = columnOf(attrs.get('r'));
        this.col = c > 0 ? c : this.col + 1;
        if (this.col > MAX_COLUMNS) throw new RosterFileError(422, 'tooManyColumns', { line: this.rowNumber, max: MAX_COLUMNS });
        this.type = attrs.get('t');
        this.hasFormula = false;
        this.value = null;
        this.inInline = false;
        while (this.cells.length < this.col) this.cells.push('');
        break;
      }
      case 'v':
        if (this.cells) this.startCapture();
        break;
      case 'f':
        this.hasFormula = true;
        break;
      case 'is':
        this.inInline = true;
        this.value = '';
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

  text(piece: string): void {
    this.captured += piece;
    if (this.captured.length > MAX_CELL_CHARS) throw cellTooLong();
  }

  private startCapture(): void {
    this.wantText = true;
    this.captured = '';
  }

  close(name: string): void {
    switch (local(name)) {
      case 'v':
        if (this.wantText) {
          this.value = this.captured;
          this.wantText = false;
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
    const v = this.value;
    if (v === null) return '';
    if (this.hasFormula) return this.type === 'str' ? v : numberText(v);
    switch (this.type) {
      case 's':
        return this.shared[parseInt(v, 10)] ?? '';
      case 'inlineStr':
      case 'str':
        return v;
      case 'e':
        return '#ERROR';
      case 'b':
        return parseInt(v, 10) !== 0 ? 'true' : 'false';
      case undefined:
      default:
        return numberText(v);
    }
  }
}
