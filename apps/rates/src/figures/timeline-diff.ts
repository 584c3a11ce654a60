import { addDays } from '@app/domain';

export interface Dated {
  readonly date: string;
}

/** One day on which what consumers hold must change: from `date` on, the value is `value` (null: no value any more). */
export interface ChangePoint<T> {
  readonly date: string;
  readonly value: T | null;
  readonly previous: T | null;
}

export interface TimelineDiff<T> {
  /** New or changed stored rows. */
  readonly upserts: T[];
  /** Dates of stored rows that no longer exist. */
  readonly deletes: string[];
  /** Days to publish. A published value holds from its date until a later one, so only change points are published. */
  readonly changePoints: Array<ChangePoint<T>>;
}

export interface TimelineDiffInput<T extends Dated> {
  /** The first day that may have changed; every earlier day is the same in both timelines. */
  readonly from: string;
  /** The value holding on the day before `from`, in the stored and in the new timeline (null: none). */
  readonly oldBefore: T | null;
  readonly newBefore: T | null;
  /** Rows dated `from` or later, ascending, one per day without holes; after the last row its value holds. */
  readonly oldRows: readonly T[];
  readonly newRows: readonly T[];
  /** Equal as stored. */
  sameRow(a: T, b: T): boolean;
  /** Equal as published (a status event is about the status only). */
  sameEvent(a: T, b: T): boolean;
}

class Timeline<T extends Dated> {
  private readonly byDate: Map<string, T>;

  constructor(
    private readonly before: T | null,
    private readonly rows: readonly T[],
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
    const first = this.first;
    if (first === null || date < first) return this.before;
    return this.byDate.get(date) ?? this.rows[this.rows.length - 1];
  }

  has(date: string): T | undefined {
    return this.byDate.get(date);
  }
}

/**
 * Compares a stored timeline with a recomputed one from `from` on: which rows to write or delete, and
 * on which days the published timeline changes. A day is a change point of a timeline when its value
 * differs from the day before; a day is published when it is a change point in one timeline and not
 * the other, or a change point to a different value. Consumers that keep "the latest value dated on
 * or before D" then hold exactly the new timeline.
 */
export function diffTimeline<T extends Dated>(input: TimelineDiffInput<T>): TimelineDiff<T> {
  const oldT = new Timeline(input.oldBefore, input.oldRows);
  const newT = new Timeline(input.newBefore, input.newRows);
  const upserts = input.newRows.filter((r) => {
    const o = oldT.has(r.date);
    return !o || !input.sameRow(o, r);
  });
  const newDates = new Set(input.newRows.map((r) => r.date));
  const deletes = input.oldRows.filter((r) => !newDates.has(r.date)).map((r) => r.date);

  const changePoints: Array<ChangePoint<T>> = [];
  const firsts = [oldT.first, newT.first].filter((d): d is string => d !== null).sort();
  const lasts = [oldT.last, newT.last].filter((d): d is string => d !== null).sort();
  if (firsts.length) {
    const same = (a: T | null, b: T | null) => (a === null || b === null ? a === b : input.sameEvent(a, b));
    const start = firsts[0] > input.from ? firsts[0] : input.from;
    const end = lasts[lasts.length - 1];
    for (let d = start; d <= end; d = addDays(d, 1)) {
      const prev = addDays(d, -1);
      const [o, op, n, np] = [oldT.at(d), oldT.at(prev), newT.at(d), newT.at(prev)];
      const oldIsPoint = !same(o, op);
      const newIsPoint = !same(n, np);
      if (oldIsPoint !== newIsPoint || (newIsPoint && !same(o, n))) changePoints.push({ date: d, value: n, previous: np });
    }
  }
  return { upserts, deletes, changePoints };
}
