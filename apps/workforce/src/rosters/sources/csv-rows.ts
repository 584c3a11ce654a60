import type { Readable } from 'node:stream';
import { CsvError, Parser, type Options } from 'csv-parse';
import { RosterFileError } from './roster-file.error';
import { MAX_COLUMNS, type RowCounter } from './roster-limits';
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
  /** The line the last record handed over ended on (the next record starts after it and any empty lines). */
  lastLine = 0;

  /** The line the record being read starts on. */
  nextStart(): number {
    return this.lastLine + 1 + (this.info.empty_lines - this.emptyLinesBefore);
  }

  private emptyLinesBefore = 0;

  override push(record: unknown): boolean {
    if (record === null) return super.push(null);
    this.lastLine = this.info.lines;
    this.emptyLinesBefore = this.info.empty_lines;
    return super.push({ line: this.lastLine, cells: record as string[] } satisfies SourceRow);
  }
}

/**
 * Records of a CSV as they stream in, parsed by csv-parse, a batch per input chunk (each chunk is parsed
 * whole and its records read out in one go, not a promise per record). The stream is read only as fast as
 * the batches are taken (back-pressure).
 */
/**
 * Empty lines are skipped by the parser (cheaply: handed over as records, each would cost csv-parse an error
 * object for its odd field count) but still charged to `rows`, so a file of millions of them is refused
 * early instead of read to its end.
 */
export async function* csvRows(stream: Readable, rows?: RowCounter, maxRecordBytes = MAX_RECORD_BYTES): AsyncGenerator<SourceRow[]> {
  const parser = new LinedParser({ ...OPTIONS, max_record_size: maxRecordBytes });
  // A parse error is read from `parser.errored` right after the write that met it (or from the iteration at
  // the end); the listener keeps the stream's own 'error' event from being an unhandled one meanwhile.
  parser.on('error', () => undefined);
  let charged = 0;
  let endsWithNewline = false;
  // csv-parse counts the nothing after a file's last line break as one more empty line: not charged.
  const chargeEmptyLines = (atEnd: boolean) => {
    const empty = parser.info.empty_lines - (atEnd && endsWithNewline ? 1 : 0);
    rows?.add(empty - charged);
    charged = empty;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      parser.write(chunk);
      if (chunk.length > 0) {
        const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
        endsWithNewline = last === 10 || last === 13;
      }
      const batch = drain(parser);
      if (parser.errored) throw asFileError(parser.errored, parser.nextStart());
      chargeEmptyLines(false);
      if (batch.length > 0) yield batch;
    }
    parser.end();
    const last: SourceRow[] = [];
    for await (const row of parser as AsyncIterable<SourceRow>) last.push(row);
    refuseWideRows(last);
    chargeEmptyLines(true);
    if (last.length > 0) yield last;
  } catch (err) {
    throw asFileError(err, parser.nextStart());
  } finally {
    parser.destroy();
  }
}

function drain(parser: Parser): SourceRow[] {
  const batch: SourceRow[] = [];
  for (let row = parser.read() as SourceRow | null; row !== null; row = parser.read() as SourceRow | null) batch.push(row);
  refuseWideRows(batch);
  return batch;
}

/** A roster has a handful of columns; a record of hundreds of separators is not one (the XLSX reader's bound too). */
function refuseWideRows(batch: readonly SourceRow[]): void {
  for (const row of batch) {
    if (row.cells.length > MAX_COLUMNS) throw new RosterFileError(422, 'tooManyColumns', { line: row.line, max: MAX_COLUMNS });
  }
}

function asFileError(err: unknown, startLine: number): unknown {
  // csv-parse's own messages quote the offending characters, and its error carries the record: neither may
  // reach a log or a response, so only the code and the line are kept.
  if (err instanceof CsvError) {
    // A record past the size bound is named by the line it starts on (it may hold many line breaks).
    if (err.code === 'CSV_MAX_RECORD_SIZE') return new RosterFileError(422, 'csvLineTooLong', { line: startLine });
    return new RosterFileError(422, 'csvMalformed', { line: (err as CsvError & { lines?: number }).lines, code: err.code });
  }
  return err;
}
