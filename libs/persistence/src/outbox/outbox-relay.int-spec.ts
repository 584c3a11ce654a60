import type { EventEnvelope } from '@app/contracts';
import { register } from 'prom-client';
import { reportOutboxPending, streamNames } from '@app/messaging';
import type { OutboxEvent } from './outbox-relay';
import { waitFor } from '@test/support/int-env';
import { useProbePairs } from '@test/support/probe-pairs';
import { probeReport, probeState, publishEnvelope, readStream, streamCount } from '@test/support/messaging/probe-consumer';

describe('OutboxRelay on the real PostgreSQL and NATS JetStream', () => {
  const probes = useProbePairs('outbox');
  const setUp = (label: string) => probes.setUp(label);

  it('after a crash between publishing and marking, the re-published rows are dropped by the stream and the inbox', async () => {
    const { namespace, producer, consumerDs, relay, consumer, commit } = await setUp('crash');
    const events = Array.from({ length: 20 }, (_, i) => probeReport(i));
    await commit(events);

    // The relay that "crashed": it published every pending row (same Nats-Msg-Id as the relay uses) and
    // died before its UPDATE, so all rows are still pending.
    const pending: Array<{ subject: string; envelope: EventEnvelope }> = await producer.query(
      `SELECT subject, envelope FROM outbox_pending ORDER BY seq`,
    );
    expect(pending).toHaveLength(20);
    for (const row of pending) await probes.publisher.publish(row.subject, row.envelope);

    // The restarted relay publishes them all again and marks them.
    const restarted = relay();
    reportOutboxPending('crash-test', () => restarted.pendingCount());
    expect(await register.getSingleMetricAsString('bz_outbox_pending')).toContain('bz_outbox_pending{service="crash-test"} 20');
    expect(await restarted.drain()).toBe(20);
    expect(await restarted.pendingCount()).toBe(0);
    expect(await register.getSingleMetricAsString('bz_outbox_pending')).toContain('bz_outbox_pending{service="crash-test"} 0');
    const stream = await readStream(probes.link, streamNames(namespace).events);
    expect(stream.map((m) => m.msgId)).toEqual(events.map((e) => e.id));

    // Past the duplicate window (equivalent: the same envelope under another Nats-Msg-Id) the stream keeps
    // a second copy; the consumer's inbox drops it.
    await publishEnvelope(probes.link, namespace, events[3], `${events[3].id}:late`);
    expect(await streamCount(probes.link, streamNames(namespace).events)).toBe(21);

    await consumer.start();
    await consumer.waitUntilIdle(30_000);
    const state = await probeState(consumerDs);
    expect(state.applied).toBe(20);
    expect(state.distinctApplied).toBe(20);
  }, 60_000);

  it('two relays on the same outbox never publish a row twice and keep seq order', async () => {
    const { namespace, producer, relay, commit } = await setUp('pair');
    // Counted at the relay, not in the stream: the stream's duplicate window would hide a double publish.
    const published: string[] = [];
    const byRelay = { a: 0, b: 0 };
    const counting = (name: 'a' | 'b') => async (subject: string, event: OutboxEvent) => {
      published.push(event.id);
      byRelay[name] += 1;
      await probes.publisher.publishSerialized(subject, event);
    };
    const a = relay({ publish: counting('a') });
    const b = relay({ publish: counting('b') });
    await a.start();
    await b.start();
    const ids: string[] = [];
    // Sequential commits (each after the previous one), published while both relays compete for them.
    for (let i = 0; i < 60; i++) {
      const batch = Array.from({ length: 1 + (i % 5) }, (_, j) => probeReport(i * 10 + j));
      ids.push(...batch.map((e) => e.id));
      await commit(batch);
    }
    await waitFor(async () => (await a.pendingCount()) === 0, 'both relays to publish everything', 30_000);
    const stream = await readStream(probes.link, streamNames(namespace).events);
    // Every row once, in the order of the outbox's seq (equal to the commit order here).
    expect(published).toEqual(ids);
    expect(byRelay.a + byRelay.b).toBe(ids.length);
    expect(stream).toHaveLength(ids.length);
    expect(stream.map((m) => m.msgId)).toEqual(ids);
    const seqOrder: Array<{ event_id: string }> = await producer.query(`SELECT event_id FROM outbox ORDER BY seq`);
    expect(seqOrder.map((r) => r.event_id)).toEqual(ids);
  }, 60_000);
});
