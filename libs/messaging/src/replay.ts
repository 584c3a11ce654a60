import { jetstream } from '@nats-io/jetstream';
import { resetInbox } from '@app/persistence';
import { EventConsumer, type EventConsumerOptions } from './event-consumer';
import { deleteDurable } from './stream';
import { streamNames } from './stream';

export interface ReplayOptions extends EventConsumerOptions {
  /**
   * The durable that rebuilds: deleted first so that it starts at sequence 1, and the inbox name the
   * rebuilt tables are keyed by. Use a name of its own to rebuild beside the live consumer, or the live
   * durable's name (with that consumer stopped) to rebuild in place.
   */
  readonly durable: string;
  /** Stop once everything up to this stream sequence is applied; default: the stream's last sequence at the start. */
  readonly untilSequence?: number;
  readonly timeoutMs?: number;
  /**
   * Keep the durable when done, positioned after the last replayed event, so a consumer of the same name
   * goes on live from there; by default it is deleted.
   */
  readonly keepDurable?: boolean;
}

export interface ReplayResult {
  readonly durable: string;
  /** The stream sequence the rebuild reached. */
  readonly lastSequence: number;
  readonly elapsedMs: number;
}

/**
 * Rebuilds a consumer's state from sequence 1 of the stream: the handlers write into whatever the given
 * data source holds (fresh tables, typically a fresh schema with the OutboxInbox migration and the
 * consumer's own migrations), through the same batch, inbox and validation path as live consumption, so
 * the rebuilt state equals the live one. The durable's inbox rows in that data source are forgotten first.
 *
 * Rebuild beside the live consumer: `replayInto({ ...opts, dataSource: freshSchemaDs, durable: 'compliance-rebuild' })`,
 * compare or swap, done. Rebuild in place: stop the live consumer, truncate its tables, then
 * `replayInto({ ...opts, durable: liveDurable, keepDurable: true })` and start the live consumer again.
 */
export async function replayInto(options: ReplayOptions): Promise<ReplayResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const nc = await options.link.whenConnected();
  const jsm = await jetstream(nc).jetstreamManager();
  const stream = streamNames(options.namespace).events;
  const target = options.untilSequence ?? (await jsm.streams.info(stream)).state.last_seq;

  await deleteDurable(options.link, options.namespace, options.durable);
  await options.dataSource.transaction((m) => resetInbox(m, options.durable));

  const consumer = new EventConsumer(options);
  await consumer.start();
  let reached = 0;
  try {
    const deadline = started + timeoutMs;
    for (;;) {
      const info = await jsm.consumers.info(stream, options.durable).catch(() => null);
      if (info) {
        reached = info.ack_floor.stream_seq;
        const caughtUp = info.num_pending === 0 && info.num_ack_pending === 0;
        if ((reached >= target || caughtUp) && consumer.idle) break;
      }
      if (Date.now() > deadline) {
        throw new Error(`replay of ${options.durable} reached stream sequence ${reached} of ${target} in ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await consumer.stop();
    if (!options.keepDurable) await deleteDurable(options.link, options.namespace, options.durable);
  }
  return { durable: options.durable, lastSequence: Math.max(reached, target), elapsedMs: Date.now() - started };
}
