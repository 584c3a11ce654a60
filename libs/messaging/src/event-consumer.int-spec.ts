import { jetstream } from '@nats-io/jetstream';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { ReportAcceptedV1, subjectOf } from '@app/contracts';
import { adminDatabaseUrl, dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, waitFor } from '@test/support/int-env';
import { EventConsumer, type EventConsumerOptions } from './event-consumer';
import type { NatsLink } from './nats-link';
import { streamNames } from './stream';
import {
  deadLetters,
  openLink,
  openProbeDataSource,
  probeHandlers,
  probeReport,
  probeState,
  publishEnvelope,
  setUpStreams,
  streamCount,
  type ProbeHandlerOptions,
} from '@test/support/messaging/probe-consumer';

/** The value of a metric for one consumer (summed over its other labels). */
async function metric(name: string, consumer: string, labels: Record<string, string> = {}): Promise<number> {
  const m = register.getSingleMetric(name);
  if (!m) return Number.NaN;
  const { values } = await m.get();
  return values
    .filter((v) => v.labels.consumer === consumer && Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('EventConsumer on the real NATS JetStream and PostgreSQL', () => {
  let dbUrl: string;
  let link: NatsLink;
  const namespaces: string[] = [];
  const sources: DataSource[] = [];
  const consumers: EventConsumer[] = [];

  /** Each test gets its own namespace (streams) and schema (probe tables, inbox), so tests cannot see each other. */
  async function setUp(label: string, options: Partial<EventConsumerOptions> & { probe?: ProbeHandlerOptions } = {}) {
    const namespace = freshNamespace(label);
    namespaces.push(namespace);
    await setUpStreams(link, namespace);
    const ds = await openProbeDataSource(dbUrl, label);
    sources.push(ds);
    const consumer = new EventConsumer({
      link,
      dataSource: ds,
      namespace,
      durable: `probe-${label}`,
      handlers: probeHandlers(options.probe),
      ...options,
    });
    consumers.push(consumer);
    return { namespace, ds, consumer };
  }

  beforeAll(async () => {
    dbUrl = await freshDatabase('consumer');
    link = await openLink(natsUrl(), 'consumer-int');
  });
  afterAll(async () => {
    for (const c of consumers) await c.stop();
    for (const ds of sources) await ds.destroy().catch(() => undefined);
    await link?.close();
    for (const ns of namespaces) await dropNamespace(ns).catch(() => undefined);
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  });

  it('applies a message delivered twice, and a duplicate published past the duplicate window, once', async () => {
    let redeliveryProvoked: Promise<unknown> | null = null;
    const target = probeReport(1, { orgUnitCode: 'TWICE', installed: 7 });
    const { namespace, ds, consumer } = await setUp('inbox', {
      ackWaitMs: 1000,
      probe: {
        // The first delivery of the target is held, uncommitted and unacked, until the server has given up on it
        // and delivered it again: the second delivery then reaches the inbox after the first committed.
        beforeApply: async (e) => {
          if (e.id !== target.id || redeliveryProvoked) return;
          redeliveryProvoked = waitFor(
            async () => ((await consumer.consumerInfo()) as { num_redelivered?: number } | null)?.num_redelivered,
            'a redelivery',
            30_000,
          );
          await redeliveryProvoked;
        },
      },
    });
    const durable = consumer.durable;
    await publishEnvelope(link, namespace, target);
    // The same event again under its own Nats-Msg-Id: the stream drops it inside the duplicate window.
    expect((await publishEnvelope(link, namespace, target)).duplicate).toBe(true);
    // Past the window (the equivalent: a different Nats-Msg-Id): the stream keeps it, the inbox must drop it.
    expect((await publishEnvelope(link, namespace, target, `${target.id}:republished`)).duplicate).toBe(false);
    expect(await streamCount(link, streamNames(namespace).events)).toBe(2);

    const duplicatesBefore = await metric('bz_events_duplicate_total', durable);
    await consumer.start();
    await consumer.waitUntilIdle(45_000);

    const state = await probeState(ds);
    expect(state.applied).toBe(1);
    expect(state.figures).toEqual([expect.objectContaining({ org_unit_code: 'TWICE', installed: 7, event_count: 1 })]);
    // The redelivered copy and the republished copy were both refused by the inbox.
    expect((await metric('bz_events_duplicate_total', durable)) - duplicatesBefore).toBeGreaterThanOrEqual(2);
    expect(await metric('bz_events_redelivered_total', durable)).toBeGreaterThanOrEqual(1);
    const inbox: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM inbox WHERE consumer = $1`, [durable]);
    expect(Number(inbox[0].n)).toBe(1);
  }, 60_000);

  it('dead-letters an event whose handler always throws after maxDeliver deliveries, and processes the 100 behind it', async () => {
    const { namespace, ds, consumer } = await setUp('poison', {
      maxDeliver: 3,
      backoffMs: [50, 100],
      batchSize: 32,
      probe: { poison: (e) => e.key === 'POISON' },
    });
    const durable = consumer.durable;
    const poison = probeReport(0, { orgUnitCode: 'POISON' });
    await publishEnvelope(link, namespace, poison);
    for (let i = 1; i <= 100; i++) await publishEnvelope(link, namespace, probeReport(i));
    await consumer.start();

    const [record] = await waitFor(
      async () => {
        const dl = await deadLetters(link, namespace);
        return dl.length > 0 ? dl : null;
      },
      'the poison event in the dead-letter stream',
      30_000,
    );
    await consumer.waitUntilIdle(30_000);

    expect(record).toMatchObject({
      consumer: durable,
      kind: 'handler',
      deliveryCount: 3,
      streamSequence: 1,
      subject: subjectOf(namespace, ReportAcceptedV1),
    });
    expect(record.error).toContain('poison for the test');
    expect(JSON.parse(record.event)).toEqual(poison);
    expect(await deadLetters(link, namespace)).toHaveLength(1);

    const state = await probeState(ds);
    expect(state.applied).toBe(100);
    expect(state.distinctApplied).toBe(100);
    expect(state.figures.find((f) => f.org_unit_code === 'POISON')).toBeUndefined();

    // Metrics: consumed, failed, dead-lettered, redelivered, lag in messages and seconds.
    expect(await metric('bz_events_consumed_total', durable, { type: ReportAcceptedV1.type })).toBe(100);
    expect(await metric('bz_events_failed_total', durable)).toBe(3);
    expect(await metric('bz_events_dead_lettered_total', durable, { reason: 'handler' })).toBe(1);
    expect(await metric('bz_events_redelivered_total', durable)).toBeGreaterThanOrEqual(2);
    expect(await metric('bz_consumer_lag_messages', durable)).toBe(0);
    expect(await metric('bz_consumer_lag_seconds', durable)).toBe(0);
    const text = await register.metrics();
    for (const name of [
      'bz_events_consumed_total',
      'bz_events_failed_total',
      'bz_events_dead_lettered_total',
      'bz_events_redelivered_total',
      'bz_consumer_lag_messages',
      'bz_consumer_lag_seconds',
    ]) {
      expect(text).toContain(`${name}{consumer="${durable}"`);
    }
  }, 60_000);

  it('gives a batch handler the fresh events of each batch at once, and falls back to one event at a time on failure', async () => {
    const single = probeHandlers({ poison: (e) => e.key === 'POISON' }).get(ReportAcceptedV1.type)!;
    const calls: string[][] = [];
    const { namespace, ds, consumer } = await setUp('batch', {
      handlers: new Map(),
      batchHandler: {
        types: new Set([ReportAcceptedV1.type]),
        apply: async (events, manager) => {
          calls.push(events.map((e) => e.id));
          for (const e of events) await single(e, manager);
        },
      },
      batchSize: 50,
      maxDeliver: 2,
      backoffMs: [50],
    });
    const events = Array.from({ length: 120 }, (_, i) => probeReport(i + 1));
    const poison = probeReport(0, { orgUnitCode: 'POISON' });
    const published = [...events.slice(0, 60), poison, ...events.slice(60)];
    for (const e of published) await publishEnvelope(link, namespace, e);
    // The same event again under another message id: the inbox keeps it from the handler.
    await jetstream(await link.whenConnected()).publish(subjectOf(namespace, ReportAcceptedV1), JSON.stringify(events[3]), {
      msgID: 'again-4',
    });
    await consumer.start();
    await waitFor(async () => ((await deadLetters(link, namespace)).length > 0 ? true : null), 'the poison event dead-lettered', 30_000);
    await consumer.waitUntilIdle(30_000);

    const state = await probeState(ds);
    expect(state.applied).toBe(120);
    expect(state.distinctApplied).toBe(120);
    // Whole batches reached the handler (not one call per event); every event, the poison one included.
    expect(calls.some((c) => c.length > 1)).toBe(true);
    expect(new Set(calls.flat())).toEqual(new Set(published.map((e) => e.id)));
    // The batch with the poison event was retried one event at a time.
    expect(calls.filter((c) => c.length === 1 && c[0] === poison.id).length).toBeGreaterThanOrEqual(2);
    expect(await metric('bz_events_consumed_total', consumer.durable, { type: ReportAcceptedV1.type })).toBe(120);
    expect(await metric('bz_events_dead_lettered_total', consumer.durable, { reason: 'handler' })).toBe(1);
  }, 60_000);

  it('dead-letters at once an event whose payload breaks its contract, naming the field, and applies nothing of it', async () => {
    const { namespace, ds, consumer } = await setUp('contract');
    const durable = consumer.durable;
    const bad = probeReport(1, { orgUnitCode: 'BAD', installed: -1 });
    await publishEnvelope(link, namespace, bad);
    // Not even JSON, on a subject of the catalog.
    await jetstream(await link.whenConnected()).publish(subjectOf(namespace, ReportAcceptedV1), 'not json at all', { msgID: 'garbage-1' });
    const good = probeReport(2, { orgUnitCode: 'GOOD' });
    await publishEnvelope(link, namespace, good);
    await consumer.start();

    const records = await waitFor(
      async () => {
        const dl = await deadLetters(link, namespace);
        return dl.length >= 2 ? dl : null;
      },
      'two dead letters',
      30_000,
    );
    await consumer.waitUntilIdle(30_000);

    const invalid = records.find((r) => r.streamSequence === 1)!;
    expect(invalid).toMatchObject({ consumer: durable, kind: 'invalid', deliveryCount: 1 });
    expect(invalid.error).toMatch(/data\.installed must not be less than 0/);
    expect(JSON.parse(invalid.event)).toEqual(bad);
    expect(records.find((r) => r.streamSequence === 2)).toMatchObject({ kind: 'invalid', error: expect.stringContaining('not JSON') });

    const state = await probeState(ds);
    expect(state.applied).toBe(1);
    expect(state.figures.map((f) => f.org_unit_code)).toEqual(['GOOD']);
    expect(await metric('bz_events_dead_lettered_total', durable, { reason: 'invalid' })).toBe(2);
    // Not in the inbox either: a corrected re-publish of the same event id would still be applied.
    const inbox: Array<{ event_id: string }> = await ds.query(`SELECT event_id FROM inbox`);
    expect(inbox.map((r) => r.event_id)).toEqual([good.id]);
  }, 60_000);

  it('stops gracefully: the batch in hand is finished and the rest is handed back to the next start', async () => {
    // A slow handler (10 ms an event), so that the stop comes while most events are still to apply.
    const ackWaitMs = 20_000;
    const { namespace, ds, consumer } = await setUp('drain', {
      batchSize: 10,
      ackWaitMs,
      probe: { beforeApply: () => new Promise((r) => setTimeout(r, 10)) },
    });
    for (let i = 0; i < 200; i++) await publishEnvelope(link, namespace, probeReport(i));
    await consumer.start();
    await waitFor(async () => (await probeState(ds)).applied > 0, 'the first batch', 30_000);
    await consumer.stop();
    const afterStop = (await probeState(ds)).applied;
    expect(afterStop).toBeLessThan(200);
    expect((await probeState(ds)).applied).toBe(afterStop);

    const again = new EventConsumer({
      link,
      dataSource: ds,
      namespace,
      durable: consumer.durable,
      handlers: probeHandlers(),
      batchSize: 50,
      ackWaitMs,
    });
    consumers.push(again);
    await again.start();
    // Well inside the ack_wait: what the first consumer had pulled and not applied (its buffer, up to twenty
    // events, and more in the client) was handed back (nak'ed) at stop, not left to time out. Only an event on
    // the wire at the very moment of the stop can miss it (the client drops it with the subscription, and the
    // server holds it for the ack_wait, as after a crash: README), so all but a few are back within half of it.
    await waitFor(async () => (await probeState(ds)).applied >= 195, "the nak'ed events applied", ackWaitMs / 2);
    await again.waitUntilIdle(ackWaitMs * 2);
    const state = await probeState(ds);
    expect(state.applied).toBe(200);
    expect(state.distinctApplied).toBe(200);
  }, 90_000);

  it('does not dead-letter an event whose connection was ended under it, though the database answers again at once', async () => {
    // After a PostgreSQL restart the pool's old connections fail once more ("Connection terminated", 57P01)
    // while a fresh connection already answers: that failure is the restart's, not the event's.
    let failures = 0;
    const { namespace, ds, consumer } = await setUp('terminated', {
      maxDeliver: 2,
      backoffMs: [50, 100],
      probe: {
        beforeApply: async () => {
          if (failures >= 5) return;
          failures += 1;
          throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
        },
      },
    });
    await publishEnvelope(link, namespace, probeReport(1, { orgUnitCode: 'ENDED' }));
    await consumer.start();
    await waitFor(async () => (await probeState(ds)).applied === 1, 'the event applied after its connection failures', 30_000, 100);
    await consumer.waitUntilIdle(30_000);
    expect(failures).toBe(5);
    expect(await metric('bz_events_failed_total', consumer.durable)).toBe(5);
    expect(await deadLetters(link, namespace)).toEqual([]);
    expect((await probeState(ds)).figures).toEqual([expect.objectContaining({ org_unit_code: 'ENDED', event_count: 1 })]);
  }, 60_000);

  it('does not dead-letter events while its database is unreachable, and applies them once it answers', async () => {
    // An outage of this test's own database only: no new connections, the open ones ended.
    const dbName = new URL(dbUrl).pathname.slice(1);
    const admin = new DataSource({ type: 'postgres', url: adminDatabaseUrl(), poolSize: 1 });
    await admin.initialize();
    sources.push(admin);
    const setAvailable = async (on: boolean) => {
      await admin.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS ${on}`);
      if (!on) await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [dbName]);
    };
    const { namespace, ds, consumer } = await setUp('dbdown', { maxDeliver: 2, backoffMs: [100, 300] });
    const durable = consumer.durable;
    const e = probeReport(1, { orgUnitCode: 'WAITED' });
    await publishEnvelope(link, namespace, e);
    await setAvailable(false);
    try {
      await consumer.start();
      // Well past maxDeliver failures, and still nothing dead-lettered.
      await waitFor(
        async () => (await metric('bz_events_failed_total', durable)) >= 4,
        'repeated failures while the database is away',
        30_000,
        100,
      );
      expect(await deadLetters(link, namespace)).toEqual([]);
    } finally {
      await setAvailable(true);
    }
    // Generous: under two test files on two cores the first connections after the outage are slow to come.
    await waitFor(async () => (await probeState(ds)).applied === 1, 'the event applied once the database answers', 60_000, 200);
    await consumer.waitUntilIdle(30_000);
    expect(await deadLetters(link, namespace)).toEqual([]);
    expect((await probeState(ds)).figures).toEqual([expect.objectContaining({ org_unit_code: 'WAITED', event_count: 1 })]);
  }, 150_000);
});
