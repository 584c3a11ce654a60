import type { EntityManager } from 'typeorm';

/** An inclusive range of numbers of one subject. */
export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

/** Why a consumer will never have a number in its inbox: the event was dead-lettered, or it is lost for good. */
export type UnappliedReason = 'dead-letter' | 'unrecoverable';

/** Records numbers the consumer will not apply, so that the gap check does not ask for them again. */
export async function recordUnapplied(
  manager: EntityManager,
  consumer: string,
  subject: string,
  range: SeqRange,
  reason: UnappliedReason,
): Promise<void> {
  await manager.query(
    `INSERT INTO inbox_unapplied (consumer, subject, subject_seq, reason)
     SELECT $1, $2, s, $5 FROM generate_series($3::bigint, $4::bigint) AS s
     ON CONFLICT DO NOTHING`,
    [consumer, subject, range.from, range.to, reason],
  );
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
