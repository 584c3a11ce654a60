import { SetMetadata } from '@nestjs/common';
import type { EventContract } from '@app/contracts';

export const EVENT_CONSUMER_META = 'bz:event-consumer';
export const EVENT_HANDLER_META = 'bz:event-handler';
export const EVENT_BATCH_HANDLER_META = 'bz:event-batch-handler';

export interface EventConsumerMeta {
  /** The purpose; the durable is `<service>-<purpose>`. */
  readonly purpose: string;
  /** Producer prefix to filter on, e.g. `registry` for `<ns>.registry.>`; default: all events. */
  readonly filter?: string;
  /**
   * Several producer prefixes: one durable consumer per prefix (`<service>-<purpose>-<prefix>`), each
   * receiving only its producer's events, in that producer's order (NATS 2.9 allows one filter subject
   * per consumer; one consumer on every subject would also be handed every event it ignores).
   */
  readonly filters?: readonly string[];
  /** Events applied in one database transaction (default 256). */
  readonly batchSize?: number;
  /** Deliveries before an event is dead-lettered (default 5). */
  readonly maxDeliver?: number;
  /** Delay before each redelivery after a failure, by delivery number; the last value repeats. */
  readonly backoffMs?: readonly number[];
  /** How long the server waits for an ack before redelivering (default 30 s); longer than a batch takes. */
  readonly ackWaitMs?: number;
}

/** Marks a provider whose `@OnEvent` methods share one durable consumer. */
export const EventConsumerGroup = (meta: EventConsumerMeta): ClassDecorator => SetMetadata(EVENT_CONSUMER_META, meta);

/**
 * Declares a method as the handler of one event contract. It receives the validated envelope and the
 * EntityManager of the batch's transaction, and must do all its writes through that manager.
 */
export const OnEvent = (contract: EventContract): MethodDecorator => SetMetadata(EVENT_HANDLER_META, contract);

/**
 * Declares a method as the handler of whole batches of these contracts' events: it receives the fresh
 * envelopes of a batch in the order delivered and the EntityManager of the batch's transaction (see
 * `EventBatchHandlerFn`). For projections that write many rows at once; a group may mix it with
 * `@OnEvent` methods for other contracts. When a batch fails, it is called again with one event at a time.
 */
export const OnEventBatch = (contracts: readonly EventContract[]): MethodDecorator => SetMetadata(EVENT_BATCH_HANDLER_META, contracts);
