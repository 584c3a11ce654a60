import type { EntityManager } from 'typeorm';
import { subjectOf, type EventEnvelope } from '@app/contracts';
import { textArrayLiteral } from '../pg-arrays';

/**
 * Writes outgoing events in the caller's transaction, beside the state change they describe:
 * either both commit or neither does, so nothing accepted is lost when NATS is down.
 *
 * Each row is numbered here, in its subject (`subject_seq`, continuing `outbox_sequence`), and written once: the
 * relay neither numbers nor marks rows. The subject's `outbox_sequence` row stays locked until the transaction
 * ends, so a second writer of the subject takes its numbers after this one has committed (or from the same
 * counter, after a rollback): the numbers of a subject become visible in their order and without a hole, which is
 * what lets the relay publish each subject up to a mark. Subjects are locked in name order within a call; call it
 * last in the transaction, once (a writer that locks other rows after it can deadlock with one that locked them
 * first and waits here).
 */
export async function enqueueEvents(manager: EntityManager, namespace: string, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  // One statement whatever the count, its rows as two arrays and one JSON array of the envelopes: PostgreSQL parses
  // three parameters instead of three per row (a VALUES list of 3,000 parameters cost half again as much server CPU
  // per 1,000 events), and the envelopes need no array escaping (a json[] parameter cost node twice as much).
  // `seq` (the relay's order across subjects) is taken after the counters are locked, in the order of the events.
  await manager.query(
    `WITH v AS (
       SELECT * FROM ROWS FROM (unnest($1::uuid[]), unnest($2::text[]), json_array_elements($3::json))
         WITH ORDINALITY AS v(event_id, subject, envelope, ord)
     ),
     bumped AS (
       INSERT INTO outbox_sequence AS s (subject, last_seq)
       SELECT subject, count(*) FROM v GROUP BY subject ORDER BY subject
       ON CONFLICT (subject) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
       RETURNING subject, last_seq
     )
     INSERT INTO outbox (event_id, subject, envelope, subject_seq)
     SELECT v.event_id, v.subject, v.envelope,
            b.last_seq - count(*) OVER (PARTITION BY v.subject) + row_number() OVER (PARTITION BY v.subject ORDER BY v.ord)
       FROM v JOIN bumped b USING (subject)
      ORDER BY v.ord`,
    [textArrayLiteral(events.map((e) => e.id)), textArrayLiteral(events.map((e) => subjectOf(namespace, e))), JSON.stringify(events)],
  );
}
