import type { Readable } from 'node:stream';
import { CsvError, Parser, type Options } from 'csv-parse';
import { RosterFileError } from './roster-file.error';
import type { SourceRow } from './row-source';

/** Longest record accepted (csv-parse's `max_record_size`): a roster line is a few dozen bytes. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** The dialect rosters come in: `,` `;` or tab (Excel in a Vietnamese locale writes `;`), BOM tolerated. */
const OPTIONS: Options = { bom: true, delimiter: [',', ';', '\t'], relax_column_count: true, skip_empty_lines: true };

/**
 * A csv-parse stream parser that hands each record over with its line (`info.lines`, the line the record
 * ends on) without building the per-record info object `info: true` or `on_record` would: the parser pushes
 * a record synchronously while parsing, when its public `info` counters describe that record.
 */
class LinedParser extends Parser {
  override push(record: unknown): boolean {
    return super.push(record === null ? null : ({ line: this.info.lines, cells: record as string[] } satisfies SourceRow));
  }
}

/**
 * Records of a CSV as they stream in, parsed by csv-parse, a batch per input chunk (each chunk is parsed
 * whole and its records read out in one go, not a promise per record). The stream is read only as fast as
 * the batches are taken (back-pressure).
 */
export async function* csvRows(stream: Readable, maxRecordBytes = MAX_RECORD_BYTES): AsyncGenerator<SourceRow[]> {
  const parser = new LinedParser({ ...OPTIONS, max_record_size: maxRecordBytes });
  // A parse error is read from `parser.errored` right after the write that met it (or from the iteration at
  // the end); the listener keeps the stream's own 'error' event from being an unhandled one meanwhile.
  parser.on('error', () => undefined);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      parser.write(chunk);
      const batch = drain(parser);
      if (parser.errored) throw parser.errored;
      if (batch.length > 0) yield batch;
    }
    parser.end();
    const last: SourceRow[] = [];
    for await (const row of parser as AsyncIterable<SourceRow>) last.push(row);
    if (last.length > 0) yield last;
  } catch (err) {
    throw asFileError(err);
  } finally {
    parser.destroy();
  }
}

function drain(parser: Parser): SourceRow[] {
  const batch: SourceRow[] = [];
  for (let row = parser.read() as SourceRow | null; row !== null; row = parser.read() as SourceRow | null) batch.push(row);
  return batch;
}

function asFileError(err: unknown): unknown {
  // csv-parse's own messages quote the offending characters, and its error carries the record: neither may
  // reach a log or a response, so only the code and the line are kept.
  if (err instanceof CsvError) {
    const lines = (err as CsvError & { lines?: number }).lines;
    return new RosterFileError(422, `malformed CSV near line ${lines ?? '?'} (${err.code}); nothing was imported`);
  }
  return err;
}
