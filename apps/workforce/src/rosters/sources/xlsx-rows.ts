import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RosterFileError } from './roster-file.error';
import type { SourceRow } from './row-source';
import { ZipFile, ZipFormatError, type ZipEntry } from './zip-file';

/**
 * Rows of the first worksheet of an XLSX, a batch per decoded chunk. Memory stays bounded whatever the
 * order of the zip's members: the upload is first spooled to a temporary file (unlinked at once, so a
 * killed process leaves nothing behind), then read through the zip's central directory: the shared
 * strings first (the only table held: one string per distinct cell text), then the worksheet, streamed.
 */
export async function* xlsxRows(stream: Readable): AsyncGenerator<SourceRow[]> {
  const path = join(tmpdir(), `bz-roster-${randomBytes(8).toString('hex')}.xlsx`);
  const file = await open(path, 'wx+', 0o600);
  try {
    await unlink(path).catch(() => undefined);
    await spool(stream, file);
    let zip: ZipFile;
    let sheet: ZipEntry;
    let shared: string[];
    try {
      zip = await ZipFile.open(file);
      sheet = await firstSheet(zip);
      const sst = zip.entries.get('xl/sharedStrings.xml');
      shared = sst ? await readSharedStrings(await zip.open(sst)) : [];
    } catch (err) {
      throw asFileError(err);
    }
    const reader = new SheetReader(shared);
    const decoder = new TextDecoder('utf-8');
    try {
      for await (const chunk of await zip.open(sheet)) {
        const batch = reader.push(decoder.decode(chunk as Buffer, { stream: true }));
        if (batch.length) yield batch;
      }
      const last = reader.push(decoder.decode());
      if (last.length) yield last;
    } catch (err) {
      throw asFileError(err);
    }
  } finally {
    await file.close();
    await unlink(path).catch(() => undefined);
  }
}

function asFileError(err: unknown): unknown {
  if (err instanceof RosterFileError) return err;
  return new RosterFileError(422, 'the XLSX file could not be read (damaged or not an Excel workbook); nothing was imported');
}

async function spool(stream: Readable, file: FileHandle): Promise<void> {
  let at = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const { bytesWritten } = await file.write(chunk, 0, chunk.length, at);
    if (bytesWritten !== chunk.length) throw new Error('short write to the spool file');
    at += chunk.length;
  }
}

async function text(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    parts.push(c);
    size += c.length;
    if (size > 16 * 1024 * 1024) throw new ZipFormatError('workbook part too large');
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The first sheet of the workbook (as its tabs are ordered), else the lowest-numbered worksheet part. */
async function firstSheet(zip: ZipFile): Promise<ZipEntry> {
  const wb = zip.entries.get('xl/workbook.xml');
  const rels = zip.entries.get('xl/_rels/workbook.xml.rels');
  if (wb && rels) {
    const sheetTag = /<(?:[\w.-]+:)?sheet\s([^>]*)>/.exec(await text(await zip.open(wb)));
    const rid = sheetTag && /(?:^|\s)[\w.-]+:id\s*=\s*["']([^"']+)["']/.exec(sheetTag[1]);
    if (rid) {
      for (const m of (await text(await zip.open(rels))).matchAll(/<(?:[\w.-]+:)?Relationship\s([^>]*)>/g)) {
        if (attr(m[1], 'Id') !== rid[1]) continue;
        const target = attr(m[1], 'Target') ?? '';
        const name = target.startsWith('/') ? target.slice(1) : `xl/${target}`.replace(/\/\.\//g, '/');
        const entry = zip.entries.get(name);
        if (entry) return entry;
      }
    }
  }
  const sheets = [...zip.entries.values()]
    .map((e) => ({ e, m: /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(e.name) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]));
  if (!sheets.length) throw new RosterFileError(422, 'the XLSX file has no worksheet');
  return sheets[0].e;
}

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? (m[1] ?? m[2]) : undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function xmlDecode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[e] ?? all;
  });
}

/**
 * A small streaming tokenizer for SpreadsheetML: tags (any namespace prefix) and the text between them.
 * Text is collected only where the caller asks for it.
 */
abstract class XmlScanner {
  private rest = '';
  protected capturing = false;
  protected captured = '';

