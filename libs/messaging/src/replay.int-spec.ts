import type { DataSource } from 'typeorm';
import { jetstream } from '@nats-io/jetstream';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, waitFor } from '@test/support/int-env';
import { EventConsumer } from './event-consumer';
import type { NatsLink } from './nats-link';
import { replayInto } from './replay';
import { streamNames } from './stream';
import {
  openLink,
  openProbeDataSource,
  probeHandlers,
  probeReport,
  probeState,
  publishEnvelope,
  setUpStreams,
} from '@test/support/messaging/probe-consumer';

describe('replayInto: rebuilding a consumer from sequence 1 of the real stream', () => {
  let dbUrl: string;
  let link: NatsLink;
  let namespace: string;
  const sources: DataSource[] = [];
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    dbUrl = await freshDatabase('replay');
    link = await openLink(natsUrl(), 'replay-int');
    namespace = freshNamespace('replay');
    await setUpStreams(link, namespace);
  });
  afterAll(async () => {
    for (const c of consumers) await c.stop();
    for (const ds of sources) await ds.destroy().catch(() => undefined);
    await link?.close();
    await dropNamespace(namespace).catch(() => undefined);
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  }, 60_000);

  async function schema(name: string): Promise<DataSource> {
    const ds = await openProbeDataSource(dbUrl, name);
    sources.push(ds);
    return ds;
  }

  /** Reports for 97 units with dates and revisions out of order, re-published copies and one broken payload. */
  async function publishHistory(from: number, count: number): Promise<void> {
    for (let i = from; i < from + count; i++) {
      const e = probeReport((i * 37) % 1000);
      await publishEnvelope(link, namespace, e);
      if (i % 25 === 0) await publishEnvelope(link, namespace, e, `${e.id}:again`);
      if (i % 150 === 0) await publishEnvelope(link, namespace, probeReport(i, { installed: -1 }));
    }
  }

  it('a rebuild into fresh tables, and a rebuild in place, equal the state built live', async () => {
    const live = await schema('live');
    const liveConsumer = new EventConsumer({
      link,
      dataSource: live,
      namespace,
      durable: 'probe-live',
      handlers: probeHandlers(),
      batchSize: 16,
    });
    consumers.push(liveConsumer);
    await liveConsumer.start();
    // Built live: events arrive while the consumer runs, in small batches.
    await publishHistory(0, 400);
    await liveConsumer.waitUntilIdle(45_000);
    const liveState = await probeState(live);
    expect(liveState.applied).toBe(400);
    expect(liveState.figures.length).toBeGreaterThan(50);

    // Beside the live consumer: a fresh durable into a fresh schema.
    const rebuilt = await schema('rebuilt');
    const result = await replayInto({
      link,
      dataSource: rebuilt,
      namespace,
      durable: 'probe-rebuild',
      handlers: probeHandlers(),
      batchSize: 200,
      timeoutMs: 45_000,
    });
    const jsm = await jetstream(await link.whenConnected()).jetstreamManager();
    expect(result.lastSequence).toBe((await jsm.streams.info(streamNames(namespace).events)).state.last_seq);
    expect(await probeState(rebuilt)).toEqual(liveState);
    // The rebuild's durable is gone; the live one is untouched.
    await expect(jsm.consumers.info(streamNames(namespace).events, 'probe-rebuild')).rejects.toThrow(/not found/);
    expect((await jsm.consumers.info(streamNames(namespace).events, 'probe-live')).num_pending).toBe(0);

    // In place: stop the live consumer, empty its tables, replay under its own durable, keep the durable.
    await liveConsumer.stop();
    await live.query(`TRUNCATE probe_applied, probe_figures`);
    await replayInto({
      link,
      dataSource: live,
      namespace,
      durable: 'probe-live',
      handlers: probeHandlers(),
      keepDurable: true,
      timeoutMs: 45_000,
    });
    expect(await probeState(live)).toEqual(liveState);

    // The kept durable goes on live from where the replay ended: only the new events are applied.
    const resumed = new EventConsumer({ link, dataSource: live, namespace, durable: 'probe-live', handlers: probeHandlers() });
    consumers.push(resumed);
    await resumed.start();
    await publishHistory(400, 20);
    await waitFor(async () => (await probeState(live)).applied === 420, 'the 20 new events', 30_000);
    await resumed.waitUntilIdle(30_000);
    expect((await probeState(live)).applied).toBe(420);
  }, 120_000);
});
