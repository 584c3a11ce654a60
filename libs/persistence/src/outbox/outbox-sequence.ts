import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope } from '@app/contracts';

/**
 * For each subject the outbox has numbered: the highest number below which every event is acknowledged by the
 * stream (a consumer that has read the stream past this moment and lacks one of them has lost it).
 */
export async function publishedHighWater(ds: DataSource | EntityManager): Promise<Record<string, number>> {
  // The relay's mark (`outbox_published`), or 0 for a subject it has not published yet.
  const rows: Array<{ subject: string; hw: string }> = await ds.query(
    `SELECT s.subject, COALESCE(p.published_seq, 0) AS hw FROM outbox_sequence s LEFT JOIN outbox_published p USING (subject)`,
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
    `SELECT o.subject_seq, o.envelope FROM outbox o JOIN outbox_published p USING (subject)
      WHERE o.subject = $1 AND o.subject_seq BETWEEN $2 AND LEAST($3, p.published_seq)
      ORDER BY o.subject_seq`,
    [subject, from, to],
  );
  const events = rows.map((r) => ({ subject, subjectSeq: Number(r.subject_seq), envelope: r.envelope }));
  const held = new Set(events.map((e) => e.subjectSeq));
  const gone: number[] = [];
  for (let s = from; s <= to; s++) if (!held.has(s)) gone.push(s);
  return { events, gone };
}
