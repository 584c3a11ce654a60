import { parse, type CsvError, type Info } from 'csv-parse';
import { CsvFormatError, CsvScanner } from './csv-scanner';

const MAX = 64;

/** What csv-parse (the oracle: the options the roster import gave it before) reads from `input` given in `chunks`. */
async function oracle(chunks: Buffer[]): Promise<{ records: Array<[number, string[]]>; error?: [string, number] }> {
  const parser = parse({ bom: true, delimiter: [',', ';', '\t'], relax_column_count: true, skip_empty_lines: true, info: true, max_record_size: MAX });
  const records: Array<[number, string[]]> = [];
  const done = (async () => {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) records.push([item.info.lines, item.record]);
  })();
  for (const c of chunks) parser.write(c);
  parser.end();
  try {
    await done;
    return { records };
  } catch (err) {
    const e = err as CsvError & { lines?: number };
    return { records, error: [e.code, e.lines ?? -1] };
  }
}

function scanned(chunks: Buffer[]): { records: Array<[number, string[]]>; error?: [string, number] } {
  const s = new CsvScanner(MAX);
  const records: Array<[number, string[]]> = [];
  const sink = (line: number, cells: string[]) => void records.push([line, cells]);
  const decoder = new TextDecoder('utf-8');
  try {
    for (const c of chunks) s.push(decoder.decode(c, { stream: true }), sink);
    s.push(decoder.decode(), sink);
    s.end(sink);
    return { records };
  } catch (err) {
    if (!(err instanceof CsvFormatError)) throw err;
    return { records, error: [err.code, err.lines] };
  }
}

function cuts(input: Buffer, every: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i += every) out.push(input.subarray(i, i + every));
  return out;
}

async function expectSame(text: string): Promise<void> {
  const input = Buffer.from(text, 'utf8');
  const expected = await oracle([input]);
  // Records emitted before an error do not matter to the import (it fails whole): compare them only without error.
  const compare = (got: ReturnType<typeof scanned>) => (expected.error ? { error: got.error } : got);
  const want = expected.error ? { error: expected.error } : expected;
  expect({ text, ...compare(scanned([input])) }).toEqual({ text, ...want });
  for (const every of [1, 2, 3, 5, 7, 16]) expect({ text, every, ...compare(scanned(cuts(input, every))) }).toEqual({ text, every, ...want });
}

describe('CsvScanner reads what csv-parse read', () => {
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
  ])('%j', async (text) => expectSame(text));

  it('on generated files of every shape', async () => {
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
});
