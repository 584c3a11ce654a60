import { SetMetadata } from '@nestjs/common';
import type { EventContract } from '@app/contracts';

export const EVENT_CONSUMER_META = 'bz:event-consumer';
export const EVENT_HANDLER_META = 'bz:event-handler';

export interface EventConsumerMeta {
  /** The purpose; the durable is `<service>-<purpose>`. */
  readonly purpose: string;
  /** Producer prefix to filter on, e.g. `registry` for `<ns>.registry.>`; default: all events. */
  readonly filter?: string;
  readonly batchSize?: number;
}

/** Marks a provider whose `@OnEvent` methods share one durable consumer. */
export const EventConsumerGroup = (meta: EventConsumerMeta): ClassDecorator => SetMetadata(EVENT_CONSUMER_META, meta);

/**
 * Declares a method as the handler of one event contract. It receives the validated envelope and the
 * EntityManager of the batch's transaction, and must do all its writes through that manager.
 */
export const OnEvent = (contract: EventContract): MethodDecorator => SetMetadata(EVENT_HANDLER_META, contract);
