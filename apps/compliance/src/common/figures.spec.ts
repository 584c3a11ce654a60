import { addDays, fallbackStatus, gapOf, measure, toFigure, type FigureCounts } from './figures';
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
  it('given 67,800 installed of 1,000,000 residents, the resident rate is 6.78% and 432,200 are still needed for 50%', () => {
    const m = measure({ metric: 'resident_rate', cohorts: ['residents'], tree: 'administrative', threshold: 0.5 }, [
      f({ installed: 67_800, population: 1_000_000 }),
    ]);
    expect(m).toEqual({ value: 0.0678, numerator: 67_800, denominator: 1_000_000, gap: 432_200 });
  });

  it('sums counts over cohorts on the target tree, never averages rates, and ignores the other tree', () => {
    const m = measure({ metric: 'install_rate', cohorts: ['staff', 'students'], tree: 'accountability', threshold: 1 }, [
      f({ cohort: 'staff', tree: 'accountability', smartphoneHolders: 100, installed: 50 }),
      f({ cohort: 'students', tree: 'accountability', smartphoneHolders: 900, installed: 900 }),
      f({ cohort: 'staff', tree: 'administrative', smartphoneHolders: 1000, installed: 0 }),
    ]);
    expect(m.value).toBe(950 / 1000);
    expect(m.gap).toBe(50);
  });

  it('has no value and no gap without a denominator, and rates are null on zero', () => {
    expect(
      measure({ metric: 'resident_rate', cohorts: ['residents'], tree: 'administrative', threshold: 0.5 }, [f({ installed: 5 })]).value,
    ).toBeNull();
    expect(toFigure(f({})).installRate).toBeNull();
    expect(gapOf(0.3, 0, 10)).toBe(3);
  });

  it('derives a status only when the rates service gave none', () => {
    const t = { threshold: 0.5, deadline: '2020-08-20' };
    expect(fallbackStatus(t, null, '2020-08-21')).toBe('no_data');
    expect(fallbackStatus(t, 0.5, '2020-08-21')).toBe('met');
    expect(fallbackStatus(t, 0.3, '2020-08-21')).toBe('breached');
    expect(fallbackStatus(t, 0.3, '2020-08-20')).toBe('at_risk');
  });

  it('counts days in the calendar', () => {
    expect(addDays('2020-08-31', 1)).toBe('2020-09-01');
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
