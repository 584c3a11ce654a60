import { jetstream, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import type { EventEnvelope } from '@app/contracts';
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

/** Publishes with `Nats-Msg-Id` = event id (a re-publish: `<event id>:<request>`) and resolves on the stream's ack. */
export class EventPublisher {
  private js: JetStreamClient | null = null;
  private jsFor: unknown = null;

  constructor(
    private readonly link: NatsLink,
    private readonly timeoutMs = 5000,
  ) {}

  async publish(subject: string, envelope: EventEnvelope, options: PublishOptions = {}): Promise<void> {
    const nc = this.link.nc;
    if (!nc || nc.isClosed()) throw new Error('NATS is not connected');
    if (this.jsFor !== nc) {
      this.js = jetstream(nc, { timeout: this.timeoutMs });
      this.jsFor = nc;
    }
    const h = headers();
    h.set(CORRELATION_HEADER, envelope.correlationId);
    if (options.subjectSeq !== undefined) h.set(SUBJECT_SEQ_HEADER, String(options.subjectSeq));
    if (options.republishOf) h.set(REPUBLISHED_HEADER, options.republishOf);
    const msgID = options.republishOf ? `${envelope.id}:${options.republishOf}` : envelope.id;
    await this.js!.publish(subject, JSON.stringify(envelope), { msgID, headers: h, timeout: this.timeoutMs });
  }
}

/** The event's number in its subject, from its header; null when absent or malformed. */
export function subjectSeqOf(msg: Pick<JsMsg, 'headers'>): number | null {
  const raw = msg.headers?.get(SUBJECT_SEQ_HEADER);
  if (!raw) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
