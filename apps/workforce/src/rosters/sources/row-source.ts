/** One record of a roster file: its line (CSV) or row number (XLSX), and its cells as text. */
export interface SourceRow {
  readonly line: number;
  readonly cells: string[];
}

/** Sources hand rows over in batches (one per input chunk), so a million rows are not a million promises. */
export type RowBatches = AsyncIterable<SourceRow[]>;
