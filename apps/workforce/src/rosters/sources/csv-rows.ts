import { pipeline, type Readable } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import { RosterFileError } from './roster-file.error';
import type { SourceRow } from './row-source';

/** Records of a CSV as they stream in; separators `,` `;` or tab (Excel in a Vietnamese locale writes `;`). */
export async function* csvRows(stream: Readable): AsyncGenerator<SourceRow> {
  const parser = parse({
    bom: true,
    delimiter: [',', ';', '\t'],
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: 64 * 1024,
  });
  // pipeline carries an aborted upload's error into the parser, so iteration below fails instead of waiting.
  pipeline(stream, parser, () => undefined);
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      yield { line: item.info.lines, cells: item.record };
    }
  } catch (err) {
    throw asFileError(err);
  }
}

function asFileError(err: unknown): unknown {
  const e = err as Partial<CsvError> & { lines?: number };
  // csv-parse's own messages quote the offending characters, and its error carries the record: neither may
  // reach a log or a response, so only the code and the line are kept.
  if (typeof e?.code === 'string' && e.code.startsWith('CSV_')) {
    return new RosterFileError(422, `malformed CSV near line ${e.lines ?? '?'} (${e.code}); nothing was imported`);
  }
  return err;
}
