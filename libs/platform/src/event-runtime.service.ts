import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DataSource } from 'typeorm';
import { BUS_TOPOLOGY, filterSubjectOf, type EventContract, type ServiceName } from '@app/contracts';
import {
  EVENT_CONSUMER_META,
  EVENT_BATCH_HANDLER_META,
  EVENT_HANDLER_META,
  EventConsumer,
  EventPublisher,
  NatsLink,
  RepublishResponder,
  ensureStreams,
  publisherMetrics,
  reportOutboxPending,
  type EventBatchHandler,
  type EventBatchHandlerFn,
  type EventConsumerMeta,
  type EventHandlerFn,
} from '@app/messaging';
import { OutboxRelay } from '@app/persistence';
import { rootLogger } from './logger';
import { MIGRATIONS_ONLY_ENV } from './migrations-cli';
import { PLATFORM_OPTIONS, type PlatformOptions } from './platform.options';

/**
 * Starts and stops the event machinery of a service: NATS link, stream set-up, the outbox relay,
 * and one durable consumer per @EventConsumerGroup provider. Shutdown drains the consumers first,
 * then the relay, then NATS.
 */
@Injectable()
export class EventRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumers: EventConsumer[] = [];
  relay: OutboxRelay | null = null;
  /** Answers the consumers' gap checks from the outbox (services that publish events). */
  responder: RepublishResponder | null = null;
  private readonly log = rootLogger().child({ context: 'events' });
  private streamsReady: Promise<void> | null = null;
  private shuttingDown = false;

  constructor(
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
    private readonly dataSource: DataSource,
    private readonly link: NatsLink,
    private readonly publisher: EventPublisher,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // `npm run migration:*` boots the module only for its data source.
    if (process.env[MIGRATIONS_ONLY_ENV] === '1') return;
    const cfg = this.options.config;
    this.link.start();
    let streamsSetUp = false;
    const streamsReady = this.link
      .whenConnected()
      .then((nc) => this.setUpStreams(nc))
      .then(() => void (streamsSetUp = true));
    this.streamsReady = streamsReady;

    const schema = (this.dataSource.options as { schema: string }).schema;
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      url: cfg.DATABASE_URL,
      schema,
      // Once the streams are set up, a row's publish is the ack's promise alone (no two more per row of a pass).
      publish: (subject, event, subjectSeq) =>
        streamsSetUp
          ? this.publisher.publishSerialized(subject, event, { subjectSeq })
          : streamsReady.then(() => this.publisher.publishSerialized(subject, event, { subjectSeq })),
      retainPublishedMs: cfg.OUTBOX_RETAIN_HOURS * 3600 * 1000,
      onError: (err) => this.log.warn(`outbox relay: ${(err as Error).message}`),
      onPublished: (n) => publisherMetrics.published.inc({ service: this.options.service }, n),
    });
    await this.relay.start();
    const relay = this.relay;
    reportOutboxPending(this.options.service, () => relay.pendingCount());

    const publishes = BUS_TOPOLOGY[this.options.service].publishes;
    if (publishes) {
      const responder = new RepublishResponder({
        link: this.link,
        dataSource: this.dataSource,
        namespace: cfg.EVENTS_NAMESPACE,
        producerPrefix: publishes,
        service: this.options.service,
        publish: async (subject, env, subjectSeq, requestId) => {
          await this.streamsReady;
          await this.publisher.publish(subject, env, { subjectSeq, republishOf: requestId });
        },
        log: (level, message, extra) => this.log[level](extra ?? {}, message),
      });
      this.responder = responder;
      void this.streamsReady.then(() => (this.shuttingDown ? undefined : responder.start()));
    }

    if (cfg.CONSUMERS_ENABLED) {
      for (const consumer of this.discoverConsumers()) {
        this.consumers.push(consumer);
        void this.streamsReady.then(() => (this.shuttingDown ? undefined : consumer.start()));
      }
    }
  }

  /**
   * Retries until the streams exist: JetStream may still be starting (or electing a leader) when NATS
   * already answers, and the relay and the consumers wait on this rather than fail for good.
   */
  private async setUpStreams(nc: NatsConnection): Promise<void> {
    const cfg = this.options.config;
    for (let attempt = 1; ; attempt++) {
      try {
        const mismatches = await ensureStreams(await jetstreamManager(nc), {
          namespace: cfg.EVENTS_NAMESPACE,
          replicas: cfg.NATS_STREAM_REPLICAS,
        });
        for (const m of mismatches) this.log.warn(`stream configuration mismatch (left unchanged): ${m}`);
        return;
      } catch (err) {
        if (this.shuttingDown || nc.isClosed()) return;
        if (attempt === 1 || attempt % 10 === 0)
          this.log.error(`stream set-up failed (attempt ${attempt}, retrying): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.responder?.stop();
    await this.relay?.stop();
    await this.link.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private discoverConsumers(): EventConsumer[] {
    const out: EventConsumer[] = [];
    const ns = this.options.config.EVENTS_NAMESPACE;
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const meta = Reflect.getMetadata(EVENT_CONSUMER_META, wrapper.metatype) as EventConsumerMeta | undefined;
      if (!meta) continue;
      const handlers = new Map<string, EventHandlerFn>();
      let batchHandler: EventBatchHandler | undefined;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[name] as (...args: unknown[]) => unknown;
        const contract = Reflect.getMetadata(EVENT_HANDLER_META, fn) as EventContract | undefined;
        if (contract) handlers.set(contract.type, fn.bind(instance) as EventHandlerFn);
        const batchContracts = Reflect.getMetadata(EVENT_BATCH_HANDLER_META, fn) as EventContract[] | undefined;
        if (batchContracts) {
          if (batchHandler) throw new Error(`${wrapper.metatype.name}: more than one @OnEventBatch method`);
          batchHandler = { types: new Set(batchContracts.map((c) => c.type)), apply: fn.bind(instance) as EventBatchHandlerFn };
        }
      }
      for (const type of batchHandler?.types ?? []) {
        if (handlers.has(type)) throw new Error(`${wrapper.metatype.name}: ${type} has both an @OnEvent and an @OnEventBatch handler`);
      }
      if (meta.filter && meta.filters) throw new Error(`${wrapper.metatype.name}: give filter or filters, not both`);
      const lanes: Array<{ durable: string; filter?: string }> = meta.filters
        ? meta.filters.map((f) => ({ durable: durableName(this.options.service, meta.purpose, f), filter: f }))
        : [{ durable: durableName(this.options.service, meta.purpose), filter: meta.filter }];
      for (const lane of lanes) {
        assertInTopology(this.options.service, lane.durable, lane.filter ?? '>', wrapper.metatype.name);
        out.push(
          new EventConsumer({
            link: this.link,
            dataSource: this.dataSource,
            namespace: ns,
            durable: lane.durable,
            filterSubject: lane.filter ? filterSubjectOf(ns, lane.filter) : undefined,
            handlers,
            batchHandler,
            batchSize: meta.batchSize,
            maxDeliver: meta.maxDeliver,
            backoffMs: meta.backoffMs,
            ackWaitMs: meta.ackWaitMs,
            gapCheckMs: this.options.config.EVENT_GAP_CHECK_MS,
            log: (level, message, extra) => this.log[level](extra ?? {}, message),
          }),
        );
      }
    }
    return out;
  }
}

/**
 * A consumer the bus table does not list would be refused by a NATS server configured from that table (its
 * permissions name every durable and what it reads): stop at boot, naming what to add, rather than later.
 */
function assertInTopology(service: ServiceName, durable: string, filter: string, provider: string): void {
  const listed = BUS_TOPOLOGY[service].consumers[durable];
  if (listed !== filter) {
    throw new Error(
      `${provider}: durable consumer ${durable} reading "${filter}" is not listed for ${service} in libs/contracts/src/bus-topology.json ` +
        `(${listed === undefined ? 'absent' : `listed as "${listed}"`}); the NATS permissions come from that table: add it there`,
    );
  }
}

/** The durable consumer of a group (`<service>-<purpose>`), or of one of its producer lanes (`…-<prefix>`). */
export function durableName(service: string, purpose: string, lane?: string): string {
  return lane ? `${service}-${purpose}-${lane.replace(/[^a-zA-Z0-9_-]/g, '-')}` : `${service}-${purpose}`;
}
