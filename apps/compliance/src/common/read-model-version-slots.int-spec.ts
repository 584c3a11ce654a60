import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { claimEvents, createServiceDataSource, initializeAndMigrate, EVENT_TABLE_MIGRATIONS } from '@app/persistence';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { COMPLIANCE_MIGRATIONS } from '../compliance.module';

/**
 * The read-model version is bumped by every transaction that claims events (a trigger on the inbox). Two
 * replicas of one consumer claim in transactions that stay open for a whole batch: they must not wait on each
 * other's counter (they did: one row per consumer), and a reader must still see the version move.
 */
describe('read_model_version: bumped per claim without serialising a consumer’s replicas', () => {
  let url: string;
  let ds: DataSource;

  beforeAll(async () => {
    url = await freshDatabase('rmversion');
    ds = createServiceDataSource({
      url,
      schema: 'cmp',
      migrations: [...EVENT_TABLE_MIGRATIONS, ...COMPLIANCE_MIGRATIONS],
    });
    await initializeAndMigrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  const version = async (): Promise<string> =>
    (
      (await ds.query(`SELECT string_agg(consumer || '=' || version, ',' ORDER BY consumer) AS v FROM read_model_version`)) as Array<{
        v: string;
      }>
    )[0].v ?? '';

  /** Two connections that stand for two replicas: their backends fall in different slots. */
  async function twoReplicas(): Promise<[QueryRunner, QueryRunner]> {
    const held: QueryRunner[] = [];
    const slot = async (r: QueryRunner) => Number(((await r.query(`SELECT pg_backend_pid() % 16 AS s`)) as Array<{ s: number }>)[0].s);
    const first = ds.createQueryRunner();
    await first.connect();
    const firstSlot = await slot(first);
    for (;;) {
      const r = ds.createQueryRunner();
      await r.connect();
      if ((await slot(r)) !== firstSlot) {
        for (const h of held) await h.release();
        return [first, r];
      }
      held.push(r); // same slot: keep it open (so the pool hands out another backend) and try again
    }
  }

  it('a second replica claims while the first holds its batch open, and both claims move the version', async () => {
    const [a, b] = await twoReplicas();
    try {
      const before = await version();
      await a.startTransaction();
      await b.startTransaction();
      // Without slots, b's claim waits for a's commit: with a lock timeout it fails instead of hanging.
      await b.query(`SET LOCAL lock_timeout = '2s'`);
      expect((await claimEvents(a.manager, 'compliance-projection', [randomUUID()])).size).toBe(1);
      expect((await claimEvents(b.manager, 'compliance-projection', [randomUUID()])).size).toBe(1);
      await b.commitTransaction();
      const afterB = await version();
      expect(afterB).not.toBe(before);
      await a.commitTransaction();
      expect(await version()).not.toBe(afterB);
    } finally {
      if (a.isTransactionActive) await a.rollbackTransaction();
      if (b.isTransactionActive) await b.rollbackTransaction();
      await a.release();
      await b.release();
    }
  });
});
