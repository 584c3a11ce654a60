import type { EntityManager } from 'typeorm';
import { subjectOf, type EventEnvelope } from '@app/contracts';

/**
 * Writes outgoing events in the caller's transaction, beside the state change they describe:
 * either both commit or neither does, so nothing accepted is lost when NATS is down.
 */
export async function enqueueEvents(manager: EntityManager, namespace: string, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  // One statement whatever the count, its rows as three arrays: PostgreSQL parses three parameters instead of
  // three per row (a VALUES list of 3,000 parameters cost half again as much server CPU per 1,000 events).
  await manager.query(`INSERT INTO outbox (event_id, subject, envelope) SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])`, [
    events.map((e) => e.id),
    events.map((e) => subjectOf(namespace, e)),
    events.map((e) => JSON.stringify(e)),
  ]);
}
