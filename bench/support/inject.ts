import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { subjectOf, type EventContract, type ServiceName } from '@app/contracts';
import { ensureStreams } from '@app/messaging';
import { makeEvent } from '@app/persistence';
import { Window } from './context';
import { natsUrl } from './env';

/**
 * Publishes contract-valid events straight into a namespace's stream, pipelined, standing in for the
 * service that owns them (as the e2e harness's EventInjector does, but thousands at a time).
 */
export class Injector {
  private readonly window = new Window(500);
  published = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly namespace: string,
  ) {}

  static async open(namespace: string): Promise<Injector> {
    const nc = await connect({ servers: natsUrl() });
    await ensureStreams(await jetstreamManager(nc), { namespace });
    return new Injector(nc, jetstream(nc), namespace);
  }

  async publish<T extends string, D extends object>(
    contract: EventContract<T, D>,
    source: ServiceName,
    key: string,
    data: D,
    occurredAt?: Date,
  ): Promise<void> {
    const e = makeEvent(contract, source, key, data, occurredAt ? { occurredAt } : {});
    const subject = subjectOf(this.namespace, contract);
    const body = JSON.stringify(e);
    // On a saturated server an ack can take longer than the client's default wait: retry, the Nats-Msg-Id dedupes.
    await this.window.run(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.js.publish(subject, body, { msgID: e.id, timeout: 30_000 });
        } catch (err) {
          if (attempt >= 4) throw err;
        }
      }
    });
    this.published += 1;
  }

  async flush(): Promise<void> {
    await this.window.drain();
    if (this.window.firstError) throw new Error(`${this.window.failures} publishes failed: ${this.window.firstError.message}`);
  }

  async close(): Promise<void> {
    await this.flush().finally(() => this.nc.close());
  }
}
