/**
 * Throughput of the event backbone on this machine, next to the raw JetStream publish rate:
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/backbone.js
 * Env: DATABASE_URL (an admin URL; a throwaway database is made and dropped), NATS_URL, BENCH_EVENTS (default 20000).
 * Numbers, not assertions: timing goals live here, never in tests.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type DataSource } from 'typeorm';
import { subjectOf } from '@app/contracts';
import { EventConsumer, EventPublisher, streamNames, type EventHandlerFn, type NatsLink } from '@app/messaging';
import { enqueueEvents, OutboxRelay } from '@app/persistence';
import { createScratchDatabase, dropScratchDatabase } from '../tools/processes/scratch';
import { openLink, openProbeDataSource, probeHandlers, probeReport, setUpStreams } from '@test/support/messaging/probe-consumer';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const N = Number(process.env.BENCH_EVENTS ?? 20_000);

interface Row {
  scenario: string;
  events: number;
  seconds: number;
}
const rows: Row[] = [];

async function timed(scenario: string, events: number, fn: () => Promise<void>): Promise<void> {
  const t0 = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push({ scenario, events, seconds });
  process.stderr.write(`  ${scenario}: ${Math.round(events / seconds)} events/s\n`);
}

/** Raw JetStream: publish with ack, `window` acks outstanding at a time (1 = one after the other). */
async function rawPublish(link: NatsLink, namespace: string, count: number, window: number): Promise<void> {
  const js = jetstream(await link.whenConnected(), { timeout: 30_000 });
  const body = JSON.stringify(probeReport(0));
  const subject = `${namespace}.bench.raw.v1`;
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < count; i++) {
    const p = js.publish(subject, body, { msgID: `raw-${window}-${i}` }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

async function main(): Promise<void> {
  const tag = randomBytes(3).toString('hex');
  const dbUrl = await createScratchDatabase(ADMIN_URL, 'bzbench', tag);
  const namespace = `bench${tag}`;
  const link = await openLink(NATS_URL, 'backbone-bench');
  const sources: DataSource[] = [];
  try {
    await setUpStreams(link, namespace);
    process.stderr.write(`backbone bench: ${N} events, namespace ${namespace}, database ${new URL(dbUrl).pathname.slice(1)}\n`);

    const rawSequential = Math.min(N, 2000);
    await timed('raw JetStream publish+ack, one at a time', rawSequential, () => rawPublish(link, namespace, rawSequential, 1));
    await timed('raw JetStream publish+ack, pipelined (1000 in flight)', N, () => rawPublish(link, namespace, N, 1000));

    // Outbox relay: N committed rows (transactions of 500), then the relay publishes them (pipelined batches).
    const producer = await openProbeDataSource(dbUrl, 'bench_producer');
    sources.push(producer);
    const events = Array.from({ length: N }, (_, i) => probeReport(i));
    await timed('outbox write (transactions of 500 events)', N, async () => {
      for (let i = 0; i < N; i += 500) await producer.transaction((m) => enqueueEvents(m, namespace, events.slice(i, i + 500)));
    });
    const publisher = new EventPublisher(link, 30_000);
    const relay = new OutboxRelay({
      dataSource: producer,
      url: dbUrl,
      schema: 'bench_producer',
      publish: (s, e, subjectSeq) => publisher.publishSerialized(s, e, { subjectSeq }),
    });
    await timed('outbox relay -> JetStream (batches of 500, marked after ack)', N, async () => {
      await relay.drain();
    });

    // Batch consumers over the N report events, each a fresh durable into its own schema.
    const consume = async (label: string, batchSize: number, handlers: ReadonlyMap<string, EventHandlerFn>) => {
      const ds = await openProbeDataSource(dbUrl, `bench_${label}_${batchSize}`);
      sources.push(ds);
      const consumer = new EventConsumer({
        link,
        dataSource: ds,
        namespace,
        durable: `bench-${label}-${batchSize}`,
        // Only the report events (not the raw publishes above).
        filterSubject: subjectOf(namespace, events[0]),
        handlers,
        batchSize,
      });
      await timed(`EventConsumer, ${label} handler, batch ${batchSize} (validate + inbox + 1 tx/batch)`, N, async () => {
        await consumer.start();
        await consumer.waitUntilIdle(30 * 60_000);
      });
      await consumer.stop();
    };
    const noop = new Map<string, EventHandlerFn>([[events[0].type, async () => undefined]]);
    await consume('noop', 256, noop);
    await consume('probe', 256, probeHandlers());
    await consume('probe', 32, probeHandlers());
  } finally {
    for (const ds of sources) await ds.destroy().catch(() => undefined);
    const jsm = await jetstreamManager(await link.whenConnected());
    for (const s of [streamNames(namespace).events, streamNames(namespace).deadLetters]) await jsm.streams.delete(s).catch(() => false);
    await link.close();
    await dropScratchDatabase(ADMIN_URL, dbUrl).catch(() => undefined);
  }

  const w = Math.max(...rows.map((r) => r.scenario.length));
  const line = `${'scenario'.padEnd(w)} | ${'events'.padStart(7)} | ${'seconds'.padStart(8)} | ${'events/s'.padStart(9)}`;
  console.log(`\n${line}\n${'-'.repeat(line.length)}`);
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(w)} | ${String(r.events).padStart(7)} | ${r.seconds.toFixed(2).padStart(8)} | ${String(Math.round(r.events / r.seconds)).padStart(9)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
