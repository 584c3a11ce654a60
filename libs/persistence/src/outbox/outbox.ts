import type { EntityManager } from 'typeorm';
import { subjectOf, type EventEnvelope } from '@app/contracts';

/**
 * Writes outgoing events in the caller's transaction, beside the state change they describe:
 * either both commit or neither does, so nothing accepted is lost when NATS is down.
 */
export async function enqueueEvents(manager: EntityManager, namespace: string, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  // One multi-row INSERT per chunk: a 10,000-item batch must not cost 10,000 round trips.
  const chunk = 1000;
  for (let i = 0; i < events.length; i += chunk) {
    const part = events.slice(i, i + chunk);
    const params: unknown[] = [];
    const rows = part.map((e, j) => {
      params.push(e.id, subjectOf(namespace, e), JSON.stringify(e));
      return `($${j * 3 + 1}, $${j * 3 + 2}, $${j * 3 + 3}::jsonb)`;
    });
    await manager.query(`INSERT INTO outbox (event_id, subject, envelope) VALUES ${rows.join(', ')}`, params);
  }
}