  protected feed(chunk: string): void {
    const s = this.rest ? this.rest + chunk : chunk;
    let pos = 0;
    const n = s.length;
    while (pos < n) {
      const lt = s.indexOf('<', pos);
      if (lt === -1) {
        if (this.capturing) this.captured += s.slice(pos);
        pos = n;
        break;
      }
      if (lt > pos && this.capturing) this.captured += s.slice(pos, lt);
      if (s.startsWith('<![CDATA[', lt)) {
        const end = s.indexOf(']]>', lt);
        if (end === -1) break;
        if (this.capturing) this.captured += escapeForCapture(s.slice(lt + 9, end));
        pos = end + 3;
        continue;
      }
      if (s.startsWith('<!--', lt)) {
        const end = s.indexOf('-->', lt);
        if (end === -1) break;
        pos = end + 3;
        continue;
      }
      const gt = s.indexOf('>', lt);
      if (gt === -1) {
        pos = lt;
        break;
      }
      pos = gt + 1;
      const c1 = s.charCodeAt(lt + 1);
      if (c1 === 63 /* ? */ || c1 === 33 /* ! */) continue;
      const closing = c1 === 47; /* / */
      const selfClosing = s.charCodeAt(gt - 1) === 47;
      let nameStart = closing ? lt + 2 : lt + 1;
      let nameEnd = nameStart;
      while (nameEnd < gt) {
        const c = s.charCodeAt(nameEnd);
        if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break;
        if (c === 58 /* : */) nameStart = nameEnd + 1;
        nameEnd += 1;
      }
      const name = s.slice(nameStart, nameEnd);
      if (closing) this.close(name);
      else {
        this.open(name, s, nameEnd, selfClosing ? gt - 1 : gt);
        if (selfClosing) this.close(name);
      }
    }
    this.rest = pos < n ? s.slice(pos) : '';
    if (this.rest.length > 1024 * 1024) throw new ZipFormatError('XML tag too long');
  }

  protected abstract open(name: string, s: string, attrFrom: number, attrTo: number): void;
  protected abstract close(name: string): void;
}

/** CDATA text is literal: escape its ampersands so the later entity decoding leaves it as written. */
function escapeForCapture(s: string): string {
  return s.replace(/&/g, '&amp;');
}

function attrIn(s: string, from: number, to: number, name: string): string | undefined {
  return attr(s.slice(from, to), name);
}

class SharedStringsReader extends XmlScanner {
  readonly strings: string[] = [];
  private inPhonetic = false;
  private inItem = false;

  push(chunk: string): void {
    this.feed(chunk);
  }

  protected open(name: string): void {
    if (name === 'si') {
      this.inItem = true;
      this.captured = '';
    } else if (name === 'rPh') this.inPhonetic = true;
    else if (name === 't' && this.inItem && !this.inPhonetic) this.capturing = true;
  }

  protected close(name: string): void {
    if (name === 't') this.capturing = false;
    else if (name === 'rPh') this.inPhonetic = false;
    else if (name === 'si') {
      this.strings.push(xmlDecode(this.captured));
      this.captured = '';
      this.inItem = false;
    }
  }
}

async function readSharedStrings(stream: Readable): Promise<string[]> {
  const reader = new SharedStringsReader();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream as AsyncIterable<Buffer>) reader.push(decoder.decode(chunk, { stream: true }));
  reader.push(decoder.decode());
  return reader.strings;
}

/** Column of a cell reference ("AB12" → 28), 1-based; 0 when there is none. */
function columnOf(ref: string | undefined): number {
  if (!ref) return 0;
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
  }
  return col;
}

/**
 * Rows of a worksheet part as text cells, the way exceljs's reader gave them before: shared strings by
 * index, inline and formula strings as written, numbers as JavaScript prints them, booleans as
 * true/false, errors as #ERROR; a cell's column from its reference (cells are placed, not appended).
 */
class SheetReader extends XmlScanner {
  private batch: SourceRow[] = [];
  private rowNumber = 0;
  private cells: string[] | null = null;
  private col = 0;
  private type: string | undefined;
  private hasFormula = false;
  private value: string | null = null;
  private inInline = false;
  private inPhonetic = false;

  constructor(private readonly shared: readonly string[]) {
    super();
  }

  push(chunk: string): SourceRow[] {
    this.feed(chunk);
    const out = this.batch;
    this.batch = [];
    return out;
  }

  protected open(name: string, s: string, from: number, to: number): void {
    switch (name) {
      case 'row': {
        const r = Number(attrIn(s, from, to, 'r'));
        this.rowNumber = Number.isInteger(r) && r > 0 ? r : this.rowNumber + 1;
        this.cells = [];
        this.col = 0;
        break;
      }
      case 'c': {
        if (!this.cells) break;
        const attrs = s.slice(from, to);
        const c = columnOf(attr(attrs, 'r'));
        this.col = c > 0 ? c : this.col + 1;
        this.type = attr(attrs, 't');
        this.hasFormula = false;
        this.value = null;
        this.inInline = false;
        if (this.cells.length < this.col) while (this.cells.length < this.col) this.cells.push('');
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

  private startCapture(): void {
    this.capturing = true;
    this.captured = '';
  }

  protected close(name: string): void {
    switch (name) {
      case 'v':
        if (this.capturing) {
          this.value = this.captured;
          this.capturing = false;
        }
        break;
      case 't':
        if (this.capturing && this.inInline) {
          this.value = (this.value ?? '') + this.captured;
          this.capturing = false;
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
    if (this.hasFormula) return this.type === 'str' ? xmlDecode(v) : String(parseFloat(v));
    switch (this.type) {
      case 's': {
        const s = this.shared[parseInt(v, 10)];
        return s ?? '';
      }
      case 'inlineStr':
      case 'str':
        return xmlDecode(v);
      case 'e':
        return '#ERROR';
      case 'b':
        return parseInt(v, 10) !== 0 ? 'true' : 'false';
      case undefined:
      default:
        return String(parseFloat(v));
    }
  }
}
