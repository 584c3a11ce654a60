import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@app/contracts';
import { publishedHighWater, publishedInRange } from '@app/persistence';
import { publisherMetrics } from './metrics';
import type { NatsLink } from './nats-link';

/**
 * The request/reply subject where a producer answers about its numbered events: `<ns>_repair.<prefix>` (core NATS,
 * outside the stream; scripts/launcher/nats-auth.js lets the producer listen and its consumers ask).
 */
export function repairSubjectOf(namespace: string, producerPrefix: string): string {
  return `${namespace}_repair.${producerPrefix}`;
}

/** Most numbers one re-publish request may ask for (a consumer splits a longer gap). */
export const MAX_REPUBLISH_RANGE = 1000;

export type RepairRequest =
  /** The producer's published high-water mark per subject. */
  | { readonly op: 'high-water' }
  /** Publish again the events numbered `from`..`to` of `subject`, for `consumer` (named in the producer's log). */
  | { readonly op: 'republish'; readonly subject: string; readonly from: number; readonly to: number; readonly consumer: string };

export type RepairReply =
  | { readonly ok: true; readonly highWater: Record<string, number> }
  | { readonly ok: true; readonly republished: number; readonly gone: number[] }
  | { readonly ok: false; readonly error: string };

/** Publishes one event again, with its number and a re-publish id (EventPublisher.publish with PublishOptions). */
export type RepublishFn = (subject: string, envelope: EventEnvelope, subjectSeq: number, requestId: string) => Promise<void>;

export interface RepublishResponderOptions {
  readonly link: NatsLink;
  readonly dataSource: DataSource;
  readonly namespace: string;
  /** The subject prefix of the producer's events (bus-topology.json `publishes`). */
  readonly producerPrefix: string;
  /** For metrics and logs. */
  readonly service: string;
  readonly publish: RepublishFn;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/**
 * The producer's side of gap repair: answers its consumers' questions from its outbox. Every replica listens in
 * one queue group, so one of them answers each request. It publishes from the outbox rows it still holds
 * (OUTBOX_RETAIN_HOURS); the numbers it no longer holds come back as `gone`.
 */
export class RepublishResponder {
  private sub: Subscription | null = null;
  private stopped = false;

  constructor(private readonly options: RepublishResponderOptions) {}

  get subject(): string {
    return repairSubjectOf(this.options.namespace, this.options.producerPrefix);
  }

  /** Subscribes once NATS is connected (the client re-subscribes by itself after a reconnect). */
  async start(): Promise<void> {
    const nc = await this.options.link.whenConnected();
    if (this.stopped) return;
    this.subscribe(nc);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const sub = this.sub;
    this.sub = null;
    if (sub && !sub.isClosed()) await sub.drain().catch(() => undefined);
  }

  private subscribe(nc: NatsConnection): void {
    this.sub = nc.subscribe(this.subject, {
      queue: `${this.options.service}-repair`,
      callback: (err, msg) => {
        if (err) return;
        void this.answer(msg.string()).then((reply) => {
          try {
            msg.respond(JSON.stringify(reply));
          } catch {
            // The asker is gone (timed out): it asks again at its next check.
          }
        });
      },
    });
  }

  /** Answers one request (exposed for tests). */
  async answer(body: string): Promise<RepairReply> {
    try {
      const req = JSON.parse(body) as RepairRequest;
      if (req.op === 'high-water') return { ok: true, highWater: await publishedHighWater(this.options.dataSource) };
      if (req.op === 'republish') return await this.republish(req);
      return { ok: false, error: `unknown op ${(req as { op?: unknown }).op}` };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  private async republish(req: Extract<RepairRequest, { op: 'republish' }>): Promise<RepairReply> {
    const { subject, from, to, consumer } = req;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from || to - from + 1 > MAX_REPUBLISH_RANGE) {
      return { ok: false, error: `bad range ${from}..${to} (at most ${MAX_REPUBLISH_RANGE} numbers from 1)` };
    }
    if (!subject.startsWith(`${this.options.namespace}.${this.options.producerPrefix}.`)) {
      return { ok: false, error: `${subject} is not a subject of ${this.options.service}` };
    }
    const { events, gone } = await publishedInRange(this.options.dataSource, subject, from, to);
    const requestId = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    for (const e of events) await this.options.publish(e.subject, e.envelope, e.subjectSeq, requestId);
    if (events.length > 0) publisherMetrics.republished.inc({ service: this.options.service }, events.length);
    this.options.log?.(
      gone.length > 0 ? 'error' : 'warn',
      `re-published ${events.length} event(s) of ${subject} numbered ${from}..${to} for consumer ${consumer}` +
        (gone.length > 0 ? `; ${gone.length} no longer in the outbox (older than its retention): lost for good` : ''),
      { subject, from, to, consumer, republished: events.length, gone: gone.length },
    );
    return { ok: true, republished: events.length, gone };
  }
}
