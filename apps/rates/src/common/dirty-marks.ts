import type { EntityManager } from 'typeorm';
import type { Cohort } from '@app/contracts';

/**
 * Marks what an input changed, inside the event's transaction: the flusher recomputes each marked
 * (unit, cohort) and its ancestors over the marked days, once per window, however many events marked it.
 * A mark says the first day its input can have changed and the last (`until`; null: every day from `from`
 * on): the flusher recomputes those, and the days whose statuses look back over them, no others.
 */
export async function markDirty(
  m: EntityManager,
  marks: ReadonlyArray<{ unitCode: string; cohort: Cohort; from: string; until?: string | null }>,
): Promise<void> {
  if (marks.length === 0) return;
  await m.query(
    // Append only: no row is ever updated, so concurrent batches and the flusher never wait on each other's rows.
    `INSERT INTO rates_dirty (org_unit_code, cohort, from_date, until_date)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[])`,
    [marks.map((x) => x.unitCode), marks.map((x) => x.cohort), marks.map((x) => x.from), marks.map((x) => x.until ?? null)],
  );
}

/**
 * The tail of a statement whose CTE `changed` returns (org_unit_code, cohort, as_of) of the input rows it
 * wrote: marks each from its asOf on, in the same statement (nothing written, nothing marked). For a
 * denominator: the figure span reaches a unit's last denominator, so every day from it on.
 */
export const MARK_CHANGED = `INSERT INTO rates_dirty (org_unit_code, cohort, from_date) SELECT org_unit_code, cohort, as_of FROM changed`;

/**
 * `MARK_CHANGED` for reports (`changed` from rates_reports): a day's sums take each unit's latest report on or
 * before the day, so a report dated D changes its unit's sums on the days from D until the day before the unit's
 * next report of the cohort, and on none after it (from then on that later report is the latest, whatever came
 * before). The next report is looked up as stored before the statement: where a batch brings several reports of
 * a unit, each mark reaches at most that far and their union covers every day the batch changed.
 */
export const MARK_REPORTS_CHANGED = `INSERT INTO rates_dirty (org_unit_code, cohort, from_date, until_date)
  SELECT c.org_unit_code, c.cohort, c.as_of,
    (SELECT min(r.as_of) - 1 FROM rates_reports r WHERE r.org_unit_code = c.org_unit_code AND r.cohort = c.cohort AND r.as_of > c.as_of)
  FROM changed c`;

/**
 * The select list that coalesces the marks of a CTE `taken` (org_unit_code, cohort, from_date, until_date) into
 * one `DirtyMark` per (unit, cohort): the first day of any, and the last (none when any mark has none). For a
 * statement ending `FROM taken GROUP BY org_unit_code, cohort`.
 */
export const COALESCED_MARK = `org_unit_code AS "unitCode", cohort, min(from_date)::text AS "from",
  CASE WHEN bool_and(until_date IS NOT NULL) THEN max(until_date)::text END AS "until"`;

export async function markTargetDirty(m: EntityManager, targetId: string): Promise<void> {
  await m.query(`INSERT INTO rates_dirty_targets (target_id) VALUES ($1)`, [targetId]);
}
