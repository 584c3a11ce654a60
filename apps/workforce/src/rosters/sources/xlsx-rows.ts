import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { Open, type File as ZipMember } from 'unzipper';
import { RosterFileError } from './roster-file.error';
import type { SourceRow } from './row-source';

/** Workbook parts read whole (the workbook and its relationships): far below this in any real file. */
const MAX_PART_BYTES = 16 * 1024 * 1024;
/** Bytes per read of the spool file. */
const READ_BYTES = 64 * 1024;

/**
 * Rows of the first worksheet of an XLSX, a batch per decoded chunk. Memory stays bounded whatever the
 * order of the zip's members: the upload is first spooled to a temporary file (unlinked at once, so a
 * killed process leaves nothing behind), then read through the zip's central directory (unzipper): the
 * shared strings first (the only table held: one string per distinct cell text), then the worksheet,
 * streamed through a SAX parser (saxes).
 */
export async function* xlsxRows(stream: Readable): AsyncGenerator<SourceRow[]> {
  const path = join(tmpdir(), `bz-roster-${randomBytes(8).toString('hex')}.xlsx`);
  const file = await open(path, 'wx+', 0o600);
  const spooled = new SpooledZip(file);
  try {
    await unlink(path).catch(() => undefined);
    await spool(stream, file);
    let sheet: ZipMember;
    let shared: string[];
    try {
      const members = await spooled.members();
      sheet = await firstSheet(spooled, members);
      const sst = members.get('xl/sharedStrings.xml');
      shared = sst ? await readSharedStrings(spooled.open(sst)) : [];
    } catch (err) {
      throw asFileError(err);
    }
    const reader = new SheetReader(shared);
    try {
      for await (const batch of saxBatches(spooled.open(sheet), reader)) yield batch;
    } catch (err) {
      throw asFileError(err);
    }
  } finally {
    spooled.destroy();
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

/**
 * The spooled upload as unzipper's random-access source, on the open handle of the unlinked file (so
 * `Open.custom` rather than `Open.file(path)`, which reopens the file by name). Its streams read through the
 * handle with positioned reads (`fs.createReadStream` on a handle would close it when unzipper destroys a
 * member's stream); `FileHandle.close` waits for a read still in flight. A read error fails the member read.
 */
class SpooledZip {
  private readonly reads = new Set<Readable>();
  private current: Readable | null = null;

  constructor(private readonly file: FileHandle) {}

  async members(): Promise<Map<string, ZipMember>> {
    const directory = await Open.custom({
      size: async () => (await this.file.stat()).size,
      stream: (offset: number, length?: number) => this.read(offset, length ? offset + length : Infinity),
    });
    return new Map(directory.files.filter((f) => f.type === 'File').map((f) => [f.path, f]));
  }

  /** The member's content, inflated as it is read. */
  open(member: ZipMember): Readable {
    this.current = member.stream();
    return this.current;
  }

  /** Stops the streams still open on the file (a member left unread, the rest of the file after one). */
  destroy(): void {
    for (const r of this.reads) r.destroy();
    this.reads.clear();
  }

  /** Bytes [from, to) of the file. */
  private read(from: number, to: number): Readable {
    const file = this.file;
    let at = from;
    const r = new Readable({
      highWaterMark: READ_BYTES,
      read() {
        const want = Math.min(READ_BYTES, to - at);
        if (want <= 0) {
          this.push(null);
          return;
        }
        file.read(Buffer.allocUnsafe(want), 0, want, at).then(
          ({ bytesRead, buffer }) => {
            if (this.destroyed) return;
            at += bytesRead;
            this.push(bytesRead > 0 ? buffer.subarray(0, bytesRead) : null);
          },
          (err: Error) => this.destroy(err),
        );
      },
    });
    this.reads.add(r);
    r.once('close', () => this.reads.delete(r));
    // unzipper pipes these streams without listening for their errors: fail the member being read instead.
    r.on('error', (err) => this.current?.destroy(err));
    return r;
  }
}

/** A parser without position tracking (messages never reach the uploader: they are replaced by ours). */
function newParser(): SaxesParser<object> {
  return new SaxesParser({ position: false });
}

/** The local name of a tag or attribute (SpreadsheetML may be written with any namespace prefix). */
function local(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Feeds a member's bytes to `parser` and yields what `take` collected after each chunk. */
async function* saxBatches<T>(member: Readable, reader: { parser: SaxesParser<object>; take(): T[] }): AsyncGenerator<T[]> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of member as AsyncIterable<Buffer>) {
    reader.parser.write(decoder.decode(chunk, { stream: true }));
    const batch = reader.take();
    if (batch.length) yield batch;
  }
  reader.parser.write(decoder.decode());
  reader.parser.close();
  const last = reader.take();
  if (last.length) yield last;
}

/** A small part read whole and parsed; `onOpen` sees every element. */
async function parsePart(member: Readable, onOpen: (tag: SaxesTagPlain) => void): Promise<void> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of member as AsyncIterable<Buffer>) {
    parts.push(c);
    size += c.length;
    if (size > MAX_PART_BYTES) throw new Error('workbook part too large');
  }
  const parser = newParser();
  parser.on('opentag', onOpen);
  parser.write(Buffer.concat(parts).toString('utf8')).close();
}

