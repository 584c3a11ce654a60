import type { DataSource } from 'typeorm';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { createServiceDataSource, initializeAndMigrate } from '../data-source';
import { InboxPruning1796950000000 } from '../migrations/1796950000000-InboxPruning';
import { EVENT_TABLE_MIGRATIONS } from '../migrations/event-tables';
import { claimEvents, PRUNE_LOCK, resetInbox } from './inbox';
import { missingNumbers, pruneApplied, recordUnapplied, setWatermark, watermarkOf } from './inbox-sequence';

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
  describe('pruning below the watermark', () => {
    const uuid = (n: number) => `0290f7c2-8a1b-7c3d-9e4f-${String(n).padStart(12, '0')}`;
    const subject = 'bz.rates.figure.updated.v1';
    const event = (n: number) => ({ id: uuid(n), subject, seq: n });
    const claim = async (consumer: string, ...ns: number[]) =>
      [...(await ds.transaction((m) => claimEvents(m, consumer, ns.map(event))))].map((id) => Number(id.slice(-12))).sort((a, b) => a - b);
    const rows = async (consumer: string) =>
      (
        (await ds.query(`SELECT subject_seq FROM inbox WHERE consumer = $1 AND subject = $2 ORDER BY 1`, [consumer, subject])) as Array<{
          subject_seq: string;
        }>
      ).map((r) => Number(r.subject_seq));

    it('deletes the rows up to the watermark and still applies each event once: redeliveries refused, a dead letter replayed once', async () => {
      // Applied 1..10 but 4, which was dead-lettered; the gap check found them complete.
      expect(await claim('p1', 1, 2, 3, 5, 6, 7, 8, 9, 10)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
      await ds.transaction((m) => recordUnapplied(m, 'p1', subject, { from: 4, to: 4 }, 'dead-letter'));
      await ds.transaction((m) => setWatermark(m, 'p1', subject, 10));
      expect(await pruneApplied(ds, 'p1', subject)).toBe(9);
      expect(await rows('p1')).toEqual([]);
      // Redelivered (the ack lost in a crash) or re-published: already applied, though its row is gone.
      expect(await claim('p1', 2, 7, 10)).toEqual([]);
      // The dead-lettered event, replayed, is applied, once; its row stays through later prunes.
      expect(await claim('p1', 4)).toEqual([4]);
      expect(await claim('p1', 4)).toEqual([]);
      expect(await pruneApplied(ds, 'p1', subject)).toBe(0);
      expect(await rows('p1')).toEqual([4]);
      expect(await claim('p1', 4)).toEqual([]);
      // Above the mark, as before; and a number below it is not set aside any more (it was applied).
      expect(await claim('p1', 11, 12)).toEqual([11, 12]);
      await ds.transaction((m) => recordUnapplied(m, 'p1', subject, { from: 5, to: 5 }, 'dead-letter'));
      expect(await claim('p1', 5)).toEqual([]);
      // The gap check reads above the watermark only: nothing is missing there.
      expect(await ds.transaction((m) => missingNumbers(m, 'p1', subject, 10, 12))).toEqual([]);
      // Another consumer's inbox is its own.
      expect(await claim('p2', 2)).toEqual([2]);
    });

    it('deletes a chunk a transaction, up to the watermark and no further', async () => {
      expect(await claim('p3', ...Array.from({ length: 25 }, (_, i) => i + 1))).toHaveLength(25);
      await ds.transaction((m) => setWatermark(m, 'p3', subject, 20));
      expect(await pruneApplied(ds, 'p3', subject, 6)).toBe(20);
      expect(await rows('p3')).toEqual([21, 22, 23, 24, 25]);
      expect(await ds.query(`SELECT pruned_through FROM inbox_watermark WHERE consumer = 'p3'`)).toEqual([{ pruned_through: '20' }]);
      // Going back to code that reads no mark would apply a redelivered pruned event again: the migration's down refuses.
      const qr = ds.createQueryRunner();
      try {
        await expect(new InboxPruning1796950000000().down(qr)).rejects.toThrow(/pruned inbox rows; rebuild them before going back/);
      } finally {
        await qr.release();
      }
      // resetInbox (a rebuild from sequence 1) forgets the mark with the rest.
      await ds.transaction((m) => resetInbox(m, 'p3'));
      expect(await claim('p3', 3)).toEqual([3]);
    });

    it('never lets a claim in flight and a prune cross: each waits for the other, and the claim reads the mark the prune left', async () => {
      expect(await claim('p4', 1, 2, 3)).toEqual([1, 2, 3]);
      await ds.transaction((m) => setWatermark(m, 'p4', subject, 3));
      const waiting = async () =>
        (
          await ds.query(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`,
          )
        )[0].n as number;
      const until = async (cond: () => Promise<boolean>) => {
        for (let i = 0; i < 500 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
        expect(await cond()).toBe(true);
      };

      // A claim in flight (its transaction open): the prune waits for its commit.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let claimed!: () => void;
      const hasClaimed = new Promise<void>((r) => (claimed = r));
      const inFlight = ds.transaction(async (m) => {
        const got = await claimEvents(m, 'p4', [event(4)]);
        claimed();
        await held;
        return got;
      });
      await hasClaimed;
      const prune = pruneApplied(ds, 'p4', subject);
      await until(async () => (await waiting()) === 1);
      // Nothing deleted while it waits (the claim's own row, uncommitted, is not seen from here).
      expect(await rows('p4')).toEqual([1, 2, 3]);
      release();
      expect(await inFlight).toEqual(new Set([uuid(4)]));
      expect(await prune).toBe(3);

      // A prune in flight (the rows of 1..4 deleted, the mark moved, not committed): a redelivery of 4 waits for it and
      // then finds the mark, where a claim that did not wait would find neither the row nor the mark, and apply it again.
      await ds.transaction((m) => setWatermark(m, 'p4', subject, 4));
      let commit!: () => void;
      const prunerHolds = new Promise<void>((r) => (commit = r));
      let deleted!: () => void;
      const hasDeleted = new Promise<void>((r) => (deleted = r));
      const pruner = ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(${PRUNE_LOCK})`, ['p4']);
        await m.query(`DELETE FROM inbox WHERE consumer = 'p4' AND subject = $1 AND subject_seq <= 4`, [subject]);
        await m.query(`UPDATE inbox_watermark SET pruned_through = 4 WHERE consumer = 'p4' AND subject = $1`, [subject]);
        deleted();
        await prunerHolds;
      });
      await hasDeleted;
      const redelivered = claim('p4', 4, 5);
      await until(async () => (await waiting()) === 1);
      commit();
      await pruner;
      expect(await redelivered).toEqual([5]);
    });
  });
});
