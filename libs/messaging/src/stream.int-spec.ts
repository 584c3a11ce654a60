import { jetstream, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { dropNamespace, freshNamespace, natsUrl } from '@test/support/int-env';
import type { NatsLink } from './nats-link';
import { ensureStreams, streamNames } from './stream';
import { openLink } from '@test/support/messaging/probe-consumer';

describe('ensureStreams on the real NATS JetStream', () => {
  let link: NatsLink;
  let jsm: JetStreamManager;
  const namespaces: string[] = [];
  const fresh = (label: string) => {
    const ns = freshNamespace(label);
    namespaces.push(ns);
    return ns;
  };

  beforeAll(async () => {
    link = await openLink(natsUrl(), 'stream-int');
    jsm = await jetstream(await link.whenConnected()).jetstreamManager();
  });
  afterAll(async () => {
    await link?.close();
    for (const ns of namespaces) await dropNamespace(ns).catch(() => undefined);
  });

  it('creates the event and dead-letter streams as designed, and is idempotent, also when services race at boot', async () => {
    const namespace = fresh('streams');
    const names = streamNames(namespace);
    // Several services booting at once.
    const results = await Promise.all([1, 2, 3].map(() => ensureStreams(jsm, { namespace, duplicateWindowMs: 60_000 })));
    expect(results).toEqual([[], [], []]);
    expect(await ensureStreams(jsm, { namespace, duplicateWindowMs: 60_000 })).toEqual([]);

    const events = (await jsm.streams.info(names.events)).config;
    expect(events).toMatchObject({
      subjects: [`${namespace}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: 0,
      max_msgs: -1,
      duplicate_window: nanos(60_000),
    });
    const dlq = (await jsm.streams.info(names.deadLetters)).config;
    expect(dlq).toMatchObject({ subjects: [`${namespace}_dlq.>`], storage: StorageType.File });
  });

  it('reports a mismatched existing stream and leaves it as it is', async () => {
    const namespace = fresh('mismatch');
    const names = streamNames(namespace);
    // Someone made the events stream by hand, in memory, with a short duplicate window and an age limit.
    await jsm.streams.add({
      name: names.events,
      subjects: [`${namespace}.>`],
      storage: StorageType.Memory,
      duplicate_window: nanos(10_000),
      max_age: nanos(3_600_000),
    });
    const mismatches = await ensureStreams(jsm, { namespace, duplicateWindowMs: 60_000 });
    expect(mismatches).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^stream ${names.events}: storage is "memory", expected "file"`)),
        expect.stringMatching(new RegExp(`^stream ${names.events}: duplicate_window is 10000000000, expected 60000000000`)),
        expect.stringMatching(new RegExp(`^stream ${names.events}: max_age is 3600000000000, expected 0`)),
      ]),
    );
    expect(mismatches).toHaveLength(3);
    const after = (await jsm.streams.info(names.events)).config;
    expect(after).toMatchObject({ storage: StorageType.Memory, duplicate_window: nanos(10_000), max_age: nanos(3_600_000) });
    // The missing dead-letter stream was still created.
    expect((await jsm.streams.info(names.deadLetters)).config.storage).toBe(StorageType.File);
  });
});
