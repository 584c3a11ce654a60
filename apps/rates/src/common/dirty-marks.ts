import type { EntityManager } from 'typeorm';
import type { Cohort } from '@app/contracts';

/**
 * Marks what an input changed, inside the event's transaction: the flusher recomputes each marked
 * (unit, cohort) and its ancestors from the earliest marked day, once per window, however many
 * events marked it.
 */
export async function markDirty(m: EntityManager, marks: ReadonlyArray<{ unitCode: string; cohort: Cohort; from: string }>): Promise<void> {
  if (marks.length === 0) return;
  await m.query(
    // Append only: no row is ever updated, so concurrent batches and the flusher never wait on each other's rows.
    `INSERT INTO rates_dirty (org_unit_code, cohort, from_date)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[])`,
    [marks.map((x) => x.unitCode), marks.map((x) => x.cohort), marks.map((x) => x.from)],
  );
}

/**
 * The tail of a statement whose CTE `changed` returns (org_unit_code, cohort, as_of) of the input rows it
 * wrote: marks each from its asOf, in the same statement (nothing written, nothing marked).
 */
export const MARK_CHANGED = `INSERT INTO rates_dirty (org_unit_code, cohort, from_date) SELECT org_unit_code, cohort, as_of FROM changed`;

export async function markTargetDirty(m: EntityManager, targetId: string): Promise<void> {
  await m.query(`INSERT INTO rates_dirty_targets (target_id) VALUES ($1)`, [targetId]);
}
