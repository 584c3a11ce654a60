import type { EventContract, EventEnvelope } from '@app/contracts';

export type Envelope<D> = EventEnvelope<string, D>;

/**
 * How one event type lands in one table. Every write is an upsert that keeps the newest version of a
 * row by the event's own ordering fields (revision, asOf, or occurredAt then id), so applying the same
 * event twice, or events in any order, gives the same tables.
 */
export interface Writer<D> {
  readonly contract: EventContract;
  readonly table: string;
  /** The inserted columns with their types, in `json_to_recordset` form: `code text, level integer`. */
  readonly columns: string;
  /** ON CONFLICT … DO UPDATE … WHERE …: the newest-wins rule against the stored row. */
  readonly onConflict: string;
  /** The row, keyed by column name. */
  row(e: Envelope<D>): Record<string, unknown>;
  /** The table's key: two events of one batch with the same key are one row. */
  key(e: Envelope<D>): string;
  /**
   * Whether `a` replaces `b` when both are in one batch: the same rule as `onConflict`, so keeping only the
   * winner gives the same row as applying both one after the other.
   */
  newer(a: Envelope<D>, b: Envelope<D>): boolean;
  /**
   * Rows another table derives from this one's, kept in the batch's transaction: statements run just before and just
   * after the upsert, with the parameters `params` makes of the batch's rows (only what they read: the statements run
   * several times a batch, and the whole rows' JSON each time was about half of what the projection sent to PostgreSQL).
   */
  readonly derived?: {
    params(rows: ReadonlyArray<Record<string, unknown>>): unknown[];
    before(schema: string): string[];
    after(schema: string): string[];
  };
}

export function compareEventOrder(a: EventEnvelope, b: EventEnvelope): number {
  const t = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  if (t !== 0) return t;
  const x = a.id.toLowerCase();
  const y = b.id.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export const laterEvent = (a: EventEnvelope, b: EventEnvelope): boolean => compareEventOrder(a, b) > 0;

/** (revision, submittedAt) ordering of submissions. */
export function laterSubmission(a: { revision: number; submittedAt: string }, b: { revision: number; submittedAt: string }): boolean {
  if (a.revision !== b.revision) return a.revision > b.revision;
  return Date.parse(a.submittedAt) > Date.parse(b.submittedAt);
}

/** The stored attributes of a unit are older than the upsert's (or there are none yet). */
export const NEWER_ATTRIBUTES = '(units.attributes_revision IS NULL OR units.attributes_revision < EXCLUDED.attributes_revision)';

export function writer<D>(w: Writer<D>): Writer<unknown> {
  return w as unknown as Writer<unknown>;
}
