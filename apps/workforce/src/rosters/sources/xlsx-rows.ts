import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RosterFileError } from './roster-file.error';
import type { RosterLimits } from './roster-limits';
import type { SourceRow } from './row-source';
import { local, SharedStringsReader, SheetReader } from './sheet-readers';
import { InflateBudget, spool, SpooledZip, type ZipMember } from './spooled-zip';
import { XmlError, XmlScanner, type XmlAttrs, type XmlHandler } from './xml-scanner';

/** Workbook parts read for navigation (the workbook and its relationships): far below this in any real file. */
const MAX_PART_BYTES = 16 * 1024 * 1024;

/**
 * Rows of the first worksheet of an XLSX, a batch per inflated chunk. Memory stays bounded whatever the
 * order of the zip's members: the upload is first spooled to a temporary file (unlinked at once, so a
 * killed process leaves nothing behind), then read through the zip's central directory (unzipper): the
 * shared strings first (the only table held: one string per distinct cell text, bounded), then the
 * worksheet, streamed through a narrow XML scanner (xml-scanner.ts). Every byte inflated is charged to
 * ROSTER_MAX_UNPACKED_BYTES as it comes out of the inflater.
 */
export async function* xlsxRows(stream: Readable, limits: RosterLimits): AsyncGenerator<SourceRow[]> {
  const path = join(tmpdir(), `bz-roster-${randomBytes(8).toString('hex')}.xlsx`);
  const file = await open(path, 'wx+', 0o600);
  const spooled = new SpooledZip(file);
  const budget = new InflateBudget(limits.maxUnpackedBytes);
  try {
    await unlink(path).catch(() => undefined);
    await spool(stream, file);
    let sheet: ZipMember;
    let shared: string[];
    try {
      const members = await spooled.members();
      sheet = await firstSheet(spooled, members, budget);
      const sst = members.get('xl/sharedStrings.xml');
      if (sst) {
        const reader = new SharedStringsReader(limits.maxRows);
        for await (const _ of scanned(spooled, sst, budget, reader, () => [])) void _;
        shared = reader.strings;
      } else shared = [];
    } catch (err) {
      throw asFileError(err);
    }
    const reader = new SheetReader(shared);
    try {
      yield* scanned(spooled, sheet, budget, reader, () => reader.take());
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
  if (err instanceof XmlError && err.kind === 'doctype') return new RosterFileError(422, 'doctype', undefined);
  return new RosterFileError(422, 'xlsxUnreadable', undefined);
}

/** Inflates a member through the budget into an XML scanner; yields what `take` collected after each chunk. */
async function* scanned<T>(
  zip: SpooledZip,
  member: ZipMember,
  budget: InflateBudget,
  handler: XmlHandler,
  take: () => T[],
  maxBytes = Infinity,
): AsyncGenerator<T[]> {
  budget.checkDeclared(member);
  if (member.uncompressedSize > maxBytes) throw new Error('workbook part too large');
  const scanner = new XmlScanner(handler);
  let bytes = 0;
  for await (const chunk of budget.read(await zip.open(member))) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new Error('workbook part too large');
    scanner.write(chunk);
    const batch = take();
    if (batch.length) yield batch;
  }
  scanner.end();
  const last = take();
  if (last.length) yield last;
}

/** A small part, scanned for its elements; `onOpen` sees every start tag. */
async function scanPart(
  zip: SpooledZip,
  member: ZipMember,
  budget: InflateBudget,
  onOpen: (name: string, attrs: XmlAttrs) => void,
): Promise<void> {
  const handler: XmlHandler = { wantText: false, open: onOpen, close: () => undefined, text: () => undefined };
  for await (const _ of scanned(zip, member, budget, handler, () => [], MAX_PART_BYTES)) void _;
}

/** The first sheet of the workbook (as its tabs are ordered), else the lowest-numbered worksheet part. */
async function firstSheet(zip: SpooledZip, members: ReadonlyMap<string, ZipMember>, budget: InflateBudget): Promise<ZipMember> {
  const wb = members.get('xl/workbook.xml');
  const rels = members.get('xl/_rels/workbook.xml.rels');
  if (wb && rels) {
    let rid: string | undefined;
    await scanPart(zip, wb, budget, (name, attrs) => {
      if (rid !== undefined || local(name) !== 'sheet') return;
      // The relationship id is `r:id` in the officeDocument relationships namespace, whatever its prefix.
      for (let k = 0; k < attrs.count; k++) if (attrs.name(k) !== 'id' && local(attrs.name(k)) === 'id') rid = attrs.value(k);
    });
    let target: string | undefined;
    if (rid !== undefined) {
      await scanPart(zip, rels, budget, (name, attrs) => {
        if (target === undefined && local(name) === 'Relationship' && attrs.get('Id') === rid) target = attrs.get('Target') ?? '';
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
  if (!sheets.length) throw new RosterFileError(422, 'xlsxNoSheet', undefined);
  return sheets[0].e;
}
