/**
 * Per target and day, how the number of units holding each status changes: the summary's "units by
 * status" kept by the projection instead of recomputed from every unit's statuses on each read.
 *
 * A unit holds, on day D, the status of its latest status row dated D or before. Its rows r1 < r2 < … (by
 * date) therefore contribute +1 to (r1.date, r1.status), and at each later row ri, +1 to ri.status and -1
 * to r(i-1).status on ri.date. The units holding status S on day D are the sum of the contributions dated
 * D or before: a few rows per campaign day and status, whatever the number of units.
 *
 * Kept exactly under any order of arrival, corrections and redeliveries: around the batch's upsert of
 * `target_statuses`, the contributions of every (target, unit) the batch touches are taken away as they
 * were before it and added back as they are after it (the histories of those pairs only). An advisory
 * lock per pair, taken in one order, keeps two batches (two replicas, or the live consumer and a
 * rebuild writing the same new generation) from reading a pair's history between each other's writes.
 */

/** The table, in every generation (projectionTablesDdl). */
export function statusCountsDdl(q: string): string[] {
  return [
    `CREATE TABLE ${q}.status_count_deltas (
      target_id text NOT NULL,
      date      date NOT NULL,
      status    text NOT NULL,
      delta     integer NOT NULL,
      PRIMARY KEY (target_id, date, status)
    )`,
  ];
}

/** The (target, unit) pairs of the batch's rows ($1, the rows as the writer upserts them). */
const PAIRS = `SELECT DISTINCT target_id, org_unit_code FROM jsonb_to_recordset($1::jsonb) AS x(target_id text, org_unit_code text)`;

/** Adds (sign 1) or takes away (sign -1) the contributions of the pairs' current histories. */
function contributions(s: string, sign: 1 | -1): string {
  return `WITH p AS (${PAIRS}),
    h AS (
      SELECT t.target_id, t.date, t.status,
             lag(t.status) OVER (PARTITION BY t.target_id, t.org_unit_code ORDER BY t.date) AS prev
      -- Each pair's rows through the primary key (LATERAL; OFFSET 0 keeps the planner from flattening it into the hash
      -- join it chose before, which read every unit's statuses on every batch: quadratic over a rebuild).
      FROM p CROSS JOIN LATERAL (
        SELECT t.target_id, t.org_unit_code, t.date, t.status FROM ${s}.target_statuses t
        WHERE t.target_id = p.target_id AND t.org_unit_code = p.org_unit_code OFFSET 0
      ) t
    ),
    d AS (
      SELECT target_id, date, status, 1 AS n FROM h
      UNION ALL
      SELECT target_id, date, prev, -1 FROM h WHERE prev IS NOT NULL
    )
    INSERT INTO ${s}.status_count_deltas AS c (target_id, date, status, delta)
    SELECT target_id, date, status, ${sign} * sum(n)::int FROM d
    GROUP BY target_id, date, status HAVING sum(n) <> 0
    ORDER BY target_id, date, status
    ON CONFLICT (target_id, date, status) DO UPDATE SET delta = c.delta + EXCLUDED.delta`;
}

/** Statements run with the batch's status rows as $1 before the upsert of `target_statuses`. */
export function statusCountsBefore(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    // The generation's name is made by generationSchema (letters, digits, underscores): safe inline.
    `SELECT count(pg_advisory_xact_lock(hashtext('${schema}'), k))
     FROM (SELECT DISTINCT hashtext(target_id || '|' || org_unit_code) AS k FROM (${PAIRS}) x ORDER BY k) p`,
    contributions(s, -1),
  ];
}

/** Statements run with the batch's status rows as $1 after the upsert of `target_statuses`. */
export function statusCountsAfter(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    contributions(s, 1),
    // A day whose changes cancel out (a status corrected back, a pair's rows taken away and added back elsewhere) is no
    // row at all, as a count from scratch or a rebuild has it: the table stays the same whatever the batches were.
    `DELETE FROM ${s}.status_count_deltas c USING (SELECT DISTINCT target_id FROM jsonb_to_recordset($1::jsonb) AS x(target_id text)) p
     WHERE c.target_id = p.target_id AND c.delta = 0`,
  ];
}

/**
 * Per target, how many units hold each status as of $1 (their latest status dated $1 or before): what
 * the summary reads, a sum over the days up to $1, never over the units.
 */
export function statusCountsSql(s: string): string {
  return `SELECT target_id AS "targetId", status, sum(delta)::int AS units FROM ${s}.status_count_deltas
    WHERE date <= $1 GROUP BY target_id, status HAVING sum(delta) > 0`;
}
