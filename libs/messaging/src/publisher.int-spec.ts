import { jetstream } from '@nats-io/jetstream';
import { subjectOf } from '@app/contracts';
import { dropNamespace, freshNamespace, natsUrl } from '@test/support/int-env';
import { openLink, probeReport, setUpStreams } from '@test/support/messaging/probe-consumer';
import type { NatsLink } from './nats-link';
import { CORRELATION_HEADER, EventPublisher, SUBJECT_SEQ_HEADER } from './publisher';
import { streamNames } from './stream';

/** EventPublisher's acks, matched on one reply subscription per connection, on the real NATS JetStream. */
describe('EventPublisher on the real NATS JetStream', () => {
  let link: NatsLink;
  const namespace = freshNamespace('publisher');

  beforeAll(async () => {
    link = await openLink(natsUrl(), 'publisher-int');
    await setUpStreams(link, namespace);
  });
  afterAll(async () => {
    await link?.close();
    await dropNamespace(namespace).catch(() => undefined);
  });

  it('resolves each publish on its own ack, in order, with the headers; a second copy under the same id is dropped', async () => {
    const publisher = new EventPublisher(link);
    const events = Array.from({ length: 200 }, (_, i) => probeReport(i));
    await Promise.all(events.map((e, i) => publisher.publish(subjectOf(namespace, e), e, { subjectSeq: i + 1 })));
    await publisher.publish(subjectOf(namespace, events[7]), events[7], { subjectSeq: 8 });
    const jsm = await jetstream(await link.whenConnected()).jetstreamManager();
    const stream = streamNames(namespace).events;
    expect((await jsm.streams.info(stream)).state.messages).toBe(200);
    const m = await jsm.streams.getMessage(stream, { seq: 8 });
    expect(m?.header?.get('Nats-Msg-Id')).toBe(events[7].id);
    expect(m?.header?.get(SUBJECT_SEQ_HEADER)).toBe('8');
    expect(m?.header?.get(CORRELATION_HEADER)).toBe(events[7].correlationId);
    expect(m?.json<{ id: string }>().id).toBe(events[7].id);
  });

  it('rejects at once when no stream takes the subject, and after its timeout when no ack comes', async () => {
    const publisher = new EventPublisher(link, 3000);
    const event = probeReport(1);
    const started = Date.now();
    await expect(publisher.publish(`${namespace}_nostream.x`, event)).rejects.toThrow('503');
    expect(Date.now() - started).toBeLessThan(3000);
    // A subscriber that never answers stands where the stream would.
    const nc = await link.whenConnected();
    const silent = nc.subscribe(`${namespace}_silent.x`);
    try {
      await expect(publisher.publish(`${namespace}_silent.x`, event)).rejects.toThrow('timed out');
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    } finally {
      silent.unsubscribe();
    }
  });
});
