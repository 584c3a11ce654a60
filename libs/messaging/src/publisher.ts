import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import type { JsMsg } from '@nats-io/jetstream';
import type { EventEnvelope } from '@app/contracts';
import type { OutboxEvent } from '@app/persistence';
import type { NatsLink } from './nats-link';

export const CORRELATION_HEADER = 'Bz-Correlation-Id';
/** The event's number in its subject, gap-free per producer (the outbox's `subject_seq`); absent on old events. */
export const SUBJECT_SEQ_HEADER = 'Bz-Subject-Seq';
/** Set on an event published again because a consumer found it missing (its value: the re-publish's request). */
export const REPUBLISHED_HEADER = 'Bz-Republished';

export interface PublishOptions {
  /** The event's number in its subject (SUBJECT_SEQ_HEADER). */
  readonly subjectSeq?: number;
  /**
   * A re-publish after a loss: the stream must not drop it as a duplicate of the lost copy (its `Nats-Msg-Id`
   * is still inside the duplicate window), so it gets an id of its own; consumers' inboxes drop it where it is not missing.
   */
  readonly republishOf?: string;
}

interface AwaitedAck {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly deadline: number;
}

/**
 * JetStream publishes of one connection, their acks matched by reply subject on one subscription
 * (`<inbox>.<n>`): what `JetStreamClient.publish` does with a request each, without a request object, a timer and
 * (on every success: the client cancels a settled request with a new Error) an error stack per message.
 */
class AckInbox {
  private readonly prefix: string;
  private readonly sub: Subscription;
  private readonly awaited = new Map<string, AwaitedAck>();
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;

  constructor(
    readonly nc: NatsConnection,
    inboxPrefix: string | undefined,
  ) {
    this.prefix = createInbox(inboxPrefix);
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (err, msg) => (err ? this.failAll(err) : this.settle(msg)) });
    this.sweeper = setInterval(() => this.sweep(), 250);
    this.sweeper.unref();
    void this.sub.closed.then(() => this.close(new Error('NATS connection closed')));
  }

  publish(subject: string, data: string, h: ReturnType<typeof headers>, timeoutMs: number): Promise<void> {
    const token = (this.next++).toString(36);
    return new Promise<void>((resolve, reject) => {
      this.awaited.set(token, { resolve, reject, deadline: Date.now() + timeoutMs });
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, headers: h });
      } catch (err) {
        this.awaited.delete(token);
        reject(err as Error);
      }
    });
  }

  close(err: Error): void {
    clearInterval(this.sweeper);
    if (!this.sub.isClosed()) this.sub.unsubscribe();
    this.failAll(err);
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const waiting = this.awaited.get(token);
    if (!waiting) return; // timed out already
    this.awaited.delete(token);
    if (msg.headers?.hasError) {
      // 503: no stream listens on the subject (JetStream away, or no stream for it).
      waiting.reject(new Error(`publish not acknowledged: ${msg.headers.code} ${msg.headers.description}`));
      return;
    }
    let ack: { stream?: string; error?: { code: number; description: string } };
    try {
      ack = msg.json();
    } catch {
      // Not JSON: not an ack (a callback that threw would be the subscription's, not this publish's).
      waiting.reject(new Error('invalid ack response'));
      return;
    }
    if (ack.error) waiting.reject(new Error(`publish refused by the stream: ${ack.error.code} ${ack.error.description}`));
    else if (!ack.stream) waiting.reject(new Error('invalid ack response'));
    else waiting.resolve();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.awaited) {
      if (waiting.deadline > now) continue;
      this.awaited.delete(token);
      waiting.reject(new Error('publish timed out waiting for the stream to acknowledge'));
    }
  }

  private failAll(err: Error): void {
    for (const waiting of this.awaited.values()) waiting.reject(err);
    this.awaited.clear();
  }
}

/** Publishes with `Nats-Msg-Id` = event id (a re-publish: `<event id>:<request>`) and resolves on the stream's ack. */
export class EventPublisher {
  private acks: AckInbox | null = null;

  constructor(
    private readonly link: NatsLink,
    private readonly timeoutMs = 5000,
  ) {}

  async publish(subject: string, envelope: EventEnvelope, options: PublishOptions = {}): Promise<void> {
    await this.publishSerialized(
      subject,
      { id: envelope.id, correlationId: envelope.correlationId, json: JSON.stringify(envelope) },
      options,
    );
  }

  /**
   * `publish` of an envelope already serialised (the outbox's text). Not `async`: the relay calls it for every row
   * of a pass, and the ack's own promise is all it needs (a failure before the publish is a rejection too, never a throw).
   */
  publishSerialized(subject: string, event: OutboxEvent, options: PublishOptions = {}): Promise<void> {
    try {
      const nc = this.link.nc;
      if (!nc || nc.isClosed()) throw new Error('NATS is not connected');
      if (this.acks?.nc !== nc) {
        this.acks?.close(new Error('NATS connection replaced'));
        this.acks = new AckInbox(nc, this.link.inboxPrefix);
      }
      const h = headers();
      h.set('Nats-Msg-Id', options.republishOf ? `${event.id}:${options.republishOf}` : event.id);
      h.set(CORRELATION_HEADER, event.correlationId);
      if (options.subjectSeq !== undefined) h.set(SUBJECT_SEQ_HEADER, String(options.subjectSeq));
      if (options.republishOf) h.set(REPUBLISHED_HEADER, options.republishOf);
      return this.acks.publish(subject, event.json, h, this.timeoutMs);
    } catch (err) {
      // A header the client refuses, a closed connection: this event's rejection, as it was when this was async.
      return Promise.reject(err as Error);
    }
  }
}

/** The event's number in its subject, from its header; null when absent or malformed. */
export function subjectSeqOf(msg: Pick<JsMsg, 'headers'>): number | null {
  const raw = msg.headers?.get(SUBJECT_SEQ_HEADER);
  if (!raw) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
