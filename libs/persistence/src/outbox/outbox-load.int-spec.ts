import { EventPublisher, streamNames, type NatsLink } from '@app/messaging';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, waitFor } from '../../../../test/support/int-env';
import { openLink, openProbePair, probeReport, probeState, streamCount, type ProbePair } from '../../../messaging/src/testing/probe-consumer';

describe('OutboxRelay and EventConsumer under load, on the real PostgreSQL and NATS JetStream', () => {
  let dbUrl: string;
  let link: NatsLink;
  let publisher: EventPublisher;
  const pairs: ProbePair[] = [];

  async function setUp(label: string): Promise<ProbePair> {
    const namespace = freshNamespace(label);
    const pair = await openProbePair({ dbUrl, link, namespace, label, poolSize: 12, publish: (s, e) => publisher.publish(s, e) });
    pairs.push(pair);
    return pair;
  }

  beforeAll(async () => {
    dbUrl = await freshDatabase('outboxload');
    link = await openLink(natsUrl(), 'outbox-load-int');
    publisher = new EventPublisher(link);
  });
  afterAll(async () => {
    for (const p of pairs) await p.close();
    await link?.close();
    for (const p of pairs) await dropNamespace(p.namespace).catch(() => undefined);
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  }, 60_000);

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
    await waitFor(async () => (await probeState(consumerDs)).applied >= 10_000 && consumer.idle, 'the consumer to apply 10,000 events', 120_000, 250);
    await consumer.waitUntilIdle(30_000);

    expect(await streamCount(link, streamNames(namespace).events)).toBe(10_000);
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
