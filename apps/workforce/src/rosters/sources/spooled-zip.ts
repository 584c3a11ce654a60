import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { Open, type File as ZipMember } from 'unzipper';
import { RosterFileError } from './roster-file.error';
import { MAX_ZIP_MEMBERS } from './roster-limits';

export type { File as ZipMember } from 'unzipper';

/** Bytes per read of the spool file. */
const READ_BYTES = 256 * 1024;
/** Bytes per inflated chunk (zlib's default of 16 KiB made a chunk's handling cost more than its inflating). */
const INFLATE_CHUNK = 128 * 1024;
/** What unzipper reads to find the end of the central directory (it takes no comment longer than this allows). */
const TAIL_BYTES = 80;

export async function spool(stream: Readable, file: FileHandle): Promise<void> {
  let at = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const { bytesWritten } = await file.write(chunk, 0, chunk.length, at);
    if (bytesWritten !== chunk.length) throw new Error('short write to the spool file');
    at += chunk.length;
  }
}

/**
 * The budget of bytes inflated from one workbook (ROSTER_MAX_UNPACKED_BYTES). It is charged chunk by chunk
 * as the inflater hands them over, so a part that lies about its size in the zip's headers is stopped at
 * the limit, not after it has been inflated whole.
 */
export class InflateBudget {
  private used = 0;

  constructor(readonly max: number) {}

  /** Refuses a part whose declared size alone exceeds what is left (no need to inflate it to know). */
  checkDeclared(member: ZipMember): void {
    if (member.uncompressedSize > this.max - this.used) throw this.exceeded();
  }

  /** The member's inflated chunks, charged to the budget as they come. */
  async *read(stream: Readable): AsyncGenerator<Buffer> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      this.used += chunk.length;
      if (this.used > this.max) throw this.exceeded();
      yield chunk;
    }
  }

  private exceeded(): RosterFileError {
    return new RosterFileError(413, 'unpackedTooLarge', { max: this.max });
  }
}

/**
 * The spooled upload as unzipper's random-access source, on the open handle of the unlinked file (so
 * `Open.custom` rather than `Open.file(path)`, which reopens the file by name). unzipper reads the central
 * directory; members are read here, from the sizes and offsets it found: unzipper's own member streams
 * search a member written with a data descriptor (as Excel and exceljs write them) for the descriptor's
 * signature byte by byte, which cost more than the inflating. Reads go through the handle with positioned
 * reads (`fs.createReadStream` on a handle would close it when a stream is destroyed); `FileHandle.close`
 * waits for a read still in flight.
 */
export class SpooledZip {
  private readonly reads = new Set<Readable>();

  constructor(private readonly file: FileHandle) {}

  async members(): Promise<Map<string, ZipMember>> {
    const size = (await this.file.stat()).size;
    await this.refuseTooManyMembers(size);
    const directory = await Open.custom({
      size: () => Promise.resolve(size),
      stream: (offset: number, length?: number) => this.read(offset, length ? offset + length : Infinity),
    });
    return new Map(directory.files.filter((f) => f.type === 'File').map((f) => [f.path, f]));
  }

  /**
   * unzipper reads every entry of the central directory into memory, as many as the end record announces:
   * that count is checked first (zip64's too), so a forged directory of millions of entries is refused.
   * A tail without an end record is left to unzipper to refuse.
   */
  private async refuseTooManyMembers(size: number): Promise<void> {
    const tailAt = Math.max(0, size - TAIL_BYTES);
    const tail = await this.bytes(tailAt, size - tailAt);
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end === -1 || end + 22 > tail.length) return;
    let count = tail.readUInt16LE(end + 10);
    if (count === 0xffff || tail.readUInt32LE(end + 16) === 0xffffffff) {
      // zip64: the locator sits just before the end record and gives where the zip64 end record is.
      const locatorAt = tailAt + end - 20;
      if (locatorAt < 0) return;
      const locator = await this.bytes(locatorAt, 20);
      if (locator.readUInt32LE(0) !== 0x07064b50) return;
      const recordAt = Number(locator.readBigUInt64LE(8));
      if (recordAt + 56 > size) return;
      const record = await this.bytes(recordAt, 56);
      if (record.readUInt32LE(0) !== 0x06064b50) return;
      const count64 = record.readBigUInt64LE(32);
      count = count64 > BigInt(MAX_ZIP_MEMBERS) ? MAX_ZIP_MEMBERS + 1 : Number(count64);
    }
    if (count > MAX_ZIP_MEMBERS) throw new RosterFileError(422, 'tooManyParts', { max: MAX_ZIP_MEMBERS });
  }

  private async bytes(at: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.file.read(buf, 0, length, at);
    return buf.subarray(0, bytesRead);
  }

  /** The member's content, inflated as it is read (stored and deflated members: all an XLSX uses). */
  async open(member: ZipMember): Promise<Readable> {
    const header = await this.bytes(member.offsetToLocalFileHeader, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw new Error('no local header where the directory says');
    if (member.flags & 1) throw new Error('encrypted member');
    const start = member.offsetToLocalFileHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const raw = this.read(start, start + member.compressedSize);
    if (member.compressionMethod === 0) return raw;
    if (member.compressionMethod !== 8) throw new Error('unsupported compression method');
    const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK });
    raw.on('error', (err) => inflate.destroy(err));
    inflate.once('close', () => raw.destroy());
    return raw.pipe(inflate);
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
    return r;
  }
}
