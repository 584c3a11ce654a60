import { diffTimeline } from './timeline-diff';

type Row = { date: string; v: number };
const rows = (from: number, values: number[]): Row[] => values.map((v, i) => ({ date: `2020-08-${String(from + i).padStart(2, '0')}`, v }));
const same = (a: Row, b: Row) => a.v === b.v;

/** What a consumer holds on each day after applying the published change points over the old timeline's points. */
function held(points: Array<{ date: string; v: number | null }>, day: string): number | null {
  let best: { date: string; v: number | null } | null = null;
  for (const p of points) if (p.date <= day && (!best || p.date >= best.date)) best = p;
  return best?.v ?? null;
}

describe('diffTimeline: publish change points only', () => {
  it('given a first computation, when diffed against nothing, then every row is written and only days where the value changes are published', () => {
    const d = diffTimeline({ from: '2020-08-01', oldBefore: null, newBefore: null, oldRows: [], newRows: rows(10, [1, 1, 2, 2]), sameRow: same, sameEvent: same });
    expect(d.upserts).toHaveLength(4);
    expect(d.changePoints.map((p) => [p.date, p.value?.v])).toEqual([
      ['2020-08-10', 1],
      ['2020-08-12', 2],
    ]);
  });

  it('given an unchanged recomputation, then nothing is written nor published', () => {
    const r = rows(10, [1, 2, 2]);
    const d = diffTimeline({ from: '2020-08-10', oldBefore: null, newBefore: null, oldRows: r, newRows: rows(10, [1, 2, 2]), sameRow: same, sameEvent: same });
    expect(d).toEqual({ upserts: [], deletes: [], changePoints: [] });
  });

  it('given a late report for an earlier day, when diffed from that day, then consumers end up holding the new timeline on every day', () => {
    const oldRows = rows(10, [1, 1, 3, 3, 3]);
    const newRows = rows(11, [2, 3, 3, 3, 5]);
    const d = diffTimeline({ from: '2020-08-11', oldBefore: oldRows[0], newBefore: oldRows[0], oldRows: oldRows.slice(1), newRows, sameRow: same, sameEvent: same });
    const published = [{ date: '2020-08-10', v: 1 }, { date: '2020-08-12', v: 3 }, ...d.changePoints.map((p) => ({ date: p.date, v: p.value?.v ?? null }))];
    const latestFirst = published.reverse(); // later publications win for the same day
    const dedup = latestFirst.filter((p, i) => latestFirst.findIndex((q) => q.date === p.date) === i);
    for (const [day, v] of [['2020-08-10', 1], ['2020-08-11', 2], ['2020-08-12', 3], ['2020-08-14', 3], ['2020-08-15', 5], ['2020-08-30', 5]] as const) {
      expect(held(dedup, day)).toBe(v);
    }
    expect(d.changePoints.every((p) => p.date >= '2020-08-11')).toBe(true);
  });

  it('given rows that disappear, then they are deleted and a null change point is published', () => {
    const d = diffTimeline({ from: '2020-08-01', oldBefore: null, newBefore: null, oldRows: rows(10, [1, 1]), newRows: [], sameRow: same, sameEvent: same });
    expect(d.deletes).toEqual(['2020-08-10', '2020-08-11']);
    expect(d.changePoints).toEqual([{ date: '2020-08-10', value: null, previous: null }]);
  });
});
