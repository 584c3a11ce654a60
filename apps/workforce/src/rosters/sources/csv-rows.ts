import type { Readable } from 'node:stream';
import { CsvFormatError, CsvScanner } from './csv-scanner';
import { RosterFileError } from './roster-file.error';
import type { SourceRow } from './row-source';

const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Records of a CSV as they stream in, a batch per input chunk; separators `,` `;` or tab (Excel in a
 * Vietnamese locale writes `;`). The stream is read only as fast as the batches are taken (back-pressure).
 */
export async function* csvRows(stream: Readable): AsyncGenerator<SourceRow[]> {
  const scanner = new CsvScanner(MAX_RECORD_BYTES);
  const decoder = new TextDecoder('utf-8');
  let batch: SourceRow[] = [];
  const sink = (line: number, cells: string[]) => void batch.push({ line, cells });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      scanner.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), sink);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    scanner.push(decoder.decode(), sink);
    scanner.end(sink);
  } catch (err) {
    throw asFileError(err);
  }
  if (batch.length > 0) yield batch;
}

function asFileError(err: unknown): unknown {
  // Our scanner's errors carry a code and a line only: the file's content never reaches a log or a response.
  if (err instanceof CsvFormatError) return new RosterFileError(422, `malformed CSV near line ${err.lines} (${err.code}); nothing was imported`);
  return err;
}
