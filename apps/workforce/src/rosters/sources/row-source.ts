/** One record of a roster file: its line (CSV) or row number (XLSX), and its cells as text. */
export interface SourceRow {
  readonly line: number;
  readonly cells: string[];
}
