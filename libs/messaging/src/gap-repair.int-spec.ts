import { jetstream } from '@nats-io/jetstream';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ActivityRecordedV1, ReportAcceptedV1, subjectOf, type EventEnvelope } from '@app/contracts';
import { enqueueEvents, makeEvent } from '@app/persistence';
import { waitFor } from '@test/support/int-env';
import { useProbePairs } from '@test/support/probe-pairs';
import { EventConsumer } from './event-consumer';
import { SUBJECT_SEQ_HEADER } from './publisher';
import { repairSubjectOf, RepublishResponder } from './republish';
import { streamNames } from './stream';
import {
  deadLetters,
  openProbeDataSource,
  probeHandlers,
  probeReport,
  probeState,
  readStream,
  type ProbePair,
} from '@test/support/messaging/probe-consumer';

/** The value of a metric summed over the series whose labels match. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = register.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);
}

/** An `intake.activity.recorded` event: another subject of the same producer, which the probe consumer does not read. */
function activity(i: number): EventEnvelope {
  return makeEvent(ActivityRecordedV1, 'intake', `U${i}`, { activityId: `a${i}` } as never);
}

/**
 * The Jepsen fault (NATS 2.10 under lazy fsync): the stream acknowledges an event and later loses it. Here the
 * loss is made by deleting acknowledged messages with the JetStream admin API (delete-msg), in the middle of a
 * subject and at its tail, before the consumer reads them.
 */
