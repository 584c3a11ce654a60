import type { DataSource } from 'typeorm';
import { dropDatabase, freshDatabase } from '../../../../test/support/int-env';
import { createServiceDataSource, initializeAndMigrate } from '../data-source';
import { OutboxInbox1764460800000 } from '../migrations/1764460800000-OutboxInbox';
import { EventSequences1796524800000 } from '../migrations/1796524800000-EventSequences';
import { claimEvents, resetInbox } from './inbox';

describe('claimEvents (the inbox) on the real PostgreSQL', () => {
  let dbUrl: string;
  let ds: DataSource;
  const id = '0190f7c2-8a1b-7c3d-9e4f-a0b1c2d3e4f5';

  beforeAll(async () => {
    dbUrl = await freshDatabase('inbox');
    ds = createServiceDataSource({ url: dbUrl, schema: 'svc', migrations: [OutboxInbox1764460800000, EventSequences1796524800000] });
    await initializeAndMigrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  });

  it('gives an event id to a consumer once, whatever its case and however often it comes', async () => {
    expect(await ds.transaction((m) => claimEvents(m, 'c1', [id, id.toUpperCase()]))).toEqual(new Set([id]));
    expect(await ds.transaction((m) => claimEvents(m, 'c1', [id.toUpperCase()]))).toEqual(new Set());
    // Another consumer keeps an inbox of its own.
    expect(await ds.transaction((m) => claimEvents(m, 'c2', [id]))).toEqual(new Set([id]));
  });

  it('forgets nothing when the effect rolls back: the event is claimed again by the retry', async () => {
    const other = '0190f7c2-8a1b-7c3d-9e4f-a0b1c2d3e4f6';
    await expect(
      ds.transaction(async (m) => {
        await claimEvents(m, 'c1', [other]);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await ds.transaction((m) => claimEvents(m, 'c1', [other]))).toEqual(new Set([other]));
  });

  it('lets only one of two concurrent transactions claim the same event (replicas sharing a durable)', async () => {
    const contested = '0190f7c2-8a1b-7c3d-9e4f-a0b1c2d3e4f7';
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstClaimed!: () => void;
    const firstHasClaimed = new Promise<void>((r) => (firstClaimed = r));
    const first = ds.transaction(async (m) => {
      const got = await claimEvents(m, 'c3', [contested]);
      firstClaimed();
      await firstHolds; // still uncommitted while the second tries
      return got;
    });
    await firstHasClaimed;
    const second = ds.transaction((m) => claimEvents(m, 'c3', [contested]));
    releaseFirst();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual(new Set([contested]));
    expect(b).toEqual(new Set());
  });

  it('resetInbox forgets one consumer, for a rebuild', async () => {
    await ds.transaction((m) => resetInbox(m, 'c1'));
    expect(await ds.transaction((m) => claimEvents(m, 'c1', [id]))).toEqual(new Set([id]));
    expect(await ds.transaction((m) => claimEvents(m, 'c2', [id]))).toEqual(new Set());
  });
});
