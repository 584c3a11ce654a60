import type { EntityManager } from 'typeorm';

/** An event to claim: its id, and (when its producer numbered it) its subject and number in that subject. */
export interface InboxEntry {
  readonly id: string;
  readonly subject?: string;
  readonly seq?: number | null;
}

/**
 * Records that `consumer` has applied these events, in the caller's transaction, and returns the ids
 * that were new (lower-cased). The caller applies only those: a redelivered
 * or re-published event has no second effect. Concurrent replicas claiming the same id serialise on
 * the primary key: the second waits for the first to commit, then finds the row and gets nothing.
 * An entry's subject and number are kept with it: the gap check reads them (libs/persistence inbox-sequence.ts), and
 * once the numbers up to a point are complete the rows below it are pruned (pruneApplied).
 */
export async function claimEvents(
  manager: EntityManager,
  consumer: string,
  events: ReadonlyArray<string | InboxEntry>,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const ids: string[] = [];
  // Each row's subject as its place in the batch's few distinct subjects: the same ~45 characters repeated on every row
  // were most of the statement's bytes, for the driver to escape and PostgreSQL to parse.
  const subjects: string[] = [];
  const subjectAt = new Map<string, number>();
  const subjectOf: Array<number | null> = [];
  const seqs: Array<number | null> = [];
  const seen = new Set<string>();
  for (const e of events) {
    const entry = typeof e === 'string' ? { id: e } : e;
    const id = entry.id.toLowerCase();
    if (seen.has(id)) continue;
    seen.add(id);
    const numbered = entry.subject !== undefined && entry.seq !== undefined && entry.seq !== null;
    ids.push(id);
    if (numbered) {
      let at = subjectAt.get(entry.subject!);
      if (at === undefined) {
        at = subjects.push(entry.subject!);
        subjectAt.set(entry.subject!, at);
      }
      subjectOf.push(at);
      seqs.push(entry.seq!);
    } else {
      subjectOf.push(null);
      seqs.push(null);
    }
  }
  // The rows of numbered events are pruned below the gap check's watermark (pruneApplied): this claim must not run
  // beside a prune of its consumer, and must read the pruned mark as the prune left it. The lock is taken in a statement
  // of its own, so that the claim's snapshot is taken after any prune it waited for has committed.
  if (subjects.length > 0) await manager.query(`SELECT pg_advisory_xact_lock_shared(${PRUNE_LOCK})`, [consumer]);
  // Only the ids that were there already come back (none, on the common path), not every new one: the new ones are
  // the rest of those given. A number at or below its subject's pruned mark was applied (its row pruned) unless it was
  // set aside (inbox_unapplied, whose numbers' rows are never pruned): refused as already there.
  const rows: Array<{ id: string }> = await manager.query(
    `WITH e AS (SELECT * FROM unnest($2::uuid[], $3::int[], $4::bigint[]) AS e(id, subject_at, seq)),
     pruned AS (SELECT e.id FROM e JOIN inbox_watermark w ON w.consumer = $1 AND w.subject = ($5::text[])[e.subject_at]
                 WHERE e.seq <= w.pruned_through
                   AND NOT EXISTS (SELECT 1 FROM inbox_unapplied u WHERE u.consumer = $1 AND u.subject = w.subject AND u.subject_seq = e.seq)),
     claimed AS (INSERT INTO inbox (consumer, event_id, subject, subject_seq)
                 SELECT $1, e.id, ($5::text[])[e.subject_at], e.seq FROM e WHERE NOT EXISTS (SELECT 1 FROM pruned p WHERE p.id = e.id)
                 ON CONFLICT DO NOTHING
                 RETURNING event_id)
     SELECT e.id::text AS id FROM e WHERE NOT EXISTS (SELECT 1 FROM claimed c WHERE c.event_id = e.id)`,
    [consumer, ids, subjectOf, seqs, subjects],
  );
  for (const r of rows) seen.delete(r.id);
  return seen;
}

/**
 * The advisory lock key that keeps a consumer's claims and the pruning of its inbox apart ($1: the consumer): claims
 * take it shared, a prune exclusive.
 */
export const PRUNE_LOCK = `hashtext('inbox-prune:' || $1)`;

/** Forgets a consumer's inbox, for a rebuild from sequence 1. */
export async function resetInbox(manager: EntityManager, consumer: string): Promise<void> {
  await manager.query(`DELETE FROM inbox WHERE consumer = $1`, [consumer]);
  await manager.query(`DELETE FROM inbox_unapplied WHERE consumer = $1`, [consumer]);
  await manager.query(`DELETE FROM inbox_watermark WHERE consumer = $1`, [consumer]);
}
