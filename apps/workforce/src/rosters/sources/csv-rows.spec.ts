import { Readable } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import { csvRows } from './csv-rows';
import { RosterFileError } from './roster-file.error';
import { RowCounter } from './roster-limits';
import type { SourceRow } from './row-source';

const MAX = 64;

interface Read {
  records: Array<[number, string[]]>;
  error?: [string, number];
}

/** What csv-parse read in its plainest use (the whole input, `info: true`, a record per iteration): the reference. */
async function reference(input: Buffer): Promise<Read> {
  const parser = parse({
    bom: true,
    delimiter: [',', ';', '\t'],
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX,
  });
  const records: Array<[number, string[]]> = [];
  const done = (async () => {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) records.push([item.info.lines, item.record]);
  })();
  parser.end(input);
  try {
    await done;
    return { records };
  } catch (err) {
    const e = err as CsvError & { lines?: number };
    // csvRows names a record too long by the line it starts on (checked on its own below), csv-parse by where it stopped.
    return { records, error: [e.code, e.code === 'CSV_MAX_RECORD_SIZE' ? 0 : (e.lines ?? -1)] };
  }
}

/** What csvRows hands over when the input arrives in `chunks`, and the batches it came in. */
async function read(chunks: Buffer[]): Promise<Read & { batches: number }> {
  const records: Array<[number, string[]]> = [];
  let batches = 0;
  try {
    for await (const batch of csvRows(Readable.from(chunks), undefined, MAX)) {
      batches += 1;
      expect(batch.length).toBeGreaterThan(0);
      for (const r of batch) records.push([r.line, r.cells]);
    }
    return { records, batches };
  } catch (err) {
    if (!(err instanceof RosterFileError)) throw err;
    expect(err.status).toBe(422);
    if (err.key === 'csvLineTooLong') return { records, batches, error: ['CSV_MAX_RECORD_SIZE', 0] };
    if (err.key !== 'csvMalformed') throw err;
    const p = err.params as { line: number; code: string };
    return { records, batches, error: [p.code, p.line] };
  }
}

function cuts(input: Buffer, every: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i += every) out.push(input.subarray(i, i + every));
  return out;
}

async function expectSame(text: string): Promise<void> {
  const input = Buffer.from(text, 'utf8');
  const expected = await reference(input);
  // Records handed over before an error do not matter to the import (it fails whole): compared only without one.
  const want = expected.error ? { error: expected.error } : { records: expected.records };
  const got = async (chunks: Buffer[]) => {
    const r = await read(chunks);
    return expected.error ? { error: r.error } : { records: r.records };
  };
  expect({ text, ...(await got([input])) }).toEqual({ text, ...want });
  for (const every of [1, 2, 3, 5, 7, 16]) expect({ text, every, ...(await got(cuts(input, every))) }).toEqual({ text, every, ...want });
}

