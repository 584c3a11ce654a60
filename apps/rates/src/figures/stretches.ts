/** Days on which a work item's sums may have changed: from `from` to `until` (null: every day from `from` on). */
export interface Stretch {
  readonly from: string;
  readonly until: string | null;
}

/** The later of two last days, null (no last day) beating any. */
export function laterDay(a: string | null, b: string | null): string | null {
  return a === null || b === null ? null : a > b ? a : b;
}

/**
 * Disjoint stretches covering the ones given, ascending. Each is recomputed through `through(until)` (the first
 * day known unchanged after it, which joins the new days to the stored ones; null: to the end), so two are made one
 * where the second starts on or before that day of the first: their recomputations would otherwise meet.
 */
export function joined<T extends Stretch>(
  stretches: readonly T[],
  through: (s: T) => string | null,
  merge: (a: T, b: T) => T,
): T[] {
  const sorted = [...stretches].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: T[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    const end = last === undefined ? undefined : through(last);
    if (last !== undefined && (end === null || s.from <= end!)) out[out.length - 1] = merge(last, s);
    else out.push(s);
  }
  return out;
}

/** Two stretches' days as one (for `joined`): the first's start, the later end. */
export function spanning<T extends Stretch>(a: T, b: T): T {
  return { ...a, until: laterDay(a.until, b.until) };
}
