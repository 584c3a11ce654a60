import { diffTimeline } from './timeline-diff';

type Row = { date: string; v: number };
const day = (n: number) => `2020-08-${String(n).padStart(2, '0')}`;
const rows = (from: number, values: number[]): Row[] => values.map((v, i) => ({ date: day(from + i), v }));
const same = (a: Row, b: Row) => a.v === b.v;

/** What a consumer holds on a day: the latest publication dated on or before it (later publications of a day win). */
function held(publications: Row[], d: string): number | null {
  const byDay = new Map<string, Row>();
  for (const p of publications) byDay.set(p.date, p);
  let best: Row | null = null;
  for (const p of byDay.values()) if (p.date <= d && (!best || p.date > best.date)) best = p;
  return best?.v ?? null;
}

/** Runs diffs one after another as the flusher does, remembering what was published. */
class Consumer {
  publications: Row[] = [];
  stored: Row[] = [];

  apply(from: string, newRows: Row[], newBefore: Row | null = null) {
    const byDay = new Map<string, Row>();
    for (const p of this.publications) byDay.set(p.date, p);
    const published = [...byDay.values()].filter((p) => p.date >= from).sort((a, b) => (a.date < b.date ? -1 : 1));
    const before =
      [...byDay.values()]
        .filter((p) => p.date < from)
        .sort((a, b) => (a.date < b.date ? -1 : 1))
        .pop() ?? null;
    const d = diffTimeline({
      from,
      newBefore,
      oldRows: this.stored.filter((r) => r.date >= from),
      newRows,
      published,
      publishedBefore: before,
      sameRow: same,
      sameEvent: same,
    });
    this.stored = [...this.stored.filter((r) => r.date < from), ...newRows];
    for (const p of d.changePoints) this.publications.push({ date: p.date, v: p.value!.v });
    return d;
  }
}

describe('diffTimeline: publish what consumers need to hold the new timeline', () => {
  it('given a first computation, then every row is written and only days where the value changes are published', () => {
    const c = new Consumer();
    const d = c.apply(day(1), rows(10, [1, 1, 2, 2]));
    expect(d.upserts).toHaveLength(4);
    expect(d.changePoints.map((p) => [p.date, p.value?.v])).toEqual([
      [day(10), 1],
      [day(12), 2],
    ]);
  });

  it('given an unchanged recomputation, then nothing is written nor published', () => {
    const c = new Consumer();
    c.apply(day(10), rows(10, [1, 2, 2]));
    expect(c.apply(day(10), rows(10, [1, 2, 2]))).toEqual({ upserts: [], deletes: [], changePoints: [] });
  });

  it('given a late report for an earlier day, then consumers hold the new timeline on every day', () => {
    const c = new Consumer();
    c.apply(day(10), rows(10, [1, 1, 3, 3, 3]));
    c.apply(day(11), rows(11, [2, 3, 3, 3, 5]), { date: day(10), v: 1 });
    for (const [d, v] of [
      [10, 1],
      [11, 2],
      [12, 3],
      [14, 3],
      [15, 5],
      [30, 5],
    ] as const)
      expect(held(c.publications, day(d))).toBe(v);
  });

  it('given a value re-stated on a later day and then superseded earlier, then the stale re-statement is corrected', () => {
    // Reports on the 21st then the 23rd: the window ends on the 28th (value re-stated when a field changes), then a report on the 25th.
    const c = new Consumer();
    c.apply(day(21), rows(21, [5, 5, 9, 9, 9, 9, 9, 7])); // the 28th differs (not reporting any more)
    c.apply(day(25), rows(25, [11, 11, 11, 11, 11, 11]), { date: day(24), v: 9 }); // publishes the 25th, re-states the 28th
    c.apply(day(27), rows(27, [13, 13, 13, 13]), { date: day(26), v: 11 });
    for (const [d, v] of [
      [21, 5],
      [23, 9],
      [25, 11],
      [27, 13],
      [28, 13],
      [29, 13],
      [30, 13],
    ] as const)
      expect(held(c.publications, day(d))).toBe(v);
  });

  it('given rows that disappear, then they are deleted and the empty value is published', () => {
    const c = new Consumer();
    c.apply(day(1), rows(10, [1, 1]));
    const d = diffTimeline({
      from: day(1),
      newBefore: null,
      oldRows: c.stored,
      newRows: [],
      published: c.publications,
      publishedBefore: null,
      sameRow: same,
      sameEvent: same,
      empty: (date) => ({ date, v: 0 }),
    });
    expect(d.deletes).toEqual([day(10), day(11)]);
    expect(d.changePoints.map((p) => [p.date, p.value?.v])).toEqual([[day(10), 0]]);
  });
});
