import type { DataSource } from 'typeorm';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { createServiceDataSource, initializeAndMigrate } from '../data-source';
import { EVENT_TABLE_MIGRATIONS } from '../migrations/event-tables';
import { claimEvents, resetInbox } from './inbox';
import { missingNumbers, recordUnapplied, setWatermark, watermarkOf } from './inbox-sequence';

describe('claimEvents (the inbox) on the real PostgreSQL', () => {
  let dbUrl: string;
  let ds: DataSource;
  const id = '0190f7c2-8a1b-7c3d-9e4f-a0b1c2d3e4f5';

  beforeAll(async () => {
    dbUrl = await freshDatabase('inbox');
    ds = createServiceDataSource({ url: dbUrl, schema: 'svc', migrations: EVENT_TABLE_MIGRATIONS });
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

  it('finds the numbers of a subject neither applied nor set aside, as ranges, after the watermark', async () => {
    const uuid = (n: number) => `0190f7c2-8a1b-7c3d-9e4f-${String(n).padStart(12, '0')}`;
    const subject = 'bz.intake.report.accepted.v1';
    // Applied: 2, 3, 6, 9 (and 9 again under another id, a re-publish); dead-lettered: 7; another subject's 1..10.
    await ds.transaction((m) =>
      claimEvents(m, 'g1', [
        ...[2, 3, 6, 9].map((n) => ({ id: uuid(n), subject, seq: n })),
        { id: uuid(100), subject: 'bz.intake.activity.recorded.v1', seq: 1 },
        uuid(200), // no number: published before numbering
      ]),
    );
    await ds.transaction((m) => recordUnapplied(m, 'g1', subject, { from: 7, to: 7 }, 'dead-letter'));
    const missing = (after: number, upTo: number) => ds.transaction((m) => missingNumbers(m, 'g1', subject, after, upTo));
    expect(await missing(0, 10)).toEqual([
      { from: 1, to: 1 },
      { from: 4, to: 5 },
      { from: 8, to: 8 },
      { from: 10, to: 10 },
    ]);
    expect(await missing(3, 7)).toEqual([{ from: 4, to: 5 }]);
    expect(await missing(9, 9)).toEqual([]);
    // Another consumer has applied none of them.
    expect(await ds.transaction((m) => missingNumbers(m, 'g2', subject, 0, 3))).toEqual([{ from: 1, to: 3 }]);
    // The watermark only rises; resetInbox forgets it with the rest.
    await ds.transaction((m) => setWatermark(m, 'g1', subject, 5));
    await ds.transaction((m) => setWatermark(m, 'g1', subject, 3));
    expect(await ds.transaction((m) => watermarkOf(m, 'g1', subject))).toBe(5);
    await ds.transaction((m) => resetInbox(m, 'g1'));
    expect(await ds.transaction((m) => watermarkOf(m, 'g1', subject))).toBe(0);
    expect(await missing(0, 3)).toEqual([{ from: 1, to: 3 }]);
  });
});
