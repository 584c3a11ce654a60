import { toFigure, type FigureCounts } from './figures';
import { csvCell, sortRows, toCsv } from './listing';

const f = (c: Partial<FigureCounts>): FigureCounts => ({
  orgUnitCode: '84',
  cohort: 'residents',
  tree: 'administrative',
  date: '2020-08-21',
  headcount: 0,
  smartphoneHolders: 0,
  installed: 0,
  bluetoothOn: 0,
  population: null,
  reportingUnits: 0,
  expectedUnits: 0,
  ...c,
});

describe('figures (pure rules)', () => {
  it('has rates of null, never 0, without a denominator', () => {
    expect(toFigure(f({})).installRate).toBeNull();
    expect(toFigure(f({ installed: 5, smartphoneHolders: 10, population: 100 }))).toMatchObject({ installRate: 0.5, populationRate: 0.05 });
  });
});

describe('listing', () => {
  it('sorts with nulls last either way and a stable tie-break', () => {
    const rows = [
      { c: 'b', v: 1 },
      { c: 'a', v: null },
      { c: 'c', v: 1 },
      { c: 'd', v: 0 },
    ];
    const keys = { v: (r: { v: number | null }) => r.v };
    expect(sortRows(rows, 'v', keys, (r) => r.c).map((r) => r.c)).toEqual(['d', 'b', 'c', 'a']);
    expect(sortRows(rows, '-v', keys, (r) => r.c).map((r) => r.c)).toEqual(['b', 'c', 'd', 'a']);
    expect(() => sortRows(rows, 'nope', keys, (r) => r.c)).toThrow();
  });

  it('writes CSV with a BOM, a header and quoted cells', () => {
    expect(toCsv([{ header: 'name', value: (r: { n: string }) => r.n }], [{ n: 'Huyện Càng Long' }, { n: 'a, "b"' }])).toBe(
      '\uFEFFname\r\nHuyện Càng Long\r\n"a, ""b"""\r\n',
    );
  });

  it('given text a spreadsheet would run as a formula, then it is written as text; numbers stay numbers', () => {
    expect(['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual([
      '"\'=HYPERLINK(""http://x"",""y"")"',
      '"\'+1"',
      '"\'-2+3"',
      '"\'@SUM(A1)"',
      '"\'\tx"',
      '"\'\rx"',
    ]);
    expect([-3, -0.25, 0.0678, 12, true, null].map(csvCell)).toEqual(['-3', '-0.25', '0.0678', '12', 'true', '']);
    expect(['Huyện Càng Long', 'a=b', '2020-08-21'].map(csvCell)).toEqual(['Huyện Càng Long', 'a=b', '2020-08-21']);
  });
});
