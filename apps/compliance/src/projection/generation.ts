import type { EntityManager } from 'typeorm';
import { generationSchema, readSchema, readViewsDdl } from './projection.schema';
import { announceReadModelChange } from './read-model-changes';

/**
 * Which generation of the read model is live. Writers read it FOR SHARE inside their transaction and
 * the switch takes it FOR UPDATE, so a switch waits for the batches in flight and is seen by the next.
 */
export async function activeGeneration(m: EntityManager, lock: 'share' | 'update' | null = null): Promise<number> {
  const suffix = lock === 'share' ? ' FOR SHARE' : lock === 'update' ? ' FOR UPDATE' : '';
  const rows: Array<{ generation: number }> = await m.query(`SELECT generation FROM projection_pointer${suffix}`);
  if (!rows[0]) throw new Error('projection_pointer is empty: migrations have not run');
  return rows[0].generation;
}

export async function activeSchema(m: EntityManager, base: string, lock: 'share' | 'update' | null = null): Promise<string> {
  return generationSchema(base, await activeGeneration(m, lock));
}

/** Makes `generation` live: pointer and the analysts' views change in one transaction. */
export async function switchGeneration(m: EntityManager, base: string, generation: number): Promise<number> {
  const previous = await activeGeneration(m, 'update');
  await m.query(`UPDATE projection_pointer SET generation = $1, switched_at = now()`, [generation]);
  for (const sql of readViewsDdl(readSchema(base), generationSchema(base, generation))) await m.query(sql);
  await announceReadModelChange(m, base);
  return previous;
}

/** Generation schemas that exist for this base schema, newest first. */
export async function existingGenerations(m: EntityManager, base: string): Promise<number[]> {
  const rows: Array<{ nspname: string }> = await m.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${base}\\_g%`]);
  return rows
    .map((r) => Number(r.nspname.slice(base.length + 2)))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => b - a);
}
