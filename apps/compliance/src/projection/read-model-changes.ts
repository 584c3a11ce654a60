import type { EntityManager } from 'typeorm';

/** The PostgreSQL channel on which the live read model's changes are announced, one per service schema. */
export function readModelChannel(base: string): string {
  return `${base}_read_model`;
}

/** Marks a transaction's query runner as having changed the live read model (read after its commit). */
export const READ_MODEL_CHANGED = 'readModelChanged';

/**
 * Announces, in the caller's transaction, that it changes what the live generation answers (events applied
 * to it, a switch to another): every compliance process listening hears it once the transaction commits
 * (NOTIFY is delivered at commit, never for a rollback), and this process as soon as its commit returns
 * (the mark on the query runner). Readers key what they keep on it (ReadModelService.currentVersion).
 */
export async function announceReadModelChange(m: EntityManager, base: string): Promise<void> {
  if (m.queryRunner) m.queryRunner.data = { ...(m.queryRunner.data as object), [READ_MODEL_CHANGED]: true };
  await m.query(`SELECT pg_notify($1, '')`, [readModelChannel(base)]);
}