describe('Loss by the broker is detected and repaired (real NATS JetStream and PostgreSQL)', () => {
  const probes = useProbePairs('gaprepair');
  const responders: RepublishResponder[] = [];
  const extra: Array<{ stop(): Promise<void> } | DataSource> = [];
  afterAll(async () => {
    for (const r of responders) await r.stop();
    for (const x of extra) {
      if ('destroy' in x) await x.destroy().catch(() => undefined);
      else await x.stop();
    }
  });

  async function setUp(label: string, logs: string[], gapCheckMs = 300): Promise<ProbePair & { responder: RepublishResponder }> {
    const pair = await probes.setUp(label, {
      gapCheckMs,
      log: (level, message) => logs.push(`${level}: ${message}`),
    });
    const responder = new RepublishResponder({
      link: probes.link,
      dataSource: pair.producer,
      namespace: pair.namespace,
      producerPrefix: 'intake',
      service: `probe-${label}`,
      publish: (subject, envelope, subjectSeq, requestId) =>
        probes.publisher.publish(subject, envelope, { subjectSeq, republishOf: requestId }),
      log: (level, message) => logs.push(`${level}: ${message}`),
    });
    responders.push(responder);
    await responder.start();
    return { ...pair, responder };
  }

  /** Deletes these stream messages (acknowledged, then "lost"). */
  async function lose(namespace: string, seqs: number[]): Promise<void> {
    const jsm = await jetstream(await probes.link.whenConnected()).jetstreamManager();
    for (const seq of seqs) expect(await jsm.streams.deleteMessage(streamNames(namespace).events, seq)).toBe(true);
  }

  it('gives each subject of a producer gap-free numbers from 1, whatever rolled back, across two relays', async () => {
    const pair = await setUp('numbers', [], 0);
    await pair.commit([probeReport(1), probeReport(2)]);
    // A transaction that rolls back leaves a hole in the outbox's bigserial, not in the numbers.
    await expect(
      pair.producer.transaction(async (m) => {
        await enqueueEvents(m, pair.namespace, [probeReport(3)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const a = pair.relay();
    const b = pair.relay();
    await a.start();
    await b.start();
    await Promise.all(
      Array.from({ length: 6 }, (_, w) =>
        pair.commit(Array.from({ length: 20 }, (_, k) => (k % 4 === 0 ? activity(w * 100 + k) : probeReport(w * 100 + k)))),
      ),
    );
    await waitFor(async () => (await a.pendingCount()) === 0, 'both relays to publish everything', 30_000, 100);
    const rows: Array<{ subject: string; n: string; lo: string; hi: string }> = await pair.producer.query(
      `SELECT subject, count(*) AS n, min(subject_seq) AS lo, max(subject_seq) AS hi FROM outbox GROUP BY subject ORDER BY subject`,
    );
    expect(rows.map((r) => [r.subject, Number(r.n), Number(r.lo), Number(r.hi)])).toEqual([
      [subjectOf(pair.namespace, ActivityRecordedV1), 30, 1, 30],
      [subjectOf(pair.namespace, ReportAcceptedV1), 92, 1, 92],
    ]);
    // Each event went out carrying its number.
    const stream = await readStream(probes.link, streamNames(pair.namespace).events);
    expect(stream).toHaveLength(122);
    const jsm = await jetstream(await probes.link.whenConnected()).jetstreamManager();
    const first = await jsm.streams.getMessage(streamNames(pair.namespace).events, { seq: stream[0].seq });
    expect(Number(first?.header?.get(SUBJECT_SEQ_HEADER))).toBeGreaterThan(0);
  }, 60_000);

  it('finds events lost in the middle and at the tail, has them re-published, and the read model converges to the right figures', async () => {
    const logs: string[] = [];
    const pair = await setUp('lost', logs);
    // A control consumer in a schema of its own reads the stream before anything is lost: the right figures.
    const controlDs = await openProbeDataSource((pair.producer.options as { url: string }).url, 'lost_control');
    extra.push(controlDs);
    const control = new EventConsumer({
      link: probes.link,
      dataSource: controlDs,
      namespace: pair.namespace,
      durable: 'probe-lost-control',
      handlers: probeHandlers(),
    });
    extra.push(control);

    const reports = Array.from({ length: 60 }, (_, i) => probeReport(i));
    const others = Array.from({ length: 10 }, (_, i) => activity(i));
    for (let i = 0; i < 60; i += 15) await pair.commit([...reports.slice(i, i + 15), ...others.slice(i / 6, i / 6 + 2)]);
    const relay = pair.relay();
    await relay.drain();
    await control.start();
    await waitFor(async () => (await probeState(controlDs)).applied === 60, 'the control consumer to apply 60 reports', 30_000, 100);
    await control.waitUntilIdle();

    // Lose acknowledged events: reports 10..12 and 31 (middle), the last two reports (tail), and an activity
    // (a subject the consumer does not read: not a gap for it).
    const stream = await readStream(probes.link, streamNames(pair.namespace).events);
    const seqOf = (e: EventEnvelope) => stream.find((m) => m.msgId === e.id)!.seq;
    const lost = [reports[10], reports[11], reports[12], reports[31], reports[58], reports[59]];
    await lose(pair.namespace, [...lost.map(seqOf), seqOf(others[3])]);

    await pair.consumer.start();
    await waitFor(
      async () => (await probeState(pair.consumerDs)).distinctApplied === 60,
      'the consumer to get every report back',
      60_000,
      100,
    );
    await pair.consumer.waitUntilIdle();

    const state = await probeState(pair.consumerDs);
    expect(state.applied).toBe(60); // each once
    expect(state.figures).toEqual((await probeState(controlDs)).figures);
    const consumer = pair.consumer.durable;
    // Three gaps (10..12, 31, 58..59), each counted and logged once; six events missing and re-published.
    expect(await metric('bz_events_gaps_total', { consumer })).toBe(3);
    expect(await metric('bz_events_missing_total', { consumer })).toBe(6);
    expect(await metric('bz_events_republished_total', { service: 'probe-lost' })).toBe(6);
    expect(await metric('bz_events_unrecoverable_total', { consumer })).toBe(0);
    const found = logs.filter((l) => l.includes('gap found'));
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toMatch(/numbered 59\.\.60/);
    expect(logs.filter((l) => l.includes('re-published'))).toHaveLength(3);
    expect(await deadLetters(probes.link, pair.namespace)).toEqual([]);
    // Settled: the next checks (by hand now) find nothing more.
    const check = pair.consumer.gapCheck;
    await check.stop();
    await check.tick();
    expect(await check.tick()).toEqual([]);
    expect(await metric('bz_events_gaps_total', { consumer })).toBe(3);

    // Complete up to the producer's mark, the inbox rows below it are pruned (the claims read the pruned mark instead).
    const reportSubject = subjectOf(pair.namespace, ReportAcceptedV1);
    const [{ complete, pruned }] = await pair.consumerDs.query(
      `SELECT complete::int, pruned_through::int AS pruned FROM inbox_watermark WHERE consumer = $1 AND subject = $2`,
      [consumer, reportSubject],
    );
    expect(complete).toBe(60);
    expect(pruned).toBe(60);
    expect(
      await pair.consumerDs.query(`SELECT count(*)::int AS n FROM inbox WHERE consumer = $1 AND subject = $2`, [consumer, reportSubject]),
    ).toEqual([{ n: 0 }]);
    expect(await metric('bz_inbox_pruned_total', { consumer })).toBe(60);
    // Every report published again (a producer asked to re-publish them all): each is refused, none applied twice.
    const duplicatesBefore = await metric('bz_events_duplicate_total', { consumer });
    const nc = await probes.link.whenConnected();
    const reply = await nc.request(
      repairSubjectOf(pair.namespace, 'intake'),
      JSON.stringify({ op: 'republish', subject: reportSubject, from: 1, to: 60, consumer }),
      { timeout: 10_000 },
    );
    expect(JSON.parse(reply.string())).toMatchObject({ ok: true, republished: 60 });
    await waitFor(
      async () => (await metric('bz_events_duplicate_total', { consumer })) - duplicatesBefore === 60,
      'the re-published copies to be refused',
      30_000,
      100,
    );
    expect((await probeState(pair.consumerDs)).applied).toBe(60);
    expect((await probeState(pair.consumerDs)).figures).toEqual((await probeState(controlDs)).figures);
  }, 120_000);

  it('sends a re-published event that breaks its contract to the dead-letter stream, and does not ask for it again', async () => {
    const logs: string[] = [];
    const pair = await setUp('poison', logs, 0);
    const broken = probeReport(1, { installed: -5 });
    const good = probeReport(2);
    await pair.commit([broken, good]);
    await pair.relay().drain();
    const stream = await readStream(probes.link, streamNames(pair.namespace).events);
    await lose(pair.namespace, [stream.find((m) => m.msgId === broken.id)!.seq]);
    await pair.consumer.start();
    await pair.consumer.waitUntilIdle();
    const check = pair.consumer.gapCheck;
    expect(await check.tick()).toBeNull(); // snapshot
    expect(await check.tick()).toEqual([expect.objectContaining({ from: 1, to: 1, republished: 1, gone: 0 })]);
    await waitFor(async () => (await deadLetters(probes.link, pair.namespace)).length === 1, 'the re-published copy to be dead-lettered');
    await pair.consumer.waitUntilIdle();
    expect(await check.tick()).toEqual([]);
    const [record] = await deadLetters(probes.link, pair.namespace);
    expect(JSON.parse(record.event).id).toBe(broken.id);
    expect(record.kind).toBe('invalid');
    expect(await metric('bz_events_gaps_total', { consumer: pair.consumer.durable })).toBe(1);
  }, 60_000);

  it('reports an event lost beyond the outbox retention as lost for good, once, and stops asking', async () => {
    const logs: string[] = [];
    const pair = await setUp('gone', logs, 0);
    const events = Array.from({ length: 5 }, (_, i) => probeReport(i));
    await pair.commit(events);
    await pair.relay().drain();
    const stream = await readStream(probes.link, streamNames(pair.namespace).events);
    await lose(pair.namespace, [stream.find((m) => m.msgId === events[2].id)!.seq]);
    // Pruned from the outbox as if older than OUTBOX_RETAIN_HOURS.
    await pair.producer.query(`DELETE FROM outbox WHERE event_id = $1`, [events[2].id]);
    await pair.consumer.start();
    await pair.consumer.waitUntilIdle();
    const check = pair.consumer.gapCheck;
    await check.tick();
    expect(await check.tick()).toEqual([expect.objectContaining({ from: 3, to: 3, republished: 0, gone: 1 })]);
    expect(await metric('bz_events_unrecoverable_total', { consumer: pair.consumer.durable })).toBe(1);
    expect(logs.some((l) => l.startsWith('error:') && l.includes('lost for good'))).toBe(true);
    await check.tick();
    expect(await check.tick()).toEqual([]);
    expect((await probeState(pair.consumerDs)).distinctApplied).toBe(4);
  }, 60_000);
});
