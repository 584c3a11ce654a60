import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope } from '@app/contracts';

/**
 * Numbers the next unnumbered outbox rows, per subject, in `seq` order, continuing each subject's counter.
 * Call under the relay's lock and commit before publishing: a number, once given, belongs to its row for good,
 * so a publish that is retried (after a crash, on another replica) carries the same number, and none is skipped.
 * Returns how many rows it numbered.
 */
export async function numberOutboxRows(manager: EntityManager, limit: number): Promise<number> {
  const rows: Array<{ n: string }> = await manager.query(
    `WITH pending AS (
       SELECT seq, subject, row_number() OVER (PARTITION BY subject ORDER BY seq) AS rn
         FROM (SELECT seq, subject FROM outbox WHERE published_at IS NULL AND subject_seq IS NULL ORDER BY seq LIMIT $1) p
     ),
     counts AS (SELECT subject, count(*) AS n FROM pending GROUP BY subject),
     bumped AS (
       INSERT INTO outbox_sequence AS s (subject, last_seq) SELECT subject, n FROM counts
       ON CONFLICT (subject) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
       RETURNING subject, last_seq
     ),
     numbered AS (
       UPDATE outbox o SET subject_seq = b.last_seq - c.n + p.rn
         FROM pending p JOIN counts c USING (subject) JOIN bumped b USING (subject)
        WHERE o.seq = p.seq
       RETURNING 1
     )
     SELECT count(*) AS n FROM numbered`,
    [limit],
  );
  return Number(rows[0].n);
}

/**
 * For each subject the outbox has numbered: the highest number below which every event is acknowledged by the
 * stream (a consumer that has read the stream past this moment and lacks one of them has lost it).
 */
export async function publishedHighWater(ds: DataSource | EntityManager): Promise<Record<string, number>> {
  // The unpublished rows through the pending index (bounded by the relay's backlog), not each subject's numbered rows
  // through (subject, subject_seq): those are every row kept for re-publishing, published ones included.
  const rows: Array<{ subject: string; hw: string }> = await ds.query(
    `SELECT s.subject, COALESCE(u.lowest - 1, s.last_seq) AS hw
       FROM outbox_sequence s
       LEFT JOIN (SELECT subject, min(subject_seq) AS lowest FROM outbox
                   WHERE published_at IS NULL AND subject_seq IS NOT NULL GROUP BY subject) u USING (subject)`,
  );
  const out: Record<string, number> = {};
  for (const r of rows) out[r.subject] = Number(r.hw);
  return out;
}

export interface NumberedEvent {
  readonly subject: string;
  readonly subjectSeq: number;
  readonly envelope: EventEnvelope;
}

/**
 * The published events of a subject numbered `from`..`to`, in order, and the numbers the outbox no longer holds
 * (pruned after the retention): those cannot be re-published.
 */
export async function publishedInRange(
  ds: DataSource | EntityManager,
  subject: string,
  from: number,
  to: number,
): Promise<{ events: NumberedEvent[]; gone: number[] }> {
  const rows: Array<{ subject_seq: string; envelope: EventEnvelope }> = await ds.query(
    `SELECT subject_seq, envelope FROM outbox
      WHERE subject = $1 AND subject_seq BETWEEN $2 AND $3 AND published_at IS NOT NULL
      ORDER BY subject_seq`,
    [subject, from, to],
  );
  const events = rows.map((r) => ({ subject, subjectSeq: Number(r.subject_seq), envelope: r.envelope }));
  const held = new Set(events.map((e) => e.subjectSeq));
  const gone: number[] = [];
  for (let s = from; s <= to; s++) if (!held.has(s)) gone.push(s);
  return { events, gone };
}
