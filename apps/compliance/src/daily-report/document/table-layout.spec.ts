import { autoColumnWidths } from './table-layout';

// One point per character, so widths can be read off the strings.
const measure = (t: string) => t.length;

describe('autoColumnWidths', () => {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  it('gives the room to the column of long names, never less than a column’s longest word', () => {
    const rows = [
      ['Target', 'Rate', 'Due'],
      ['At least half of the residents of each commune install Bluezone', '48.2%', '30/08/2020'],
      ['Every civil servant turns Bluetooth on', '91.0%', '18/08/2020'],
    ];
    const w = autoColumnWidths(rows, measure, 60, 1);
    expect(sum(w)).toBeCloseTo(60);
    expect(w[1]).toBeGreaterThanOrEqual('48.2%'.length + 2);
    expect(w[2]).toBeGreaterThanOrEqual('30/08/2020'.length + 2);
    expect(w[0]).toBeGreaterThan(w[1] + w[2]);
  });

  it('keeps every cell on one line when they all fit, sharing the rest in proportion', () => {
    const w = autoColumnWidths(
      [
        ['A', 'BB'],
        ['CCC', 'D'],
      ],
      measure,
      100,
      0,
    );
    expect(w[0] / w[1]).toBeCloseTo(3 / 2);
    expect(sum(w)).toBeCloseTo(100);
  });

  it('shrinks in proportion to the longest words when even those do not fit', () => {
    const w = autoColumnWidths([['aaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb']], measure, 15, 0);
    expect(w).toEqual([5, 10]);
  });

  it('lays out nothing for no rows', () => {
    expect(autoColumnWidths([], measure, 100, 2)).toEqual([]);
  });
});
