import type { EntityManager } from 'typeorm';
import { bundlesOf, unbundle, type EventContract, type EventEnvelope } from '@app/contracts';
import { compareStrings } from '@app/domain';
import { INTAKE_WRITERS } from './writers/intake.writers';
import { RATES_WRITERS } from './writers/rates.writers';
import { REGISTRY_WRITERS } from './writers/registry.writers';
import { SUPPORT_POINTS_WRITERS } from './writers/support-points.writers';
import { WORKFORCE_WRITERS } from './writers/workforce.writers';
import { laterEvent, type Envelope, type Writer } from './writers/writer';

/** Every writer, one file per producer (writers/), in the order batches take their row locks. */
const WRITERS: ReadonlyArray<Writer<unknown>> = [
  ...REGISTRY_WRITERS,
  ...RATES_WRITERS,
  ...INTAKE_WRITERS,
  ...SUPPORT_POINTS_WRITERS,
  ...WORKFORCE_WRITERS,
];

/** What the read model is written from: each writer's events, and the bundles that carry several of them (rates' flushes). */
export const PROJECTED_CONTRACTS: readonly EventContract[] = [
  ...WRITERS.map((w) => w.contract),
  ...bundlesOf(WRITERS.map((w) => w.contract.type)),
];

/** Rows of one table written by one statement at most. */
export const ROWS_PER_STATEMENT = 5_000;

/** Column names of a `json_to_recordset` column list (`code text, "left" integer` -> `code, "left"`). */
function columnNames(columns: string): string {
  return columns
    .split(',')
    .map((c) => c.trim().split(/\s+/)[0])
    .join(', ');
}

/**
 * Writes events into one generation of the read model, a batch at a time: the events of one type in a
 * batch become one multi-row upsert (one statement, whatever the batch size), with the same newest-wins
 * rule as applying them one by one; that rule is what lets a rebuild and the live consumer both write into
 * a new generation during the switch.
 */
export class ComplianceProjector {
  private readonly byType = new Map<string, Writer<unknown>>(WRITERS.map((w) => [w.contract.type, w]));

  /**
   * Applies events (in stream order) to a generation with one checkpoint; events of types the read model
   * does not use are skipped. Returns how many were applied.
   */
  async applyBatch(schema: string, events: readonly EventEnvelope[], m: EntityManager): Promise<number> {
    // Per writer, the winning event of each key.
    const pending = new Map<Writer<unknown>, Map<string, EventEnvelope>>();
    let newest: EventEnvelope | null = null;
    let applied = 0;
    // A bundle is its items, each an event of its own type with the bundle's id and time (what orders it).
    for (const e of events.flatMap(unbundle)) {
      const w = this.byType.get(e.type);
      if (!w) continue;
      applied += 1;
      if (!newest || laterEvent(e, newest)) newest = e;
      const rows = pending.get(w) ?? new Map<string, EventEnvelope>();
      pending.set(w, rows);
      const key = w.key(e as Envelope<unknown>);
      const held = rows.get(key);
      if (!held || w.newer(e as Envelope<unknown>, held as Envelope<unknown>)) rows.set(key, e);
    }
    if (!newest) return 0;
    // In the order of WRITERS, and each table's rows in the order of their keys, so that concurrent batches (two
    // replicas) take row locks in one order and never wait on each other in a cycle.
    for (const w of WRITERS) {
      const rows = pending.get(w);
      if (!rows) continue;
      const all = [...rows.keys()].sort(compareStrings).map((k) => w.row(rows.get(k) as Envelope<unknown>));
      // A batch of bundles can hold a hundred thousand rows: written ROWS_PER_STATEMENT at a time (still in key order,
      // each key once), so that no statement's JSON grows without bound.
      for (let at = 0; at < all.length; at += ROWS_PER_STATEMENT) {
        const written = all.length <= ROWS_PER_STATEMENT ? all : all.slice(at, at + ROWS_PER_STATEMENT);
        const json = JSON.stringify(written);
        // `json`, not `jsonb`: the rows are read once, in order, so converting the whole batch to jsonb first (every row's
        // keys sorted and de-duplicated) was wasted work: 1,000 figure rows read back in 8 ms instead of 23.
        const derived = w.derived?.params(written) ?? [];
        for (const sql of w.derived?.before(schema) ?? []) await m.query(sql, derived);
        await m.query(
          `INSERT INTO "${schema}".${w.table} (${columnNames(w.columns)})
           SELECT ${columnNames(w.columns)} FROM json_to_recordset($1::json) AS x(${w.columns})
           ${w.onConflict}`,
          [json],
        );
        for (const sql of w.derived?.after(schema) ?? []) await m.query(sql, derived);
      }
    }
    await this.checkpoint(schema, newest, m);
    return applied;
  }

  /** Applies one event to a generation, with its checkpoint. */
  async apply(schema: string, e: EventEnvelope, m: EntityManager): Promise<boolean> {
    return (await this.applyBatch(schema, [e], m)) > 0;
  }

  /** Freshness: the newest event applied, whatever the order of arrival. */
  async checkpoint(s: string, e: EventEnvelope, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO "${s}".projection_checkpoint (singleton, last_occurred_at, last_event_id) VALUES (true, $1, $2)
       ON CONFLICT (singleton) DO UPDATE SET last_occurred_at = EXCLUDED.last_occurred_at, last_event_id = EXCLUDED.last_event_id
       WHERE (projection_checkpoint.last_occurred_at, projection_checkpoint.last_event_id) < (EXCLUDED.last_occurred_at, EXCLUDED.last_event_id)`,
      [e.occurredAt, e.id],
    );
  }
}
