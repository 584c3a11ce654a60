import { diffTimeline, heldFrom, type Withdrawn } from './timeline-diff';

type Row = { date: string; v: number };
const day = (n: number) => `2020-08-${String(n).padStart(2, '0')}`;
const rows = (from: number, values: number[]): Row[] => values.map((v, i) => ({ date: day(from + i), v }));
const same = (a: Row, b: Row) => a.v === b.v;

/** What a consumer holds on a day: the latest publication dated on or before it (later publications of a day win). */
function held(publications: Array<Row | Withdrawn>, d: string): number | null {
  const byDay = new Map<string, Row | Withdrawn>();
  for (const p of publications) byDay.set(p.date, p);
  let best: Row | Withdrawn | null = null;
  for (const p of byDay.values()) if (p.date <= d && (!best || p.date > best.date)) best = p;
  return heldFrom(best)?.v ?? null;
}

/** Runs diffs one after another as the flusher does, remembering what was published (all it keeps). */
class Consumer {
  publications: Array<Row | Withdrawn> = [];

  /**
   * `through`: the rows given reach that day (which holds the same value as before), and the later days are as they were.
   * `until`: the new timeline's last day with a value (none after it).
   */
  apply(from: string, newRows: Row[], newBefore: Row | null = null, through: string | null = null, until: string | null = null) {
    const byDay = new Map<string, Row | Withdrawn>();
    for (const p of this.publications) byDay.set(p.date, p);
    const within = (r: Row | Withdrawn) => r.date >= from && (through === null || r.date <= through);
    const published = [...byDay.values()].filter(within).sort((a, b) => (a.date < b.date ? -1 : 1));
    const before =
      [...byDay.values()]
        .filter((p) => p.date < from)
        .sort((a, b) => (a.date < b.date ? -1 : 1))
        .pop() ?? null;
    const d = diffTimeline({
      from,
      through,
      newBefore,
      newRows,
      newUntil: until,
      published,
      publishedBefore: before,
      sameEvent: same,
    });
    for (const p of d) this.publications.push(p.value ? { date: p.date, v: p.value.v } : { date: p.date, withdrawn: true });
    return d;
  }
}

describe('diffTimeline: publish what consumers need to hold the new timeline', () => {
  it('given a first computation, then only days where the value changes are published', () => {
    const c = new Consumer();
    const d = c.apply(day(1), rows(10, [1, 1, 2, 2]));
    expect(d.map((p) => [p.date, p.value?.v])).toEqual([
      [day(10), 1],
      [day(12), 2],
    ]);
  });

  it('given an unchanged recomputation, then nothing is published', () => {
    const c = new Consumer();
    c.apply(day(10), rows(10, [1, 2, 2]));
    expect(c.apply(day(10), rows(10, [1, 2, 2]))).toEqual([]);
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

  it('given a recomputation bounded to the days that changed, then consumers hold the new timeline on every day, after them too', () => {
    const c = new Consumer();
    c.apply(day(10), rows(10, [1, 1, 1, 1, 1, 4, 4, 4, 6, 6]));
    // A late report changes the 12th and 13th only: recomputed through the 14th, the first day known unchanged.
    const d = c.apply(day(12), rows(12, [2, 2, 1]), { date: day(11), v: 1 }, day(14));
    // The 14th is published again (the value before the change resumes), and nothing after it is touched.
    expect(d.map((p) => [p.date, p.value?.v])).toEqual([
      [day(12), 2],
      [day(14), 1],
    ]);
    const expected = [1, 1, 2, 2, 1, 4, 4, 4, 6, 6];
    for (let i = 0; i < expected.length; i++) expect(held(c.publications, day(10 + i))).toBe(expected[i]);
    expect(held(c.publications, day(30))).toBe(6);
  });

  it('given a bounded recomputation that ends where the stored timeline changes anyway, then no extra day is published', () => {
    const c = new Consumer();
    c.apply(day(10), rows(10, [1, 1, 1, 5, 5]));
    const d = c.apply(day(11), rows(11, [3, 3, 5]), { date: day(10), v: 1 }, day(13));
    expect(d.map((p) => [p.date, p.value?.v])).toEqual([[day(11), 3]]);
    for (const [n, v] of [
      [10, 1],
      [11, 3],
      [12, 3],
      [13, 5],
      [20, 5],
    ] as const)
      expect(held(c.publications, day(n))).toBe(v);
  });

  it('given a timeline that has no value any more, then the empty value is published', () => {
    const c = new Consumer();
    c.apply(day(1), rows(10, [1, 1]));
    const d = diffTimeline({
      from: day(1),
      newBefore: null,
      newRows: [],
      published: c.publications,
      publishedBefore: null,
      sameEvent: same,
      empty: (date) => ({ date, v: 0 }),
    });
    expect(d.map((p) => [p.date, p.value?.v])).toEqual([[day(10), 0]]);
  });
  it('given a timeline that ends (its unit retired), then its end is published as a withdrawal, once', () => {
    const c = new Consumer();
    const d = c.apply(day(1), rows(10, [1, 1, 2]), null, null, day(12));
    expect(d.map((p) => [p.date, p.value?.v ?? null])).toEqual([
      [day(10), 1],
      [day(12), 2],
      [day(13), null],
    ]);
    expect([day(12), day(13), day(30)].map((x) => held(c.publications, x))).toEqual([2, null, null]);
    // Read back, the withdrawal is what consumers hold: the same computation again publishes nothing.
    expect(c.apply(day(1), rows(10, [1, 1, 2]), null, null, day(12))).toEqual([]);
    // Recomputed from after the end (a report dated later), there is still nothing to say.
    expect(c.apply(day(20), [], null, null, day(12))).toEqual([]);
  });

  it('given a timeline with no rows any more (its unit left the scope), then every publication is withdrawn', () => {
    const c = new Consumer();
    c.apply(day(1), rows(10, [1, 2, 2]));
    const d = c.apply(day(1), []);
    // Each day something was published on is told again: a consumer holds the latest publication on or before a day.
    expect(d.map((p) => [p.date, p.value?.v ?? null, p.previous?.v ?? null])).toEqual([
      [day(10), null, 1],
      [day(11), null, 2],
    ]);
    expect([day(9), day(10), day(11), day(30)].map((x) => held(c.publications, x))).toEqual([null, null, null, null]);
    expect(c.apply(day(1), [])).toEqual([]);
  });

  it('given a withdrawn timeline that has values again, then they are published after the withdrawal', () => {
    const c = new Consumer();
    c.apply(day(1), rows(10, [1, 1]), null, null, day(10));
    expect(held(c.publications, day(15))).toBeNull();
    // The retirement is undone (a later revision of the unit): the whole timeline again, no end.
    const d = c.apply(day(1), rows(10, [1, 1, 3]));
    expect(d.map((p) => [p.date, p.value?.v ?? null])).toEqual([
      [day(11), 1],
      [day(12), 3],
    ]);
    expect([day(10), day(11), day(12), day(30)].map((x) => held(c.publications, x))).toEqual([1, 1, 3, 3]);
  });
});
