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
 * `target_statuses`, the contributions of the rows it can change are taken away as they were before it and added
 * back as they are after it (the rows it writes and the row after each). An advisory lock per target, taken in one
 * order, keeps two batches (two replicas, or the live consumer and a rebuild writing the same new generation) from
 * reading a pair's history between each other's writes, and from deadlocking on the summary rows: every unit of a
 * target shares them, and a batch locks them in two passes (taken away, then added back), so two batches with no pair
 * in common deadlocked when each held rows of its first pass that the other's second one needed (a lock per pair,
 * as before, let them). The status part of batches on one target runs one at a time; the rest of a batch does not wait.
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

/** What the statements read of the batch's status rows (as the writer upserts them): $1 targets, $2 units, $3 days. */
export function statusCountsParams(rows: ReadonlyArray<Record<string, unknown>>): unknown[] {
  return [rows.map((r) => r.target_id), rows.map((r) => r.org_unit_code), rows.map((r) => r.date)];
}

/** The batch's rows' keys (statusCountsParams). */
const ROWS = `unnest($1::text[], $2::text[], $3::date[]) AS x(target_id, org_unit_code, date)`;

/**
 * The rows whose contributions the batch can change, with their previous status: each row it writes, and the row that
 * follows it in its pair (whose previous status is the written row's). Found before the upsert, the following row is one
 * that exists already; after it, the written rows are there too, and each old following row is still the one after the
 * last written row before it: the same set of days both times, so what is taken away and what is added back cover the
 * same rows. Per written day, one stretch of the primary key: from the pair's row before the day, at most three rows
 * (that one, the day's, the next), of which the day's and the first after it are kept; a row that two written days both
 * reach is one row (DISTINCT: a day's status and previous status are the same whoever reads them).
 */
const touched = (s: string): string => `WITH b AS (SELECT DISTINCT target_id, org_unit_code, date FROM ${ROWS})
  SELECT DISTINCT b.target_id, b.org_unit_code, h.date, h.status, h.prev
    FROM b
   CROSS JOIN LATERAL (
     SELECT t.date, t.status, lag(t.status) OVER w AS prev, lag(t.date) OVER w AS prev_date FROM ${s}.target_statuses t
      WHERE t.target_id = b.target_id AND t.org_unit_code = b.org_unit_code
        AND t.date >= COALESCE((SELECT max(p.date) FROM ${s}.target_statuses p
                                 WHERE p.target_id = b.target_id AND p.org_unit_code = b.org_unit_code AND p.date < b.date), b.date)
     WINDOW w AS (ORDER BY t.date) ORDER BY t.date LIMIT 3) h
   WHERE h.date >= b.date AND (h.prev_date IS NULL OR h.prev_date <= b.date)`;

/**
 * Adds (sign 1) or takes away (sign -1) the contributions of the rows the batch can change (`touched`): each one's +1 to
 * its status and -1 to its pair's previous status, on its day. Before and after the upsert those are the same rows, so
 * what is taken away and added back differ exactly by the batch's effect; the work is two index probes per row written,
 * whatever the length of the pair's history (a batch of corrections to early days of the campaign read every later day
 * of each pair, ~20 rows a pair, and most of the replay's time in PostgreSQL went to it).
 */
function contributions(s: string, sign: 1 | -1): string {
  return `WITH a AS (${touched(s)})
    INSERT INTO ${s}.status_count_deltas AS c (target_id, date, status, delta)
    SELECT a.target_id, a.date, v.status, ${sign} * sum(v.n)::int
      FROM a CROSS JOIN LATERAL (VALUES (a.status, 1), (a.prev, -1)) v(status, n)
     WHERE v.status IS NOT NULL
     GROUP BY a.target_id, a.date, v.status HAVING sum(v.n) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (target_id, date, status) DO UPDATE SET delta = c.delta + EXCLUDED.delta`;
}

/** Statements run with the batch's status rows' keys (statusCountsParams) before the upsert of `target_statuses`. */
export function statusCountsBefore(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    // The generation's name is made by generationSchema (letters, digits, underscores): safe inline.
    `SELECT count(pg_advisory_xact_lock(hashtext('${schema}'), k))
     FROM (SELECT DISTINCT hashtext(target_id) AS k FROM ${ROWS} ORDER BY k) p`,
    contributions(s, -1),
  ];
}

/** Statements run with the batch's status rows' keys (statusCountsParams) after the upsert of `target_statuses`. */
export function statusCountsAfter(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    contributions(s, 1),
    // A day whose changes cancel out (a status corrected back, a pair's rows taken away and added back elsewhere) is no
    // row at all, as a count from scratch or a rebuild has it: the table stays the same whatever the batches were.
    `DELETE FROM ${s}.status_count_deltas c USING (SELECT DISTINCT target_id FROM ${ROWS}) p
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
