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
 * were before it and added back as they are after it (those pairs' rows from the batch's first day on). An advisory
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

/**
 * Each pair of the batch with the earliest day the batch writes for it: rows of a pair dated before that day are
 * not changed by the batch, and neither are their contributions.
 */
const PAIRS_FROM = `SELECT target_id, org_unit_code, min(date) AS f
  FROM jsonb_to_recordset($1::jsonb) AS x(target_id text, org_unit_code text, date date) GROUP BY target_id, org_unit_code`;

/**
 * Adds (sign 1) or takes away (sign -1) the contributions of the rows the batch can change: each pair's rows from
 * its earliest day in the batch on, the row before them read only as the first one's previous status. Before and
 * after the upsert, that is the same boundary (the rows before it are not written), so what is taken away and
 * added back differ exactly by the batch's effect; the work is the rows from that day on, not the pair's history
 * (a batch of today's statuses reads two rows a pair).
 */
function contributions(s: string, sign: 1 | -1): string {
  return `WITH p AS (${PAIRS_FROM})
    INSERT INTO ${s}.status_count_deltas AS c (target_id, date, status, delta)
    SELECT p.target_id, h.date, v.status, ${sign} * sum(v.n)::int
      FROM p
      -- Per pair through the primary key, in date order (the index's), from the row before the pair's first day.
      CROSS JOIN LATERAL (
        SELECT t.date, t.status, lag(t.status) OVER (ORDER BY t.date) AS prev FROM ${s}.target_statuses t
         WHERE t.target_id = p.target_id AND t.org_unit_code = p.org_unit_code
           AND t.date >= COALESCE((SELECT max(b.date) FROM ${s}.target_statuses b
                                    WHERE b.target_id = p.target_id AND b.org_unit_code = p.org_unit_code AND b.date < p.f), p.f)
      ) h
      CROSS JOIN LATERAL (VALUES (h.status, 1), (h.prev, -1)) v(status, n)
     WHERE h.date >= p.f AND v.status IS NOT NULL
     GROUP BY p.target_id, h.date, v.status HAVING sum(v.n) <> 0
     ORDER BY 1, 2, 3
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
