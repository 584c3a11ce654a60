import { jetstream } from '@nats-io/jetstream';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { ReportAcceptedV1, subjectOf, type EventEnvelope, type ReportAcceptedV1Data } from '@app/contracts';
import {
  createServiceDataSource,
  enqueueEvents,
  initializeAndMigrate,
  makeEvent,
  EVENT_TABLE_MIGRATIONS,
  OutboxRelay,
  type OutboxRelayOptions,
  type PublishFn,
} from '@app/persistence';
import {
  ensureStreams,
  EventConsumer,
  NatsLink,
  streamNames,
  type DeadLetterRecord,
  type EventConsumerOptions,
  type EventHandlerFn,
} from '@app/messaging';

/**
 * A tiny consumer for the backbone's integration tests and benchmark: its own tables, written
 * through the batch's manager like any real handler. `probe_applied` has no unique key on purpose,
 * so a second effect of the same event would show as a second row; `probe_figures` is a small
 * read model (latest report per unit and cohort wins by asOf, then revision) for replay comparisons.
 */
export class ProbeTables1764460900000 implements MigrationInterface {
  name = 'ProbeTables1764460900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE probe_applied (
        n          bigserial PRIMARY KEY,
        event_id   uuid NOT NULL,
        key        text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE probe_figures (
        org_unit_code text NOT NULL,
        cohort        text NOT NULL,
        as_of         date NOT NULL,
        revision      integer NOT NULL,
        installed     integer NOT NULL,
        event_count   integer NOT NULL,
        PRIMARY KEY (org_unit_code, cohort)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE probe_figures`);
    await q.query(`DROP TABLE probe_applied`);
  }
}

/** A data source on `schema` with the outbox, the inbox and the probe's tables. */
export async function openProbeDataSource(url: string, schema: string, poolSize = 10): Promise<DataSource> {
  const ds = createServiceDataSource({
    url,
    schema,
    migrations: [...EVENT_TABLE_MIGRATIONS, ProbeTables1764460900000],
    poolSize,
    applicationName: `probe-${schema}`,
  });
  await initializeAndMigrate(ds);
  return ds;
}

export interface ProbeHandlerOptions {
  /** Throws for these events (a poison message), every time they are delivered. */
  readonly poison?: (event: EventEnvelope<string, ReportAcceptedV1Data>) => boolean;
  /** Runs before the effect, inside the batch's transaction (to hold a delivery while a test provokes a redelivery). */
  readonly beforeApply?: (event: EventEnvelope<string, ReportAcceptedV1Data>) => Promise<void>;
}

/** The probe's handler for `intake.report.accepted`: records the effect and keeps the latest figure. */
export function probeHandlers(options: ProbeHandlerOptions = {}): Map<string, EventHandlerFn> {
  const onReport = async (event: EventEnvelope<string, ReportAcceptedV1Data>, manager: EntityManager): Promise<void> => {
    if (options.poison?.(event)) throw new Error(`probe refuses ${event.key}: poison for the test`);
    await options.beforeApply?.(event);
    const d = event.data;
    // One statement (a data-modifying CTE) per event: the probe should cost the consumer little.
    await manager.query(
      `WITH applied AS (INSERT INTO probe_applied (event_id, key) VALUES ($6, $7))
       INSERT INTO probe_figures AS f (org_unit_code, cohort, as_of, revision, installed, event_count)
       VALUES ($1, $2, $3, $4, $5, 1)
       ON CONFLICT (org_unit_code, cohort) DO UPDATE SET
         as_of     = CASE WHEN (EXCLUDED.as_of, EXCLUDED.revision) > (f.as_of, f.revision) THEN EXCLUDED.as_of ELSE f.as_of END,
         revision  = CASE WHEN (EXCLUDED.as_of, EXCLUDED.revision) > (f.as_of, f.revision) THEN EXCLUDED.revision ELSE f.revision END,
         installed = CASE WHEN (EXCLUDED.as_of, EXCLUDED.revision) > (f.as_of, f.revision) THEN EXCLUDED.installed ELSE f.installed END,
         event_count = f.event_count + 1`,
      [d.orgUnitCode, d.cohort, d.asOf, d.revision, d.installed, event.id, event.key],
    );
  };
  return new Map<string, EventHandlerFn>([[ReportAcceptedV1.type, onReport]]);
}

/** A valid `intake.report.accepted` envelope; `i` makes units, dates and revisions vary. */
export function probeReport(i: number, overrides: Partial<ReportAcceptedV1Data> = {}): EventEnvelope<string, ReportAcceptedV1Data> {
  const unit = `U${i % 97}`;
  const data: ReportAcceptedV1Data = {
    reportId: '00000000-0000-4000-8000-000000000000',
    orgUnitCode: unit,
    cohort: 'staff',
    asOf: `2020-05-${String(1 + (i % 28)).padStart(2, '0')}`,
    revision: 1 + (i % 3),
    submittedAt: new Date().toISOString(),
    headcount: 100 + i,
    smartphoneHolders: 80,
    installed: 50 + (i % 30),
    bluetoothOn: 40,
    ...overrides,
  };
  return makeEvent(ReportAcceptedV1, 'intake', data.orgUnitCode, data);
}

export interface ProbeState {
  applied: number;
  distinctApplied: number;
  figures: Array<Record<string, unknown>>;
}

export async function probeState(ds: DataSource): Promise<ProbeState> {
  const [counts]: Array<{ applied: string; distinct_applied: string }> = await ds.query(
    `SELECT count(*) AS applied, count(DISTINCT event_id) AS distinct_applied FROM probe_applied`,
  );
  const figures: Array<Record<string, unknown>> = await ds.query(
    `SELECT org_unit_code, cohort, to_char(as_of, 'YYYY-MM-DD') AS as_of, revision, installed, event_count
       FROM probe_figures ORDER BY org_unit_code, cohort`,
  );
  return { applied: Number(counts.applied), distinctApplied: Number(counts.distinct_applied), figures };
}

/** Every message of a stream, oldest first, read by sequence (the stream is small in tests). */
export async function readStream(
  link: NatsLink,
  stream: string,
): Promise<Array<{ seq: number; subject: string; msgId: string | undefined; body: string }>> {
  const jsm = await jetstream(await link.whenConnected()).jetstreamManager();
  const info = await jsm.streams.info(stream);
  const out: Array<{ seq: number; subject: string; msgId: string | undefined; body: string }> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!m) continue;
    out.push({ seq: m.seq, subject: m.subject, msgId: m.header?.get('Nats-Msg-Id') || undefined, body: m.string() });
  }
  return out;
}

/** Messages in a stream now. */
export async function streamCount(link: NatsLink, stream: string): Promise<number> {
  const jsm = await jetstream(await link.whenConnected()).jetstreamManager();
  return (await jsm.streams.info(stream)).state.messages;
}

/** The dead-letter records a consumer left, parsed. */
export async function deadLetters(link: NatsLink, namespace: string): Promise<DeadLetterRecord[]> {
  const msgs = await readStream(link, streamNames(namespace).deadLetters);
  return msgs.map((m) => JSON.parse(m.body) as DeadLetterRecord);
}

/** A link to NATS for a test, connected. */
export async function openLink(url: string, name = 'probe'): Promise<NatsLink> {
  const link = new NatsLink({ url, name });
  link.start();
  await link.whenConnected();
  return link;
}

/** Publishes an envelope straight to the stream, as a relay would, with the Nats-Msg-Id given (default: the event id). */
export async function publishEnvelope(
  link: NatsLink,
  namespace: string,
  envelope: EventEnvelope,
  msgID = envelope.id,
): Promise<{ seq: number; duplicate: boolean }> {
  const js = jetstream(await link.whenConnected());
  const ack = await js.publish(subjectOf(namespace, envelope), JSON.stringify(envelope), { msgID });
  return { seq: ack.seq, duplicate: ack.duplicate };
}

/** Sets up a namespace's streams, reporting any mismatch as an error (tests want a clean set-up). */
export async function setUpStreams(link: NatsLink, namespace: string): Promise<void> {
  const jsm = await jetstream(await link.whenConnected()).jetstreamManager();
  const mismatches = await ensureStreams(jsm, { namespace });
  if (mismatches.length) throw new Error(mismatches.join('; '));
}

export interface ProbePair {
  readonly namespace: string;
  /** The producing service's schema: an outbox and the probe's tables (its "state"). */
  readonly producer: DataSource;
  /** The consuming service's schema: an inbox and the probe's tables. */
  readonly consumerDs: DataSource;
  readonly consumer: EventConsumer;
  /** A relay on the producer's outbox (several may run at once). */
  relay(options?: Partial<OutboxRelayOptions>): OutboxRelay;
  /** Commits state (rows in probe_applied) and its events in one transaction, as a service does. */
  commit(events: readonly EventEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

/** A producer with an outbox and a consumer with the probe's tables on a fresh namespace, in one test database. */
export async function openProbePair(args: {
  dbUrl: string;
  link: NatsLink;
  namespace: string;
  label: string;
  publish: PublishFn;
  poolSize?: number;
  consumer?: Partial<EventConsumerOptions>;
}): Promise<ProbePair> {
  const { dbUrl, link, namespace, label } = args;
  await setUpStreams(link, namespace);
  const producerSchema = `${label}_producer`;
  const producer = await openProbeDataSource(dbUrl, producerSchema, args.poolSize);
  const consumerDs = await openProbeDataSource(dbUrl, `${label}_consumer`);
  const consumer = new EventConsumer({
    link,
    dataSource: consumerDs,
    namespace,
    durable: `probe-${label}`,
    handlers: probeHandlers(),
    batchSize: 500,
    ...args.consumer,
  });
  const relays: OutboxRelay[] = [];
  return {
    namespace,
    producer,
    consumerDs,
    consumer,
    relay: (options = {}) => {
      const r = new OutboxRelay({
        dataSource: producer,
        url: dbUrl,
        schema: producerSchema,
        publish: args.publish,
        pollIntervalMs: 500,
        ...options,
      });
      relays.push(r);
      return r;
    },
    commit: (events) =>
      producer.transaction(async (m) => {
        await m.query(`INSERT INTO probe_applied (event_id, key) SELECT unnest($1::uuid[]), 'produced'`, [events.map((e) => e.id)]);
        await enqueueEvents(m, namespace, events);
      }),
    close: async () => {
      await consumer.stop();
      for (const r of relays) await r.stop();
      await producer.destroy().catch(() => undefined);
      await consumerDs.destroy().catch(() => undefined);
    },
  };
}
