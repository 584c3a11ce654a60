import type { EntityManager } from 'typeorm';

/**
 * Records that `consumer` has applied these events, in the caller's transaction, and returns the ids
 * that were new (lower-case, as PostgreSQL writes a uuid). The caller applies only those: a redelivered
 * or re-published event has no second effect. Concurrent replicas claiming the same id serialise on
 * the primary key: the second waits for the first to commit, then finds the row and gets nothing.
 */
export async function claimEvents(manager: EntityManager, consumer: string, eventIds: readonly string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows: Array<{ event_id: string }> = await manager.query(
    `INSERT INTO inbox (consumer, event_id)
     SELECT $1, unnest($2::uuid[])
     ON CONFLICT DO NOTHING
     RETURNING event_id`,
    [consumer, [...new Set(eventIds.map((id) => id.toLowerCase()))]],
  );
  return new Set(rows.map((r) => r.event_id));
}

/** Forgets a consumer's inbox, for a rebuild from sequence 1. */
export async function resetInbox(manager: EntityManager, consumer: string): Promise<void> {
  await manager.query(`DELETE FROM inbox WHERE consumer = $1`, [consumer]);
}
