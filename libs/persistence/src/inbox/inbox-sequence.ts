import type { DataSource, EntityManager } from 'typeorm';
import { PRUNE_LOCK } from './inbox';

/** An inclusive range of numbers of one subject. */
export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

/** Why a consumer will never have a number in its inbox: the event was dead-lettered, or it is lost for good. */
export type UnappliedReason = 'dead-letter' | 'unrecoverable';

/**
 * Records numbers the consumer will not apply, so that the gap check does not ask for them again. A number at or below
 * the subject's pruned mark is not recorded: it was applied (its row pruned), and recorded it would be claimable again.
 */
export async function recordUnapplied(
  manager: EntityManager,
  consumer: string,
  subject: string,
  range: SeqRange,
  reason: UnappliedReason,
): Promise<void> {
  // Apart from a prune of the consumer, as a claim is (claimEvents).
  await manager.query(`SELECT pg_advisory_xact_lock_shared(${PRUNE_LOCK})`, [consumer]);
  await manager.query(
    `INSERT INTO inbox_unapplied (consumer, subject, subject_seq, reason)
     SELECT $1, $2, s, $5 FROM generate_series($3::bigint, $4::bigint) AS s
     WHERE s > coalesce((SELECT pruned_through FROM inbox_watermark WHERE consumer = $1 AND subject = $2), 0)
     ON CONFLICT DO NOTHING`,
    [consumer, subject, range.from, range.to, reason],
  );
}

/** Rows a prune deletes in one transaction at most: a claim of the consumer waits for it. */
export const PRUNE_CHUNK = 5_000;

/**
 * Deletes a consumer's inbox rows of a subject up to its watermark (every number at or below it applied or set aside),
 * a chunk a transaction, and moves the subject's pruned mark with them; returns the rows deleted. A claim then refuses
 * a number at or below the mark unless it was set aside (claimEvents), so a redelivered or re-published event is still
 * applied once. A set-aside number's row (a dead-lettered event replayed and applied) is kept: the claim finds it.
 *
 * Each transaction takes the consumer's prune lock exclusive: it waits for the claims in flight (each holds it shared
 * to its commit) and the claims after it wait for it, so none runs with a pruned mark older than the rows it finds
 * gone; the mark moves in the transaction that deletes the rows.
 */
export async function pruneApplied(ds: DataSource, consumer: string, subject: string, chunk: number = PRUNE_CHUNK): Promise<number> {
  // Nothing below the watermark left to delete (most checks of a quiet subject): no lock taken, so the consumer's claims
  // do not wait for a prune that has nothing to do. The mark only rises under the lock, so a look without it is safe.
  const [mark]: Array<{ behind: boolean }> = await ds.query(
    `SELECT complete > pruned_through AS behind FROM inbox_watermark WHERE consumer = $1 AND subject = $2`,
    [consumer, subject],
  );
  if (!mark?.behind) return 0;
  let deleted = 0;
  for (;;) {
    const done = await ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(${PRUNE_LOCK})`, [consumer]);
      const rows: Array<{ complete: string; pruned: string }> = await m.query(
        `SELECT complete, pruned_through AS pruned FROM inbox_watermark WHERE consumer = $1 AND subject = $2 FOR UPDATE`,
        [consumer, subject],
      );
      if (rows.length === 0) return true;
      const from = Number(rows[0].pruned);
      const upTo = Math.min(Number(rows[0].complete), from + chunk);
      if (upTo <= from) return true;
      const [, n] = (await m.query(
        `DELETE FROM inbox i WHERE i.consumer = $1 AND i.subject = $2 AND i.subject_seq > $3 AND i.subject_seq <= $4
           AND NOT EXISTS (SELECT 1 FROM inbox_unapplied u WHERE u.consumer = $1 AND u.subject = $2 AND u.subject_seq = i.subject_seq)`,
        [consumer, subject, from, upTo],
      )) as [unknown, number];
      await m.query(`UPDATE inbox_watermark SET pruned_through = $3 WHERE consumer = $1 AND subject = $2`, [consumer, subject, upTo]);
      deleted += n;
      return upTo >= Number(rows[0].complete);
    });
    if (done) return deleted;
  }
}

/** How far a consumer's numbers of a subject are known to be complete (0: nothing checked yet). */
export async function watermarkOf(manager: EntityManager, consumer: string, subject: string): Promise<number> {
  const rows: Array<{ complete: string }> = await manager.query(
    `SELECT complete FROM inbox_watermark WHERE consumer = $1 AND subject = $2`,
    [consumer, subject],
  );
  return rows.length > 0 ? Number(rows[0].complete) : 0;
}

export async function setWatermark(manager: EntityManager, consumer: string, subject: string, complete: number): Promise<void> {
  await manager.query(
    `INSERT INTO inbox_watermark (consumer, subject, complete) VALUES ($1, $2, $3)
     ON CONFLICT (consumer, subject) DO UPDATE SET complete = GREATEST(inbox_watermark.complete, EXCLUDED.complete), checked_at = now()`,
    [consumer, subject, complete],
  );
}

/**
 * The numbers in (`after`, `upTo`] of a subject that the consumer has neither applied nor set aside, as ranges.
 * Reads the inbox by its (consumer, subject, subject_seq) index, so only the numbers since the watermark.
 */
export async function missingNumbers(
  manager: EntityManager,
  consumer: string,
  subject: string,
  after: number,
  upTo: number,
): Promise<SeqRange[]> {
  if (upTo <= after) return [];
  const rows: Array<{ from: string; to: string }> = await manager.query(
    `WITH seen AS (
       SELECT subject_seq AS s FROM inbox WHERE consumer = $1 AND subject = $2 AND subject_seq > $3 AND subject_seq <= $4
       UNION
       SELECT subject_seq FROM inbox_unapplied WHERE consumer = $1 AND subject = $2 AND subject_seq > $3 AND subject_seq <= $4
     ),
     bounds AS (
       SELECT $3::bigint AS s UNION ALL SELECT s FROM seen UNION ALL SELECT $4::bigint + 1
     ),
     steps AS (SELECT s, lead(s) OVER (ORDER BY s) AS nxt FROM bounds)
     SELECT s + 1 AS "from", nxt - 1 AS "to" FROM steps WHERE nxt > s + 1 ORDER BY s`,
    [consumer, subject, after, upTo],
  );
  return rows.map((r) => ({ from: Number(r.from), to: Number(r.to) }));
}
