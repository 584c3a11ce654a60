import { Readable } from 'node:stream';
import { RosterFileError } from './roster-file.error';

export type SniffedFormat = 'csv' | 'xlsx';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const HEAD_BYTES = 4096;

/**
 * The upload's bytes, counted against ROSTER_MAX_BYTES (the platform's body limit does not apply to a
 * streamed body: this route counts its own bytes).
 */
export class UploadBody {
  private readonly it: AsyncIterator<Buffer | string>;
  private ended = false;
  private total = 0;

  constructor(
    source: AsyncIterable<Buffer | string>,
    readonly maxBytes: number,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The next chunk, or null at the end. */
  async next(): Promise<Buffer | null> {
    if (this.ended) return null;
    const next = await this.it.next();
    if (next.done) {
      this.ended = true;
      return null;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    this.total += chunk.length;
    if (this.total > this.maxBytes) throw new RosterFileError(413, 'fileTooLarge', { max: this.maxBytes });
    return chunk;
  }

  /**
   * After a refusal midway, reads what is left of the upload (up to ROSTER_MAX_BYTES in all, for at most
   * `ms`) and drops it: a client still sending then gets the answer, where closing on unread bytes would
   * reset the connection under it. Past either bound the upload is left for the connection to drop.
   */
  async discardRest(ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    try {
      while (!this.ended && Date.now() < deadline) await this.next();
    } catch {
      // Too large or broken: nothing more to read.
    }
  }
}

/**
 * Looks at the first bytes of an upload to tell an XLSX (a zip) from a CSV (UTF-8 text) whatever the
 * declared content type says, and hands back a stream that still starts at byte 0. Only the head is
 * buffered; the rest keeps flowing with back-pressure.
 */
export async function sniff(body: UploadBody): Promise<{ format: SniffedFormat; stream: Readable }> {
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < HEAD_BYTES) {
    const chunk = await body.next();
    if (!chunk) {
      ended = true;
      break;
    }
    head.push(chunk);
    size += chunk.length;
  }
  const first = Buffer.concat(head);
  if (first.length === 0 || (ended && first.toString('utf8').trim() === '')) throw new RosterFileError(422, 'fileEmpty', undefined);
  let format: SniffedFormat;
  if (first.subarray(0, 4).equals(ZIP)) format = 'xlsx';
  else if (first.subarray(0, 4).equals(OLE)) {
    throw new RosterFileError(415, 'oldXls', undefined);
  } else if (!looksLikeUtf8Text(first)) {
    throw new RosterFileError(415, 'notCsvNorXlsx', undefined);
  } else format = 'csv';

  async function* rest(): AsyncGenerator<Buffer> {
    yield first;
    for (let chunk = await body.next(); chunk; chunk = await body.next()) yield chunk;
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
