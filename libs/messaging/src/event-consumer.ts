import { AckPolicy, DeliverPolicy, jetstream, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { DataSource, EntityManager } from 'typeorm';
import { parseSubject, type EventEnvelope } from '@app/contracts';
import { claimEvents, isDatabaseUnavailable, runWithContext } from '@app/persistence';
import { decodeEvent } from './decode-event';
import { GapCheck } from './gap-check';
import { consumerMetrics } from './metrics';
import type { NatsLink } from './nats-link';
import { subjectSeqOf } from './publisher';
import { deadLetter, type DeadLetterRecord } from './dead-letter';
import { streamNames } from './stream';

export type EventHandlerFn = (event: EventEnvelope<string, any>, manager: EntityManager) => Promise<void>;

/**
 * Applies the fresh events of a batch at once (in the order delivered, duplicates already removed by the inbox),
 * inside the batch's transaction: for consumers that gain from multi-row writes (read-model projections).
 * It runs outside any per-event request context, so it must not record events of its own.
 */
export type EventBatchHandlerFn = (events: Array<EventEnvelope<string, any>>, manager: EntityManager) => Promise<void>;

export interface EventBatchHandler {
  /** The event types it applies. */
  readonly types: ReadonlySet<string>;
  readonly apply: EventBatchHandlerFn;
}

export interface EventConsumerOptions {
  readonly link: NatsLink;
  readonly dataSource: DataSource;
  readonly namespace: string;
  /** Durable name, one per (service, purpose): e.g. `rates-figures`. Also the inbox's consumer name. */
  readonly durable: string;
  /** One subject filter (NATS 2.9 has no multi-filter consumers); default: every event of the namespace. */
  readonly filterSubject?: string;
  readonly handlers: ReadonlyMap<string, EventHandlerFn>;
  /** Instead of (or beside) per-event handlers: one call per batch for these types. */
  readonly batchHandler?: EventBatchHandler;
  /** Events applied in one database transaction. */
  readonly batchSize?: number;
  /** Deliveries before an event goes to the dead-letter stream. */
  readonly maxDeliver?: number;
  /** Delay before redelivery, by delivery number (the last value repeats). */
  readonly backoffMs?: readonly number[];
  readonly ackWaitMs?: number;
  /**
   * How often to look for events the stream lost (gap-check.ts) and have their producer publish them again;
   * 0 or absent: never (EVENT_GAP_CHECK_MS in a service).
   */
  readonly gapCheckMs?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/** Parsed subjects a consumer keeps (there is one per event type and version; the bound only guards against junk subjects). */
const MAX_SUBJECTS_KEPT = 1000;

/** How long decoding runs before it lets the event loop answer I/O (see decodeBatch). */
const DECODE_SLICE_MS = 0.5;

interface Decoded {
  msg: JsMsg;
  envelope: EventEnvelope;
  /** Its number in its subject (SUBJECT_SEQ_HEADER), null when its producer gave none. */
  seq: number | null;
  /** null: the batch handler applies it. */
  handler: EventHandlerFn | null;
}

/**
 * A durable pull consumer that applies events in batches, each batch in one database transaction
 * together with the inbox rows that make it idempotent, and acks only after the commit.
 *
 * A batch that fails is retried event by event, so one poison event cannot hold back the others:
 * it is nak'ed with backoff and, after `maxDeliver` deliveries, copied to the dead-letter stream
 * with its error and terminated (unless the database is unreachable or ended the connection: then it waits, however
 * many deliveries that takes). A payload that breaks its contract is dead-lettered at once.
 */
export class EventConsumer {
  private readonly batchSize: number;
  private readonly maxDeliver: number;
  private readonly backoffMs: readonly number[];
  private readonly ackWaitMs: number;
  private running = false;
  private messages: ConsumerMessages | null = null;
  private readonly buffer: JsMsg[] = [];
  private wakeProcessor: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private processorDone: Promise<void> | null = null;
  private processing = false;
  private readonly subjects = new Map<string, { type: string; version: number } | null>();
  /** Looks for events lost by the stream; `tick` it by hand in tests. */
  readonly gapCheck: GapCheck;

  constructor(private readonly options: EventConsumerOptions) {
    this.batchSize = options.batchSize ?? 256;
    this.maxDeliver = options.maxDeliver ?? 5;
    this.backoffMs = options.backoffMs ?? [500, 2000, 5000, 15000];
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.gapCheck = new GapCheck({
      link: options.link,
      dataSource: options.dataSource,
      namespace: options.namespace,
      durable: options.durable,
      filterSubject: options.filterSubject,
      types: new Set([...options.handlers.keys(), ...(options.batchHandler?.types ?? [])]),
      intervalMs: options.gapCheckMs ?? 0,
      log: (level, message, extra) => this.log(level, message, extra),
    });
  }

  /** Enough in flight for the batch being applied and the next ones; more would only age toward ack_wait. */
  private get maxAckPending(): number {
    return this.batchSize * 4;
  }

  get durable(): string {
    return this.options.durable;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.processorDone = this.processLoop();
    this.loopDone = this.fetchLoop();
    this.gapCheck.start();
  }

  /** Stops pulling, finishes the batches in hand (the one being applied and the one decoded behind it), and leaves the rest for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    await this.gapCheck.stop();
    this.messages?.stop();
    this.wakeProcessor?.();
    await this.loopDone?.catch(() => undefined);
    await this.processorDone?.catch(() => undefined);
    // Messages pulled but not applied go back at once (to another replica, or to the next start) instead of
    // waiting out ack_wait; a nak is not a failure, so it does not count toward dead-lettering.
    for (const m of this.buffer.splice(0)) m.nak();
  }

  /** Nothing pulled and not yet applied, and no batch being applied. */
  get idle(): boolean {
    return this.buffer.length === 0 && !this.processing;
  }

  /** Resolves when the consumer has no pending message in the stream and nothing in hand (tests, rebuilds). */
  async waitUntilIdle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await this.consumerInfo();
      if (info && info.num_pending === 0 && info.num_ack_pending === 0 && this.idle) return;
      if (Date.now() > deadline)
        throw new Error(
          `consumer ${this.durable} not idle after ${timeoutMs} ms (pending ${info?.num_pending}, ack pending ${info?.num_ack_pending})`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async consumerInfo(): Promise<{ num_pending: number; num_ack_pending: number } | null> {
    const nc = this.options.link.nc;
    if (!nc) return null;
    const jsm = await jetstream(nc).jetstreamManager();
    try {
      return await jsm.consumers.info(streamNames(this.options.namespace).events, this.durable);
    } catch {
      return null;
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>): void {
    this.options.log?.(level, message, { consumer: this.durable, ...extra });
  }

  private async ensureConsumer(): Promise<Consumer> {
    const nc = await this.options.link.whenConnected();
    const js = jetstream(nc);
    const jsm = await js.jetstreamManager();
    const stream = streamNames(this.options.namespace).events;
    const filter = this.options.filterSubject ?? `${this.options.namespace}.>`;
    try {
      const info = await jsm.consumers.info(stream, this.durable);
      if (info.config.filter_subject !== filter) {
        this.log('warn', `durable consumer filter is ${info.config.filter_subject}, expected ${filter}; left as it is`);
      }
      if (info.config.ack_wait !== nanos(this.ackWaitMs) || info.config.max_ack_pending !== this.maxAckPending) {
        this.log('warn', `durable consumer ack_wait/max_ack_pending differ from this code's; left as they are`, {
          ackWait: info.config.ack_wait,
          maxAckPending: info.config.max_ack_pending,
        });
      }
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
      await jsm.consumers.add(stream, {
        durable_name: this.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: filter,
        ack_wait: nanos(this.ackWaitMs),
        // Redelivery is bounded by our own count (so the last failure can be dead-lettered with its error).
        max_deliver: -1,
        // A few batches in flight; more would only age in the buffer toward ack_wait.
        max_ack_pending: this.maxAckPending,
      });
    }
    return js.consumers.get(stream, this.durable);
  }

  private async fetchLoop(): Promise<void> {
    while (this.running) {
      try {
        const consumer = await this.ensureConsumer();
        if (!this.running) return;
        this.messages = await consumer.consume({ max_messages: this.batchSize * 2, expires: 5000 });
        for await (const m of this.messages) {
          this.buffer.push(m);
          this.wakeProcessor?.();
          // Back-pressure: do not pull far ahead of what the processor can apply.
          while (this.running && this.buffer.length >= this.batchSize * 2) await new Promise((r) => setTimeout(r, 5));
        }
      } catch (err) {
        if (this.running) this.log('warn', `consumer loop interrupted: ${(err as Error).message}; restarting`);
      }
      this.messages = null;
      if (this.running) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /**
   * Takes batches off the buffer in order. The next batch is decoded and validated (CPU) while the one
   * before is applied (a database transaction): the two overlap; the applies themselves stay one at a time
   * and in order.
   */
  private async processLoop(): Promise<void> {
    let applying: Promise<void> | null = null;
    const settle = async (): Promise<void> => {
      if (applying) await applying;
      applying = null;
    };
    try {
      while (this.running || this.buffer.length > 0) {
        if (this.buffer.length === 0) {
          if (applying) {
            await settle();
            this.processing = false;
            continue;
          }
          if (!this.running) return;
          await new Promise<void>((r) => {
            this.wakeProcessor = r;
            setTimeout(r, 1000);
          });
          this.wakeProcessor = null;
          continue;
        }
        const batch = this.buffer.splice(0, this.batchSize);
        this.processing = true;
        let decoded: Decoded[];
        try {
          decoded = await this.decodeBatch(batch);
        } catch (err) {
          // Nothing of it was acked: the server redelivers after ack_wait.
          this.log('error', `batch failed outside handlers: ${(err as Error).message}`);
          continue;
        }
        await settle();
        applying = this.applyDecoded(batch, decoded).catch((err: unknown) => {
          this.log('error', `batch failed outside handlers: ${(err as Error).message}`);
        });
        if (!this.running) return;
      }
    } finally {
      await settle();
      this.processing = false;
    }
  }

  /** Validates a batch: events for no handler are acked unread, broken ones dead-lettered; the rest returned. */
  private async decodeBatch(batch: JsMsg[]): Promise<Decoded[]> {
    const decoded: Decoded[] = [];
    let sliceStart = performance.now();
    for (const msg of batch) {
      // Decoding is synchronous work: between slices of it the event loop runs, so that the batch being applied
      // (by this consumer or another of the process) gets its statements' answers and sends the next ones at once,
      // instead of after the whole batch is decoded. Without it the two did not overlap: a transaction's round
      // trips waited on other batches' decoding, and the process sat idle on PostgreSQL a third of the replay.
      if (performance.now() - sliceStart > DECODE_SLICE_MS) {
        await new Promise<void>((r) => setImmediate(r));
        sliceStart = performance.now();
      }
      if (msg.info.deliveryCount > 1) consumerMetrics.redelivered.inc({ consumer: this.durable });
      // Events this consumer has no handler for are acked unread: their payload is the business of the
      // consumers that apply them (else every consumer would dead-letter the same bad event).
      const fromSubject = this.subjectOf(msg.subject);
      if (fromSubject && !this.handles(fromSubject.type)) {
        msg.ack();
        continue;
      }
      const d = decodeEvent(this.options.namespace, msg.subject, msg.string(), fromSubject);
      if (!d.ok) {
        await this.deadLetter(msg, `${d.kind ?? 'contract'}: ${d.reason}`, d.kind ?? 'invalid');
        continue;
      }
      if (!this.handles(d.envelope.type)) {
        msg.ack(); // not an event this consumer cares about
        continue;
      }
      decoded.push({ msg, envelope: d.envelope, seq: subjectSeqOf(msg), handler: this.options.handlers.get(d.envelope.type) ?? null });
    }
    return decoded;
  }

  /** Applies a decoded batch in one transaction and acks it; when it fails, event by event. */
  private async applyDecoded(batch: JsMsg[], decoded: Decoded[]): Promise<void> {
    if (decoded.length === 0) return this.recordLag(batch);
    try {
      await this.apply(decoded);
      for (const d of decoded) d.msg.ack();
    } catch (err) {
      // A batch of one has just been tried on its own.
      if (decoded.length === 1) {
        await this.failed(decoded[0], err);
        this.recordLag(batch);
        return;
      }
      this.log('warn', `batch of ${decoded.length} failed (${(err as Error).message}); applying one by one`);
      for (const d of decoded) {
        try {
          await this.apply([d]);
          d.msg.ack();
        } catch (e) {
          await this.failed(d, e);
        }
      }
    }
    this.recordLag(batch);
  }

  /** parseSubject, once per subject: a consumer sees a handful of subjects, each thousands of times. */
  private subjectOf(subject: string): { type: string; version: number } | null {
    let parsed = this.subjects.get(subject);
    if (parsed === undefined) {
      parsed = parseSubject(this.options.namespace, subject);
      if (this.subjects.size < MAX_SUBJECTS_KEPT) this.subjects.set(subject, parsed);
    }
    return parsed;
  }

  private handles(type: string): boolean {
    return this.options.handlers.has(type) || (this.options.batchHandler?.types.has(type) ?? false);
  }

  private async apply(items: Decoded[]): Promise<void> {
    const applied: Decoded[] = [];
    let duplicates = 0;
    await this.options.dataSource.transaction(async (manager) => {
      applied.length = 0;
      duplicates = 0;
      const fresh = await claimEvents(
        manager,
        this.durable,
        items.map((i) => ({ id: i.envelope.id, subject: i.msg.subject, seq: i.seq })),
      );
      const forBatch: EventEnvelope[] = [];
      for (const item of items) {
        if (!fresh.delete(item.envelope.id.toLowerCase())) {
          // Already applied (redelivered, or re-published past the duplicate window), or twice in this batch.
          duplicates += 1;
          continue;
        }
        const handler = item.handler;
        if (handler) {
          await runWithContext({ correlationId: item.envelope.correlationId, causationId: item.envelope.id }, () =>
            handler(item.envelope, manager),
          );
        } else {
          forBatch.push(item.envelope);
        }
        applied.push(item);
      }
      if (forBatch.length > 0) await this.options.batchHandler!.apply(forBatch, manager);
    });
    // Counted after the commit: a batch that rolls back and is re-applied one by one must not count twice.
    if (duplicates > 0) consumerMetrics.duplicates.inc({ consumer: this.durable }, duplicates);
    // One increment per type a batch, not per event: prom-client hashes the labels on every call.
    const byType = new Map<string, number>();
    for (const item of applied) byType.set(item.envelope.type, (byType.get(item.envelope.type) ?? 0) + 1);
    for (const [type, n] of byType) consumerMetrics.consumed.inc({ consumer: this.durable, type }, n);
  }

  private async failed(d: Decoded, err: unknown): Promise<void> {
    consumerMetrics.failed.inc({ consumer: this.durable });
    const count = d.msg.info.deliveryCount;
    const reason = (err as Error)?.message ?? String(err);
    if (count >= this.maxDeliver) {
      // A database that does not answer, or that ended the connection under the event (a restart: the pool's
      // old connections fail once more even after it answers again), is not the event's fault: dead-lettering
      // here would send every event in flight during a PostgreSQL restart to the DLQ. Keep retrying.
      if (isDatabaseUnavailable(err) || !(await this.databaseAnswers())) {
        const delay = this.backoffMs[this.backoffMs.length - 1];
        this.log(
          'warn',
          `event ${d.envelope.id} failed while the database is unavailable (${reason}); retrying in ${delay} ms, not dead-lettered`,
        );
        d.msg.nak(delay);
        return;
      }
      await this.deadLetter(d.msg, reason, 'handler');
      return;
    }
    const delay = this.backoffMs[Math.min(count - 1, this.backoffMs.length - 1)];
    this.log('warn', `event ${d.envelope.id} (${d.envelope.type}) failed on delivery ${count}: ${reason}; retrying in ${delay} ms`);
    d.msg.nak(delay);
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private deadLetter(msg: JsMsg, reason: string, kind: DeadLetterRecord['kind']): Promise<void> {
    return deadLetter(
      {
        link: this.options.link,
        dataSource: this.options.dataSource,
        namespace: this.options.namespace,
        durable: this.durable,
        retryMs: this.backoffMs[this.backoffMs.length - 1],
        log: (level, message) => this.log(level, message),
      },
      msg,
      reason,
      kind,
    );
  }

  private recordLag(batch: JsMsg[]): void {
    const last = batch[batch.length - 1];
    if (!last) return;
    consumerMetrics.lagMessages.set({ consumer: this.durable }, last.info.pending);
    // Caught up means no lag, however old the last event was; otherwise the consumer is as far behind
    // as the age of the newest event it has applied.
    const ageSeconds = last.info.pending === 0 ? 0 : Math.max(0, Date.now() / 1000 - Number(last.info.timestampNanos) / 1e9);
    consumerMetrics.lagSeconds.set({ consumer: this.durable }, ageSeconds);
    consumerMetrics.lastAppliedAt.set({ consumer: this.durable }, Date.now() / 1000);
  }
}
