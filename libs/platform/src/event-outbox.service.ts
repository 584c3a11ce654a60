import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventContract, EventEnvelope } from '@app/contracts';
import { enqueueEvents, makeEvent } from '@app/persistence';
import { PLATFORM_OPTIONS, type PlatformOptions } from './platform.options';

/** How a service emits events: built from a contract, written to the outbox inside the caller's transaction. */
@Injectable()
export class EventOutbox {
  constructor(@Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions) {}

  build<TType extends string, TData extends object>(
    contract: EventContract<TType, TData>,
    key: string,
    data: TData,
  ): EventEnvelope<TType, TData> {
    return makeEvent(contract, this.options.service, key, data);
  }

  async record<TType extends string, TData extends object>(
    manager: EntityManager,
    contract: EventContract<TType, TData>,
    key: string,
    data: TData,
  ): Promise<EventEnvelope<TType, TData>> {
    const event = this.build(contract, key, data);
    await enqueueEvents(manager, this.options.config.EVENTS_NAMESPACE, [event]);
    return event;
  }

  async recordMany(manager: EntityManager, events: readonly EventEnvelope[]): Promise<void> {
    await enqueueEvents(manager, this.options.config.EVENTS_NAMESPACE, events);
  }
}
