import type { QueryRunner } from 'typeorm';
import { ActivityRecordedV1, subjectOf, type EventEnvelope } from '@app/contracts';
import { streamNames } from '@app/messaging';
import { useProbePairs } from '@test/support/probe-pairs';
import { probeReport, readStream } from '@test/support/messaging/probe-consumer';
import { makeEvent } from '../event-factory';
import { enqueueEvents } from './outbox';

/**
 * Rows are numbered by their transactions and the relay publishes each subject up to a mark: what commits late,
 * behind rows already published, must still go out, in its subject's order, with the numbers that follow.
 */
describe('Outbox rows numbered at insert, published up to a mark (real PostgreSQL and NATS JetStream)', () => {
  const probes = useProbePairs('outboxorder');
  // Another subject of the same producer (nothing consumes these).
  const activity = (i: number): EventEnvelope => makeEvent(ActivityRecordedV1, 'intake', `U${i}`, { activityId: `a${i}` } as never);

  it('publishes a transaction that numbered its rows first and commits last, without a hole or a reorder in its subject', async () => {
    const pair = await probes.setUp('late');
    const activities = subjectOf(pair.namespace, ActivityRecordedV1);
    const open = async (events: readonly EventEnvelope[]): Promise<QueryRunner> => {
      const qr = pair.producer.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      await enqueueEvents(qr.manager, pair.namespace, events);
      return qr;
    };
    const early = [activity(1), activity(2), activity(3)];
    // Numbers 1..3 of the activities' subject (and the lowest `seq`s), not committed yet.
    const first = await open(early);
    // Another subject is not held up: committed and published while the first transaction is still open.
    const reports = Array.from({ length: 5 }, (_, i) => probeReport(i));
    await pair.commit(reports);
    const relay = pair.relay();
    expect(await relay.drain()).toBe(5);
    expect(await relay.pendingCount()).toBe(0);

    // A second writer of the activities waits for the first to end before it takes its numbers.
    const later = activity(4);
    let secondDone = false;
    const second = pair.commit([later]).then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(secondDone).toBe(false);
    // A third writer rolls back after the first commits: it leaves no hole for the second.
    const rolledBack = pair.producer.transaction(async (m) => {
      await enqueueEvents(m, pair.namespace, [activity(99)]);
      throw new Error('rolled back');
    });
    await first.commitTransaction();
    await first.release();
    await expect(rolledBack).rejects.toThrow('rolled back');
    await second;

    expect(await relay.pendingCount()).toBe(4);
    expect(await relay.drain()).toBe(4);
    const stream = await readStream(probes.link, streamNames(pair.namespace).events);
    expect(stream.map((m) => m.msgId)).toEqual([...reports, ...early, later].map((e) => e.id));
    const numbers: Array<{ event_id: string; subject_seq: string }> = await pair.producer.query(
      `SELECT event_id, subject_seq FROM outbox WHERE subject = $1 ORDER BY subject_seq`,
      [activities],
    );
    expect(numbers.map((r) => [r.event_id, Number(r.subject_seq)])).toEqual([...early, later].map((e, i) => [e.id, i + 1]));
    const marks: Array<{ subject: string; published_seq: string }> = await pair.producer.query(
      `SELECT subject, published_seq FROM outbox_published ORDER BY subject`,
    );
    expect(marks.map((r) => [r.subject, Number(r.published_seq)])).toEqual([
      [activities, 4],
      [subjectOf(pair.namespace, reports[0]), 5],
    ]);
    expect(await pair.producer.query(`SELECT count(*)::int AS n FROM outbox_pending`)).toEqual([{ n: 0 }]);
  }, 60_000);

  it('keeps the order of the events of one call in `seq`, its subjects numbered each from its own counter', async () => {
    const pair = await probes.setUp('mixed');
    const events = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? activity(i) : probeReport(i)));
    await pair.commit(events);
    const rows: Array<{ event_id: string; subject: string; subject_seq: string }> = await pair.producer.query(
      `SELECT event_id, subject, subject_seq FROM outbox ORDER BY seq`,
    );
    expect(rows.map((r) => r.event_id)).toEqual(events.map((e) => e.id));
    const seen = new Map<string, number>();
    for (const r of rows) {
      const n = (seen.get(r.subject) ?? 0) + 1;
      seen.set(r.subject, n);
      expect(Number(r.subject_seq)).toBe(n);
    }
    const relay = pair.relay();
    expect(await relay.drain()).toBe(12);
    const stream = await readStream(probes.link, streamNames(pair.namespace).events);
    expect(stream.map((m) => m.msgId)).toEqual(events.map((e) => e.id));
  }, 60_000);
});