describe('csvRows', () => {
  it.each([
    'employee_id,has_smartphone,installed,bluetooth_on\nNV1,có,có,không\nNV2,x,,\n',
    'a;b\tc,d\r\ne;f\r\n',
    'a,b\rc,d\re',
    '\ufeffMã NV,x\n1,2',
    '\ufeff',
    '',
    '\n\n\na,b\n\n\nc\n\n',
    '\r\n\r\na\r\n\r\nb\r\n',
    'a,"b,c",d\n"e ""quoted""",f\n',
    '"multi\nline",x\ny,z\n',
    '"multi\r\nline",x\r\ny,z\r\n',
    'a,b\r\nc\nd\re\r\nf',
    'a\nb\r\nc\rd\n',
    '"",""\n""\n,\n,,\n',
    'a,b,\n,\n',
    'a,"b"c\n',
    'a,b"c\n',
    'a,"unclosed\nb,c\n',
    'a,"unclosed\n',
    'a,"unclosed',
    '"a"\r\nb',
    '"a"\rb\rc',
    '"a"',
    'x\n"a""',
    'ab\n' + 'x'.repeat(70) + '\nc\n',
    'ab\n' + 'x'.repeat(64) + '\nc\n',
    'ab\n' + 'x'.repeat(65) + '\nc\n',
    'ab\n' + 'x'.repeat(40) + ',' + 'y'.repeat(30) + '\nc\n',
    'ab\n' + 'x'.repeat(65) + ',\nc\n',
    'ab\n' + 'x'.repeat(65) + ',y\nc\n',
    'ab\n"' + 'x'.repeat(30) + '\n' + 'y'.repeat(40) + '"\nc\n',
    'ab\n' + 'ố'.repeat(30) + '\nc\n',
    'Nguyễn Văn Tèo,có,không\nĐỗ,rồi,chưa\n',
  ])('reads %j as csv-parse does, cut into chunks anywhere', async (text) => expectSame(text));

  it('reads generated files of every shape as csv-parse does', async () => {
    const alphabet = ['a', 'b', ',', ';', '\t', '"', '\n', '\r', '\r\n', 'ố', ' ', 'x'];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 400; k++) {
      let text = '';
      const len = rand(40);
      for (let i = 0; i < len; i++) text += alphabet[rand(alphabet.length)];
      await expectSame(text);
    }
    // Well-formed quoting, so the generated files also reach the end without an error.
    for (let k = 0; k < 300; k++) {
      const lines: string[] = [];
      for (let l = rand(6); l >= 0; l--) {
        const cells: string[] = [];
        for (let c = rand(4); c >= 0; c--) {
          const v = ['', 'ab', 'ố x', 'a"b', 'a,b', 'l1\nl2', 'l1\r\nl2', 'x'.repeat(rand(50))][rand(8)];
          cells.push(v.includes('"') || v.includes(',') || v.includes('\n') || rand(3) === 0 ? `"${v.replace(/"/g, '""')}"` : v);
        }
        lines.push(cells.join([',', ';', '\t'][rand(3)]));
      }
      const eol = ['\n', '\r\n', '\r'][rand(3)];
      await expectSame(lines.join(eol) + (rand(2) ? eol : ''));
    }
  });

  it('names each record by the line it ends on, blank lines counted', async () => {
    const r = await read([Buffer.from('\ufeffid;flag\n\nNV1;có\n"NV\n2";x\nNV3,y')]);
    expect(r.records).toEqual([
      [1, ['id', 'flag']],
      [3, ['NV1', 'có']],
      [5, ['NV\n2', 'x']],
      [6, ['NV3', 'y']],
    ]);
  });

  it('hands the records over a batch per input chunk', async () => {
    // (csv-parse looks one character past a record delimiter before it hands the record over.)
    const chunks = ['h1,h2\nA,1\nB,', '2\nC,3\nD,4\nE', ',5'].map((s) => Buffer.from(s));
    const batches: SourceRow[][] = [];
    for await (const b of csvRows(Readable.from(chunks))) batches.push(b);
    expect(batches.map((b) => b.map((r) => r.line))).toEqual([[1, 2], [3, 4, 5], [6]]);
    expect(batches.flat().map((r) => r.cells[0])).toEqual(['h1', 'A', 'B', 'C', 'D', 'E']);
  });

  it.each([
    ['a,"unclosed\nb,c\n', 'malformed CSV near line 2 (CSV_QUOTE_NOT_CLOSED); nothing was imported'],
    ['ok,ok\na,"b"c\n', 'malformed CSV near line 2 (CSV_INVALID_CLOSING_QUOTE); nothing was imported'],
    ['ok,ok\nsecret,b"c\n', 'malformed CSV near line 2 (INVALID_OPENING_QUOTE); nothing was imported'],
    [`ok\n${'secret'.repeat(100)}\n`, /^line 2 is longer than 64 KiB/],
    [`ok\n\nok,"${'secret\n'.repeat(80)}"\n`, /^line 3 is longer than 64 KiB/],
    [`ok\nok\n\n\n${'secret'.repeat(100)}\n`, /^line 5 is longer than 64 KiB/],
    [`ok\n${','.repeat(300)}\n`, /^line 2 has a cell beyond column IV/],
  ])('refuses %j with the line and the code only, never the content', async (text, message) => {
    const failure = (async () => {
      for await (const batch of csvRows(Readable.from([Buffer.from(text)]), undefined, MAX * 8)) void batch;
    })();
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toBeInstanceOf(RosterFileError);
    await expect(failure).rejects.not.toThrow(/secret/);
  });

  it('charges the empty lines it skips to the row limit', async () => {
    const rows = new RowCounter(10);
    const text = `h\n${'\n'.repeat(9)}a\n`;
    const read9 = async (counter: RowCounter, input: string) => {
      for await (const batch of csvRows(Readable.from(cuts(Buffer.from(input), 3)), counter)) void batch;
    };
    await read9(rows, text);
    await expect(read9(new RowCounter(8), text)).rejects.toMatchObject({ status: 413, key: 'tooManyRows' });
    // The nothing after the last line break is no line: a file of exactly the limit passes, with or without it.
    for (const tail of ['', '\n', '\r\n']) {
      const exact = new RowCounter(9);
      await read9(exact, `h\n${'\n'.repeat(9)}a${tail}`);
      expect(exact).toMatchObject({ max: 9 });
      await expect(read9(new RowCounter(8), `h\n${'\n'.repeat(9)}a${tail}`)).rejects.toMatchObject({ key: 'tooManyRows' });
    }
  });

  it('passes an error of the upload itself through (it is not a CSV error)', async () => {
    async function* aborted(): AsyncGenerator<Buffer> {
      yield Buffer.from('a,b\n');
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(
      (async () => {
        for await (const batch of csvRows(Readable.from(aborted()))) void batch;
      })(),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
