/**
 * Column widths of a table from its text, as a browser lays out an automatic table: every column at least as
 * wide as its longest word (no word is broken), and the room left shared in proportion to how much more each
 * column would take to hold its longest cell on one line. A column of long names gets the room, a column of
 * percentages keeps what it needs. `rows[0]` is the header row; `measure` gives a text's width in points.
 */
export function autoColumnWidths(
  rows: ReadonlyArray<readonly string[]>,
  measure: (text: string, header: boolean) => number,
  total: number,
  padding: number,
): number[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const least = new Array<number>(columns).fill(0);
  const most = new Array<number>(columns).fill(0);
  rows.forEach((row, i) =>
    row.forEach((text, c) => {
      const words = text.split(/\s+/).filter((w) => w.length > 0);
      least[c] = Math.max(least[c], ...words.map((w) => measure(w, i === 0) + 2 * padding));
      most[c] = Math.max(most[c], measure(text, i === 0) + 2 * padding);
    }),
  );
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  if (columns === 0) return [];
  // Words wider than the page all together: each column in proportion to its longest word.
  if (sum(least) >= total) return least.map((w) => (w / sum(least)) * total);
  // Room for every cell on one line: each column in proportion to its longest cell.
  if (sum(most) <= total) return most.map((w) => (w / sum(most)) * total);
  const spare = total - sum(least);
  const wants = sum(most) - sum(least);
  return least.map((w, c) => w + ((most[c] - w) / wants) * spare);
}
