import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { recordUnapplied } from '@app/persistence';
import { consumerMetrics } from './metrics';
import type { NatsLink } from './nats-link';
import { subjectSeqOf } from './publisher';
import { streamNames } from './stream';

/** What the dead-letter stream keeps of a poison event: enough to understand it and to re-publish it. */
export interface DeadLetterRecord {
  readonly consumer: string;
  /**
   * `invalid`: the payload broke its contract; `producer`: its envelope names a source that does not publish
   * its type (bus-topology.json); `handler`: the handler failed on every delivery.
   */
  readonly kind: 'invalid' | 'producer' | 'handler';
  readonly subject: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  readonly error: string;
  readonly failedAt: string;
  /** The event exactly as it was published. */
  readonly event: string;
}

/** What dead-lettering needs of the consumer that gives up on an event. */
export interface DeadLetterContext {
  readonly link: NatsLink;
  readonly dataSource: DataSource;
  readonly namespace: string;
  readonly durable: string;
  /** When the record cannot be kept, the event is handed back to be redelivered after this long. */
  readonly retryMs: number;
  readonly log: (level: 'warn' | 'error', message: string) => void;
}

/**
 * Copies an event the consumer gives up on to the dead-letter stream with its error, settles its number for
 * the gap check, and terminates it; if the record cannot be kept, the event is nak'ed instead (never lost).
 */
export async function deadLetter(ctx: DeadLetterContext, msg: JsMsg, reason: string, kind: DeadLetterRecord['kind']): Promise<void> {
  const nc = ctx.link.nc;
  const names = streamNames(ctx.namespace);
  const record: DeadLetterRecord = {
    consumer: ctx.durable,
    kind,
    subject: msg.subject,
    streamSequence: msg.info.streamSequence,
    deliveryCount: msg.info.deliveryCount,
    error: reason,
    failedAt: new Date().toISOString(),
    event: msg.string(),
  };
  try {
    if (!nc) throw new Error('NATS is not connected');
    await jetstream(nc).publish(`${names.deadLetterSubjectPrefix}.${ctx.durable}`, JSON.stringify(record), {
      msgID: `${ctx.durable}:${msg.info.streamSequence}`,
    });
  } catch (err) {
    // Could not keep it: leave it to be redelivered rather than lose it.
    ctx.log('error', `could not dead-letter stream seq ${msg.info.streamSequence}: ${(err as Error).message}`);
    msg.nak(ctx.retryMs);
    return;
  }
  consumerMetrics.deadLettered.inc({ consumer: ctx.durable, reason: kind });
  // Its number is settled for the gap check: not applied, not missing. Should this fail, the check asks for the
  // event again and the re-published copy comes back here.
  const seq = subjectSeqOf(msg);
  if (seq !== null) {
    await ctx.dataSource
      .transaction((m) => recordUnapplied(m, ctx.durable, msg.subject, { from: seq, to: seq }, 'dead-letter'))
      .catch((err: unknown) => ctx.log('warn', `could not note dead-lettered number ${seq} of ${msg.subject}: ${(err as Error).message}`));
  }
  ctx.log('error', `dead-lettered stream seq ${msg.info.streamSequence} after ${msg.info.deliveryCount} deliveries: ${reason}`);
  // No reason on the TERM: NATS 2.9 does not parse `+TERM <reason>` and would leave the message pending
  // forever; the reason is in the dead-letter record.
  msg.term();
}
