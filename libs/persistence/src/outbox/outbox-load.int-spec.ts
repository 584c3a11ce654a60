import { streamNames } from '@app/messaging';
import { waitFor } from '@test/support/int-env';
import { useProbePairs } from '@test/support/probe-pairs';
import { probeReport, probeState, streamCount } from '@test/support/messaging/probe-consumer';

describe('OutboxRelay and EventConsumer under load, on the real PostgreSQL and NATS JetStream', () => {
  const probes = useProbePairs('outboxload', { poolSize: 12 });
  const setUp = (label: string) => probes.setUp(label);

  it('10,000 events committed by 8 concurrent writers arrive, each exactly once in effect', async () => {
    const { namespace, producer, consumerDs, relay, consumer, commit } = await setUp('load');
    const writers = 8;
    const perWriter = 1250;
    const r = relay();
    await r.start();
    await consumer.start();
    const written: string[] = [];
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        // Transactions of 1 to 50 events, interleaving with the other writers'.
        let n = 0;
        let size = 1;
        while (n < perWriter) {
          const count = Math.min(size, perWriter - n);
          const events = Array.from({ length: count }, (_, k) => probeReport(w * perWriter + n + k));
          await commit(events);
          written.push(...events.map((e) => e.id));
          n += count;
          size = (size * 7) % 50 || 1;
        }
      }),
    );
    expect(written).toHaveLength(10_000);
    const produced: Array<{ n: string }> = await producer.query(`SELECT count(*) AS n FROM outbox`);
    expect(Number(produced[0].n)).toBe(10_000);

    await waitFor(async () => (await r.pendingCount()) === 0, 'the relay to publish 10,000 events', 90_000, 250);
    await waitFor(
      async () => (await probeState(consumerDs)).applied >= 10_000 && consumer.idle,
      'the consumer to apply 10,000 events',
      120_000,
      250,
    );
    await consumer.waitUntilIdle(30_000);

    expect(await streamCount(probes.link, streamNames(namespace).events)).toBe(10_000);
    const state = await probeState(consumerDs);
    expect(state.applied).toBe(10_000);
    expect(state.distinctApplied).toBe(10_000);
    const missing: Array<{ n: string }> = await consumerDs.query(
      `SELECT count(*) AS n FROM unnest($1::uuid[]) AS w(id) WHERE NOT EXISTS (SELECT 1 FROM probe_applied a WHERE a.event_id = w.id)`,
      [written],
    );
    expect(Number(missing[0].n)).toBe(0);
  }, 240_000);
});