/** The first sheet of the workbook (as its tabs are ordered), else the lowest-numbered worksheet part. */
async function firstSheet(zip: SpooledZip, members: ReadonlyMap<string, ZipMember>): Promise<ZipMember> {
  const wb = members.get('xl/workbook.xml');
  const rels = members.get('xl/_rels/workbook.xml.rels');
  if (wb && rels) {
    let rid: string | undefined;
    await parsePart(zip.open(wb), (tag) => {
      if (rid !== undefined || local(tag.name) !== 'sheet') return;
      // The relationship id is `r:id` in the officeDocument relationships namespace, whatever its prefix.
      for (const [name, value] of Object.entries(tag.attributes)) if (name !== 'id' && local(name) === 'id') rid = value;
    });
    let target: string | undefined;
    if (rid !== undefined) {
      await parsePart(zip.open(rels), (tag) => {
        if (target === undefined && local(tag.name) === 'Relationship' && tag.attributes.Id === rid) target = tag.attributes.Target ?? '';
      });
    }
    if (target !== undefined) {
      const name = target.startsWith('/') ? target.slice(1) : `xl/${target}`.replace(/\/\.\//g, '/');
      const entry = members.get(name);
      if (entry) return entry;
    }
  }
  const sheets = [...members.values()]
    .map((e) => ({ e, m: /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(e.path) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]));
  if (!sheets.length) throw new RosterFileError(422, 'the XLSX file has no worksheet');
  return sheets[0].e;
}

/** The shared strings table: the text of each `<si>` (runs concatenated, phonetic guides left out). */
async function readSharedStrings(member: Readable): Promise<string[]> {
  const strings: string[] = [];
  const parser = newParser();
  let inItem = false;
  let inPhonetic = false;
  let capturing = false;
  let text = '';
  const capture = (s: string) => {
    if (capturing) text += s;
  };
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    if (name === 'si') {
      inItem = true;
      text = '';
    } else if (name === 'rPh') inPhonetic = true;
    else if (name === 't' && inItem && !inPhonetic) capturing = true;
  });
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (name === 't') capturing = false;
    else if (name === 'rPh') inPhonetic = false;
    else if (name === 'si') {
      strings.push(text);
      text = '';
      inItem = false;
    }
  });
  parser.on('text', capture);
  parser.on('cdata', capture);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of member as AsyncIterable<Buffer>) parser.write(decoder.decode(chunk, { stream: true }));
  parser.write(decoder.decode()).close();
  return strings;
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
class SheetReader {
  readonly parser = newParser();
  private batch: SourceRow[] = [];
  private rowNumber = 0;
  private cells: string[] | null = null;
  private col = 0;
  private type: string | undefined;
  private hasFormula = false;
  private value: string | null = null;
  private inInline = false;
  private inPhonetic = false;
  private capturing = false;
  private captured = '';

  constructor(private readonly shared: readonly string[]) {
    const capture = (s: string) => {
      if (this.capturing) this.captured += s;
    };
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', (tag) => this.close(local(tag.name)));
    this.parser.on('text', capture);
    this.parser.on('cdata', capture);
  }

  take(): SourceRow[] {
    const out = this.batch;
    this.batch = [];
    return out;
  }

  private open(tag: SaxesTagPlain): void {
    switch (local(tag.name)) {
      case 'row': {
        const r = Number(tag.attributes.r);
        this.rowNumber = Number.isInteger(r) && r > 0 ? r : this.rowNumber + 1;
        this.cells = [];
        this.col = 0;
        break;
      }
      case 'c': {
        if (!this.cells) break;
        const c = columnOf(tag.attributes.r);
        this.col = c > 0 ? c : this.col + 1;
        this.type = tag.attributes.t;
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

  private startCapture(): void {
    this.capturing = true;
    this.captured = '';
  }

  private close(name: string): void {
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
    if (this.hasFormula) return this.type === 'str' ? v : String(parseFloat(v));
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
        return String(parseFloat(v));
    }
  }
}
