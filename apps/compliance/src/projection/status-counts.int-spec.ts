import type { DataSource } from 'typeorm';
import { TargetStatusChangedV1, TargetStatusWithdrawnV1, type EventEnvelope } from '@app/contracts';
import { makeEvent } from '@app/persistence';
import { scratchDataSource } from '@test/support/int-env';
import { expectCountsKept, freshProjection, rng, statusCounts, statusEvents } from '../../test/projector-fixtures';
import { StatusCountsByDate1796537736000 } from '../migrations/1796537736000-StatusCountsByDate';
import { StatusWithdrawals1796900000000 } from '../migrations/1796900000000-StatusWithdrawals';
import { ComplianceProjector } from './compliance.projector';

describe('the status summary rows the projection keeps (status_count_deltas)', () => {
  const scratch = scratchDataSource('statuscounts');
  let ds: DataSource;
  const projector = new ComplianceProjector();
  beforeAll(() => void (ds = scratch()));

  it.each([11, 12, 13])(
    'seed %i: the summary rows kept by the projection equal a count from scratch after every batch, in any order, batches concurrent',
    async (seed) => {
      const events = statusEvents(seed, 300);
      const r = rng(seed * 104729);
      const serial = `proj_counts_${seed}`;
      await freshProjection(ds, serial);
      const order = [...events].sort(() => r() - 0.5);
      for (let i = 0; i < order.length;) {
        const size = 1 + Math.floor(r() * 40);
        await ds.transaction((m) => projector.applyBatch(serial, order.slice(i, i + size), m));
        await expectCountsKept(ds, serial);
        i += size;
      }
      // Batches of another order at once, in their own transactions (two replicas on one generation).
      const parallel = `proj_counts_par_${seed}`;
      await freshProjection(ds, parallel);
      const other = [...events].sort(() => r() - 0.5);
      const chunks = Array.from({ length: 6 }, (_, k) => other.filter((_, i) => i % 6 === k));
      await Promise.all(chunks.map((chunk) => ds.transaction((m) => projector.applyBatch(parallel, chunk, m))));
      await expectCountsKept(ds, parallel);
      const rows = async (schema: string) => ds.query(`SELECT * FROM "${schema}".target_statuses ORDER BY target_id, org_unit_code, date`);
      expect(await rows(parallel)).toEqual(await rows(serial));
      expect(await statusCounts(ds, parallel)).toEqual(await statusCounts(ds, serial));
    },
  );

  it('batches of different units, at once, never deadlock on the summary rows they share (two replicas on one generation)', async () => {
    // Each batch its own units (no pair in common), all on one target and the same days: their summary rows are the
    // same rows, taken away before each batch's upsert and added back after it, in two passes.
    const schema = 'proj_counts_disjoint';
    await freshProjection(ds, schema);
    const r = rng(4242);
    const base = Date.parse('2020-08-01T00:00:00.000Z');
    const batch = (b: number, round: number): EventEnvelope[] =>
      Array.from({ length: 60 }, (_, i) => {
        const unit = `D${b}-${i % 30}`;
        return makeEvent(
          TargetStatusChangedV1,
          'rates',
          unit,
          {
            targetId: 'T1',
            orgUnitCode: unit,
            date: `2020-08-0${1 + ((i + round) % 8)}`,
            status: (['met', 'on_track', 'at_risk', 'breached'] as const)[Math.floor(r() * 4)],
            previousStatus: null,
            value: r(),
            threshold: 0.5,
            forecastDate: null,
            gap: 1,
            reportingUnits: 1,
            expectedUnits: 1,
            reporting: true,
          } as never,
          { occurredAt: new Date(base + round * 60_000 + i) },
        );
      });
    for (let round = 0; round < 4; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, b) => ds.transaction((m) => projector.applyBatch(schema, batch(b, round), m))));
      await expectCountsKept(ds, schema);
    }
  });

  it('the migration fills the summary rows of an existing generation as the projection would have kept them', async () => {
    await ds.query(`CREATE SCHEMA mig`);
    await freshProjection(ds, 'mig_g1');
    // It came before withdrawals: the statuses it found were all statuses.
    const events = statusEvents(21, 300).filter((e) => e.type !== TargetStatusWithdrawnV1.type);
    await ds.transaction((m) => projector.applyBatch('mig_g1', events, m));
    const kept = await statusCounts(ds, 'mig_g1');
    await ds.query(`DROP TABLE mig_g1.status_count_deltas`);
    const qr = ds.createQueryRunner();
    try {
      await qr.query(`SET search_path TO mig`);
      await new StatusCountsByDate1796537736000().up(qr);
    } finally {
      await qr.query(`RESET search_path`);
      await qr.release();
    }
    await expectCountsKept(ds, 'mig_g1');
    expect(await statusCounts(ds, 'mig_g1')).toEqual(kept);
  });

  it('withdrawals: a generation from before them takes them after the migration, and down counts again without them', async () => {
    await ds.query(`CREATE SCHEMA wd`);
    await freshProjection(ds, 'wd_g1');
    // A generation made before withdrawals: a status row always had a status, a threshold and a gap.
    await ds.query(
      `ALTER TABLE wd_g1.target_statuses ALTER COLUMN status SET NOT NULL, ALTER COLUMN threshold SET NOT NULL, ALTER COLUMN gap SET NOT NULL`,
    );
    const events = statusEvents(31, 300);
    const withdrawals = events.filter((e) => e.type === TargetStatusWithdrawnV1.type);
    expect(withdrawals.length).toBeGreaterThan(20);
    const migration = new StatusWithdrawals1796900000000();
    const qr = ds.createQueryRunner();
    try {
      await qr.query(`SET search_path TO wd`);
      await migration.up(qr);
      await ds.transaction((m) => projector.applyBatch('wd_g1', events, m));
      // Units whose latest row is a withdrawal hold no status: the counts are a count from scratch of the others.
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM wd_g1.target_statuses WHERE status IS NULL`);
      expect(n).toBeGreaterThan(0);
      await expectCountsKept(ds, 'wd_g1');
      await migration.down(qr);
      expect(await ds.query(`SELECT 1 FROM wd_g1.target_statuses WHERE status IS NULL`)).toEqual([]);
      await expectCountsKept(ds, 'wd_g1');
    } finally {
      await qr.query(`RESET search_path`);
      await qr.release();
    }
  });
});
