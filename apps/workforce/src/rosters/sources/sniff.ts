import { Readable } from 'node:stream';
import { RosterFileError } from './roster-file.error';

export type SniffedFormat = 'csv' | 'xlsx';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const HEAD_BYTES = 4096;

/**
 * Looks at the first bytes of an upload to tell an XLSX (a zip) from a CSV (UTF-8 text) whatever the
 * declared content type says, and hands back a stream that still starts at byte 0. Only the head is
 * buffered; the rest keeps flowing with back-pressure.
 */
export async function sniff(
  source: AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<{ format: SniffedFormat; stream: Readable }> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < HEAD_BYTES) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    head.push(chunk);
    size += chunk.length;
  }
  const first = Buffer.concat(head);
  if (first.length === 0 || (ended && first.toString('utf8').trim() === '')) throw new RosterFileError(422, 'the file is empty');
  let format: SniffedFormat;
  if (first.subarray(0, 4).equals(ZIP)) format = 'xlsx';
  else if (first.subarray(0, 4).equals(OLE)) {
    throw new RosterFileError(415, 'this is an old Excel .xls workbook: save it as .xlsx (Excel Workbook) or as CSV UTF-8');
  } else if (!looksLikeUtf8Text(first)) {
    throw new RosterFileError(415, 'the file is neither CSV (UTF-8 text) nor XLSX: save the roster as CSV UTF-8 or as .xlsx');
  } else format = 'csv';

  // The platform's body limit does not apply to a streamed body: this route counts its own bytes.
  const tooLarge = () => new RosterFileError(413, `the file is larger than ${maxBytes} bytes (ROSTER_MAX_BYTES)`);
  if (first.length > maxBytes) throw tooLarge();
  async function* rest(): AsyncGenerator<Buffer> {
    yield first;
    if (ended) return;
    let total = first.length;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      total += chunk.length;
      if (total > maxBytes) throw tooLarge();
      yield chunk;
    }
  }
  return { format, stream: Readable.from(rest(), { objectMode: false }) };
}

function looksLikeUtf8Text(head: Buffer): boolean {
  if (head.includes(0)) return false;
  try {
    // `stream: true` lets the head end in the middle of a multi-byte character.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}
