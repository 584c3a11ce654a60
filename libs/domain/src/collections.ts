/**
 * Items grouped by key, each group in the items' order. The one way to group here: appending to a copy of the
 * group (`map.set(k, [...(map.get(k) ?? []), item])`) costs the square of a group's size, which a flush of rates
 * (thousands of marks per partition, a province's days per lane) paid in time and garbage.
 */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/**
 * Strings in code-unit order (as PostgreSQL's "C" collation and `<` compare them), for `sort`: codes, dates
 * (YYYY-MM-DD) and keys. Not for names people read (those sort with `localeCompare('vi')`).
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
