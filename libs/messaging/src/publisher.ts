import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import type { EventEnvelope } from '@app/contracts';
import type { NatsLink } from './nats-link';

export const CORRELATION_HEADER = 'Bz-Correlation-Id';

/** Publishes with `Nats-Msg-Id` = event id and resolves on the stream's ack. */
export class EventPublisher {
  private js: JetStreamClient | null = null;
  private jsFor: unknown = null;

  constructor(
    private readonly link: NatsLink,
    private readonly timeoutMs = 5000,
  ) {}

  async publish(subject: string, envelope: EventEnvelope): Promise<void> {
    const nc = this.link.nc;
    if (!nc || nc.isClosed()) throw new Error('NATS is not connected');
    if (this.jsFor !== nc) {
      this.js = jetstream(nc, { timeout: this.timeoutMs });
      this.jsFor = nc;
    }
    const h = headers();
    h.set(CORRELATION_HEADER, envelope.correlationId);
    await this.js!.publish(subject, JSON.stringify(envelope), { msgID: envelope.id, headers: h, timeout: this.timeoutMs });
  }
}
