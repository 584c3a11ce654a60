/**
 * A CSV reader for roster files, written for speed on the one dialect rosters use. It reads exactly what
 * csv-parse reads with the options the roster import used to give it (`bom`, delimiters `,` `;` and tab,
 * `"` quoting with `""` escapes, record delimiter discovered from the first line break outside quotes,
 * `relax_column_count`, `skip_empty_lines`, `max_record_size`), with the same records, the same line numbers
 * (csv-parse's `info.lines`, quirks included) and the same error codes at the same lines:
 * `csv-scanner.spec.ts` checks it against csv-parse on generated and hand-written inputs, cut into chunks
 * at every place.
 *
 * Why not csv-parse itself: it walks bytes one by one through a generic state machine and builds an
 * info object per record, which made it the larger half of the CPU of a 1,000,000-row import.
 * Here the text is decoded once per chunk and cut with `indexOf`/`charCodeAt`; a record is emitted as
 * `(line, cells)` into a caller-owned batch, so there is no per-record promise either.
 */
export class CsvFormatError extends Error {
  constructor(
    readonly code: string,
    readonly lines: number,
  ) {
    super(`${code} at line ${lines}`);
    this.name = 'CsvFormatError';
  }
}

const QUOTE = 34; // "
const COMMA = 44;
const SEMI = 59;
const TAB = 9;
const CR = 13;
const LF = 10;

/** Record delimiter: not discovered yet, \r\n, \n or \r (discovered, like csv-parse, at the first line break outside quotes). */
type RecordDelimiter = 0 | 1 | 2 | 3;

export type CsvSink = (line: number, cells: string[]) => void;

/** Thrown from a field reader when the text ends before the record does and more may come. */
const MORE = Symbol('more');

export class CsvScanner {
  private text = '';
  private lines = 1;
  private rd: RecordDelimiter = 0;
  private bomChecked = false;
  // State of the record being read (instance fields, so the field readers need not return tuples).
  private i = 0;
  private recLines = 1;
  private recRd: RecordDelimiter = 0;
  private quoted = false;

  constructor(private readonly maxRecordBytes: number) {}

  /** Adds decoded text; every complete record is handed to `sink`. Throws CsvFormatError. */
  push(chunk: string, sink: CsvSink): void {
    this.text = this.text.length === 0 ? chunk : this.text + chunk;
    if (!this.bomChecked) {
      if (this.text.length === 0) return;
      if (this.text.charCodeAt(0) === 0xfeff) this.text = this.text.slice(1);
      this.bomChecked = true;
    }
    this.scan(false, sink);
  }

  /** The end of the input: the last record (without a final line break), or the error of an open quote. */
  end(sink: CsvSink): void {
    if (!this.bomChecked && this.text.charCodeAt(0) === 0xfeff) this.text = this.text.slice(1);
    this.bomChecked = true;
    this.scan(true, sink);
  }

  private scan(final: boolean, sink: CsvSink): void {
    const s = this.text;
    const n = s.length;
    let pos = 0;
    while (pos < n) {
      this.i = pos;
      this.recLines = this.lines;
      this.recRd = this.rd;
      const cells: string[] = [];
      let bytes = 0;
      let firstQuoted = false;
      let atEnd = false;
      this.over = false;
      try {
        for (;;) {
          const fieldLines = this.recLines;
          const value = this.i < n && s.charCodeAt(this.i) === QUOTE ? this.quotedField(s, n, final) : this.plainField(s, n, final);
          if (cells.length === 0) firstQuoted = this.quoted;
          bytes += byteLength(value);
          if (this.over) {
            if (value.length > 0) throw new CsvFormatError('CSV_MAX_RECORD_SIZE', fieldLines);
          } else if (bytes > this.maxRecordBytes) this.checkSize(value, bytes - byteLength(value), fieldLines);
          cells.push(value);
          if (this.i >= n) {
            if (!final) throw MORE;
            atEnd = true;
            break;
          }
          const c = s.charCodeAt(this.i);
          if (c === COMMA || c === SEMI || c === TAB) {
            this.i += 1;
            if (this.i >= n && !final) throw MORE;
            continue;
          }
          break; // a record delimiter (the field readers stop only there otherwise)
        }
      } catch (e) {
        if (e !== MORE) throw e;
        this.guardPartial(s, pos, n);
        this.text = pos === 0 ? s : s.slice(pos);
        return;
      }
      const empty = cells.length === 1 && cells[0] === '' && !firstQuoted;
      if (!empty) sink(this.recLines, cells);
      if (!atEnd) {
        this.recLines += 1;
        this.i += this.recRd === 1 ? 2 : 1;
      }
      this.lines = this.recLines;
      this.rd = this.recRd;
      pos = this.i;
    }
    this.text = '';
  }

