import { addDays } from '@app/domain';

export interface Dated {
  readonly date: string;
}

/** A publication saying that from its date there is no value any more (a status withdrawn: the unit left the target). */
export interface Withdrawn extends Dated {
  readonly withdrawn: true;
}

/** What consumers hold from a publication's date: its value, or none once withdrawn. */
export function heldFrom<T extends Dated>(p: T | Withdrawn | null | undefined): T | null {
  return p == null || (p as Withdrawn).withdrawn === true ? null : (p as T);
}

/** One day on which what consumers hold must change: from `date` on, the value is `value` (null: no value any more). */
export interface ChangePoint<T> {
  readonly date: string;
  readonly value: T | null;
  readonly previous: T | null;
}

export interface TimelineDiffInput<T extends Dated> {
  /** The first day that may have changed; every earlier day is the same in both timelines. */
  readonly from: string;
  /**
   * A day on which both timelines are known to be the same, and every day after it (absent or null: none). The
   * publications given then reach no further, and the days after it are left as they are: what consumers hold
   * there is right once they hold the right value on `through` itself.
   */
  readonly through?: string | null;
  /** The value holding on the day before `from` in the new timeline (null: none). */
  readonly newBefore: T | null;
  /**
   * Recomputed rows dated `from` or later, ascending, one per day without holes; after the last row its value holds
   * (through `newUntil`, when given).
   */
  readonly newRows: readonly T[];
  /** The last day the new timeline has a value (a status: the day before its unit retired); absent or null: no end. */
  readonly newUntil?: string | null;
  /**
   * What consumers hold: every value published so far dated `from` or later (ascending; the last
   * publication for a day), and the latest one dated before `from`. A consumer's value on day D is
   * the latest publication dated on or before D.
   */
  readonly published: ReadonlyArray<T | Withdrawn>;
  readonly publishedBefore: T | Withdrawn | null;
  /** Equal as published (a status event is about the status, its forecast and who reports toward it). */
  sameEvent(a: T, b: T): boolean;
  /** What to publish when a day that had a value has none any more (figures: an explicit empty figure). */
  empty?(date: string): T;
}

class Timeline<T extends Dated> {
  private readonly byDate: Map<string, T>;

  constructor(
    private readonly before: T | null,
    private readonly rows: readonly T[],
    /** The day after the last with a value (null: none). */
    readonly end: string | null,
  ) {
    this.byDate = new Map(rows.map((r) => [r.date, r]));
  }

  get first(): string | null {
    return this.rows[0]?.date ?? null;
  }

  get last(): string | null {
    return this.rows[this.rows.length - 1]?.date ?? null;
  }

  at(date: string): T | null {
    if (this.end !== null && date >= this.end) return null;
    const first = this.first;
    if (first === null || date < first) return this.before;
    return this.byDate.get(date) ?? this.rows[this.rows.length - 1];
  }
}

/**
 * Compares what was published of a timeline with its recomputed days from `from` on: the days to publish (change
 * points: a published value holds from its date until a later one) so that consumers — who hold "the latest
 * publication dated on or before D" — hold exactly the new timeline on every day, as `sameEvent` sees it. What was
 * published is all rates keeps of a timeline (migration PublishedTimelinesOnly): it is the one thing to be right.
 */
export function diffTimeline<T extends Dated>(input: TimelineDiffInput<T>): Array<ChangePoint<T>> {
  const newT = new Timeline(input.newBefore, input.newRows, input.newUntil == null ? null : addDays(input.newUntil, 1));
  const publishedOn = new Map(input.published.map((p) => [p.date, heldFrom<T>(p)]));
  const same = (a: T | null, b: T | null) => (a === null || b === null ? a === b : input.sameEvent(a, b));
  const lastPublished = input.published[input.published.length - 1]?.date ?? null;
  const last = [newT.last, newT.end, lastPublished, input.from]
    .filter((d): d is string => d !== null)
    .sort()
    .pop()!;
  const end = input.through != null && input.through < last ? input.through : last;
  const changePoints: Array<ChangePoint<T>> = [];
  let held = heldFrom<T>(input.publishedBefore);
  // Before the new timeline's first row and between publications, both sides are constant: when the
  // new rows start later than `from` (a target re-evaluation starts at year 1), skip straight to them.
  const next = (d: string): string => {
    const n = addDays(d, 1);
    if (newT.first !== null && newT.first <= n) return n;
    const candidates = [
      newT.first ?? end,
      ...[newT.end, ...input.published.map((p) => p.date)].filter((x): x is string => x !== null && x >= n),
    ].sort();
    return candidates[0] > n ? candidates[0] : n;
  };
  for (let d = input.from; d <= end; d = next(d)) {
    if (publishedOn.has(d)) held = publishedOn.get(d)!;
    let want = newT.at(d);
    if (want === null && held !== null && input.empty) want = input.empty(d);
    if (!same(held, want)) {
      changePoints.push({ date: d, value: want, previous: held });
      held = want;
    }
  }
  return changePoints;
}
