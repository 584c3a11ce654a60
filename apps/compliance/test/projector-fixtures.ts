import type { DataSource } from 'typeorm';
import { TargetStatusChangedV1, TargetStatusWithdrawnV1, type EventEnvelope } from '@app/contracts';
import { makeEvent } from '@app/persistence';
import { projectionTablesDdl } from '../src/projection/projection.schema';
import { statusCountsSql } from '../src/projection/status-counts';

/* The compliance projection's int specs: events made to collide, fresh generations, and the status summary rows checked. */

/** A small deterministic generator, so a failure can be replayed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/**
 * Statuses only, colliding on purpose: two targets, twelve units, eight days, every status and withdrawals; the same key
 * corrected by later events (and by earlier ones arriving late), occurredAt ties broken by id, and some
 * events delivered twice.
 */
export function statusEvents(seed: number, n: number): EventEnvelope[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const base = Date.parse('2020-08-01T00:00:00.000Z');
  const out: EventEnvelope[] = [];
  for (let i = 0; i < n; i++) {
    if (out.length > 0 && r() < 0.1) {
      out.push(pick(out));
      continue;
    }
    const unit = `C${Math.floor(r() * 12)}`;
    if (r() < 0.15) {
      // The unit left the target from that day (retired, moved or emptied out of its scope): no status from then on.
      out.push(
        makeEvent(
          TargetStatusWithdrawnV1,
          'rates',
          unit,
          {
            targetId: pick(['T1', 'T2']),
            orgUnitCode: unit,
            date: `2020-08-0${1 + Math.floor(r() * 8)}`,
            previousStatus: pick(['met', 'on_track', 'at_risk', 'breached', 'no_data']),
          },
          { occurredAt: new Date(base + Math.floor(r() * 20) * 1000) },
        ),
      );
      continue;
    }
    out.push(
      makeEvent(
        TargetStatusChangedV1,
        'rates',
        unit,
        {
          targetId: pick(['T1', 'T2']),
          orgUnitCode: unit,
          date: `2020-08-0${1 + Math.floor(r() * 8)}`,
          status: pick(['met', 'on_track', 'at_risk', 'breached', 'no_data']),
          previousStatus: null,
          value: r(),
          threshold: 0.5,
          forecastDate: null,
          gap: Math.floor(r() * 100),
          reportingUnits: 1,
          expectedUnits: 1,
          reporting: true,
        } as never,
        { occurredAt: new Date(base + Math.floor(r() * 20) * 1000) },
      ),
    );
  }
  return out;
}

/** A generation's tables in `schema`, empty. */
export async function freshProjection(ds: DataSource, schema: string): Promise<void> {
  for (const sql of projectionTablesDdl(schema)) await ds.query(sql);
}

/**
 * Per day from the day before the first status to the day after the last: the units by status as the
 * summary reads them (statusCountsSql over the maintained rows) and as counted from scratch (every unit's
 * latest status as of the day), as sorted `day target status units` lines.
 */
export async function statusCounts(ds: DataSource, schema: string): Promise<{ maintained: string[]; scratch: string[] }> {
  const s = `"${schema}"`;
  const days: Array<{ day: string }> = await ds.query(
    `SELECT d::date::text AS day FROM generate_series(
       (SELECT min(date) - 1 FROM ${s}.target_statuses)::timestamp, (SELECT max(date) + 1 FROM ${s}.target_statuses)::timestamp, '1 day') d
     ORDER BY d`,
  );
  const maintained: string[] = [];
  const scratch: string[] = [];
  for (const { day } of days) {
    const kept: Array<{ targetId: string; status: string; units: number }> = await ds.query(statusCountsSql(s), [day]);
    for (const k of kept) maintained.push(`${day} ${k.targetId} ${k.status} ${k.units}`);
    const counted: Array<{ targetId: string; status: string; units: number }> = await ds.query(
      `SELECT target_id AS "targetId", status, count(*)::int AS units FROM (
         SELECT DISTINCT ON (target_id, org_unit_code) target_id, status FROM ${s}.target_statuses
         WHERE date <= $1 ORDER BY target_id, org_unit_code, date DESC) latest
       WHERE status IS NOT NULL
       GROUP BY target_id, status`,
      [day],
    );
    for (const c of counted) scratch.push(`${day} ${c.targetId} ${c.status} ${c.units}`);
  }
  // No leftover: what the maintained rows say of the statuses nobody holds sums to zero, never below.
  const negative: unknown[] = await ds.query(
    `SELECT 1 FROM ${s}.status_count_deltas a
     WHERE (SELECT sum(delta) FROM ${s}.status_count_deltas b WHERE b.target_id = a.target_id AND b.status = a.status AND b.date <= a.date) < 0`,
  );
  expect(negative).toEqual([]);
  // Nor a row whose changes cancelled out: the table is the same whatever the batches (a rebuild is compared row by row).
  expect(await ds.query(`SELECT target_id, date::text, status FROM ${s}.status_count_deltas WHERE delta = 0`)).toEqual([]);
  return { maintained: maintained.sort(), scratch: scratch.sort() };
}

/** The summary rows kept by the projection equal a count from scratch, every day. */
export async function expectCountsKept(ds: DataSource, schema: string): Promise<void> {
  const { maintained, scratch } = await statusCounts(ds, schema);
  expect(scratch.length).toBeGreaterThan(0);
  expect(maintained).toEqual(scratch);
}