  /** Discovers the record delimiter at a line break outside quotes, like csv-parse (\r\n, then \n, then \r). */
  private discover(s: string, at: number, n: number, final: boolean): void {
    if (this.recRd !== 0) return;
    const c = s.charCodeAt(at);
    if (c === LF) this.recRd = 2;
    else if (at + 1 < n) this.recRd = s.charCodeAt(at + 1) === LF ? 1 : 3;
    else if (!final) throw MORE;
    else this.recRd = 3;
  }

  private isRecordDelimiterAt(s: string, at: number, n: number, final: boolean): boolean {
    const c = s.charCodeAt(at);
    switch (this.recRd) {
      case 2:
        return c === LF;
      case 3:
        return c === CR;
      case 1:
        if (c !== CR) return false;
        if (at + 1 >= n) {
          if (!final) throw MORE;
          return false;
        }
        return s.charCodeAt(at + 1) === LF;
      case 0:
        return false;
    }
  }

  private plainField(s: string, n: number, final: boolean): string {
    const from = this.i;
    let j = from;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === COMMA || c === SEMI || c === TAB) break;
      if (c === LF || c === CR) {
        this.discover(s, j, n, final);
        if (this.isRecordDelimiterAt(s, j, n, final)) break;
        this.recLines += 1;
      } else if (c === QUOTE) {
        if (j > from) throw new CsvFormatError('INVALID_OPENING_QUOTE', this.recLines);
      }
    }
    this.i = j;
    this.quoted = false;
    return s.slice(from, j);
  }

  private quotedField(s: string, n: number, final: boolean): string {
    let value = '';
    let from = this.i + 1;
    for (;;) {
      const q = s.indexOf('"', from);
      const stop = q === -1 ? n : q;
      for (let k = from; k < stop; k++) {
        const c = s.charCodeAt(k);
        if (c === LF || c === CR) this.recLines += 1;
      }
      if (q === -1) {
        if (!final) throw MORE;
        // csv-parse names the line before the pending break of the very last character.
        const last = s.charCodeAt(n - 1);
        throw new CsvFormatError('CSV_QUOTE_NOT_CLOSED', last === LF || last === CR ? this.recLines - 1 : this.recLines);
      }
      if (q + 1 >= n) {
        if (!final) throw MORE;
        value += s.slice(from, q);
        this.i = q + 1;
        break;
      }
      const next = s.charCodeAt(q + 1);
      if (next === QUOTE) {
        value += s.slice(from, q + 1);
        from = q + 2;
        continue;
      }
      value += s.slice(from, q);
      if (next === COMMA || next === SEMI || next === TAB) {
        this.i = q + 1;
        break;
      }
      if (next === CR || next === LF) {
        this.discover(s, q + 1, n, final);
        if (this.isRecordDelimiterAt(s, q + 1, n, final)) {
          this.i = q + 1;
          break;
        }
      }
      throw new CsvFormatError('CSV_INVALID_CLOSING_QUOTE', this.recLines);
    }
    this.quoted = true;
    return value;
  }

  /**
   * csv-parse refuses a character when the bytes already taken into the record exceed the limit. Called when
   * a field brings the record past it: the first refused character is in this field, or (when only its last
   * character passed the limit) the first character of a later non-empty field of the record.
   */
  private checkSize(value: string, before: number, fieldLines: number): void {
    let bytes = before;
    let lines = fieldLines;
    for (let k = 0; k < value.length; k++) {
      if (bytes > this.maxRecordBytes) throw new CsvFormatError('CSV_MAX_RECORD_SIZE', lines);
      const c = value.charCodeAt(k);
      bytes += utf8Width(c);
      if (c === LF || c === CR) lines += 1;
    }
    this.over = true;
  }

  private over = false;

  /** An incomplete record kept for the next chunk stays bounded: past the limit (in any case past 4×) it is refused. */
  private guardPartial(s: string, from: number, n: number): void {
    if (n - from <= this.maxRecordBytes) return;
    let bytes = 0;
    let lines = this.lines;
    for (let k = from; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c === QUOTE || c === COMMA || c === SEMI || c === TAB) continue;
      if (bytes > this.maxRecordBytes) throw new CsvFormatError('CSV_MAX_RECORD_SIZE', lines);
      bytes += utf8Width(c);
      if (c === LF || c === CR) lines += 1;
    }
    if (n - from > 4 * this.maxRecordBytes) throw new CsvFormatError('CSV_MAX_RECORD_SIZE', lines);
  }
}

function utf8Width(c: number): number {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xdc00 && c <= 0xdfff) return 2; // the second half of a surrogate pair: 4 bytes for the pair
  if (c >= 0xd800 && c <= 0xdbff) return 2;
  return 3;
}

function byteLength(v: string): number {
  return Buffer.byteLength(v, 'utf8');
}
