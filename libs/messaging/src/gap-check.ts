import { jetstream } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { BUS_TOPOLOGY, parseSubject, producerOf } from '@app/contracts';
import { missingNumbers, pruneApplied, recordUnapplied, setWatermark, watermarkOf, type SeqRange } from '@app/persistence';
import { consumerMetrics } from './metrics';
import type { NatsLink } from './nats-link';
import { MAX_REPUBLISH_RANGE, repairSubjectOf, type RepairReply, type RepairRequest } from './republish';
import { streamNames } from './stream';

export interface GapCheckOptions {
  readonly link: NatsLink;
  readonly dataSource: DataSource;
  readonly namespace: string;
  readonly durable: string;
  /** The consumer's subject filter (default: every event of the namespace). */
  readonly filterSubject?: string;
  /** The event types the consumer applies: only their subjects are checked. */
  readonly types: ReadonlySet<string>;
  /** Time between checks (the periodic loop); 0: no loop (`tick` by hand). */
  readonly intervalMs: number;
  readonly requestTimeoutMs?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/** A gap found by one check, and what its producer answered. */
export interface GapFound extends SeqRange {
  readonly subject: string;
  readonly republished: number;
  readonly gone: number;
}

interface Snapshot {
  readonly highWater: Record<string, number>;
  /** The stream's last sequence, read after the high-water marks: everything they count was stored by then. */
  readonly streamLast: number;
}

/**
 * Finds events the stream acknowledged and then lost, and asks their producer to publish them again.
 *
 * Each producer numbers its events per subject without holes (the outbox's `subject_seq`); the consumer's inbox
 * keeps the number of each event it applied, `inbox_unapplied` those it dead-lettered. A check is in two steps:
 * (1) it asks each producer of the types it applies for its published high-water mark per subject and notes the
 * stream's last sequence; (2) once the durable has acknowledged the stream past that sequence (ack floor, or
 * nothing pending at all), every number up to the mark must be in the inbox: one that is not was lost by the
 * broker. Each gap is logged and counted once, and its producer re-publishes it from the outbox; the re-published
 * copy takes the normal path (decode, validation, dead-letter, inbox). Checking per subject, only for the types
 * the consumer applies and within its filter, means a consumer never waits for a number it does not read: no
 * false alarms. The loss of the newest events (tail) is found the same way, from the producer's mark.
 * Replicas of a consumer take turns (an advisory lock per durable), and a watermark per subject keeps each check
 * to the numbers since the last one. Below the watermark the inbox rows are then pruned (pruneApplied): the claims
 * refuse those numbers by the pruned mark instead.
 */
export class GapCheck {
  private snapshot: Snapshot | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Gaps already logged and counted (`subject:from-to`), so that a retry is not a new gap. */
  private readonly reported = new Set<string>();
  /** Producers that did not answer the last time (logged once until they answer). */
  private readonly silent = new Set<string>();

  constructor(private readonly options: GapCheckOptions) {}

  start(): void {
    if (this.running || this.options.intervalMs <= 0) return;
    this.running = true;
    this.schedule();
  }

  /** Stops the loop; a check in flight is left to end on its own (it may wait on a producer's answer). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick()
        .catch((err: unknown) => {
          if (this.running) this.log('warn', `gap check failed: ${(err as Error).message}; trying again later`);
        })
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /**
   * One step: evaluates the last snapshot if the consumer has read past it, then takes a new one. Returns the
   * gaps found when it evaluated, or null when there was nothing to evaluate yet.
   */
  async tick(): Promise<GapFound[] | null> {
    let found: GapFound[] | null = null;
    if (this.snapshot) {
      if (!(await this.readPast(this.snapshot.streamLast))) return null;
      const snapshot = this.snapshot;
      this.snapshot = null;
      found = await this.evaluate(snapshot.highWater);
      await this.prune(Object.keys(snapshot.highWater));
    }
    this.snapshot = await this.takeSnapshot();
    return found;
  }

  /** The inbox rows below each subject's watermark are no longer needed (pruneApplied): they are deleted. */
  private async prune(subjects: readonly string[]): Promise<void> {
    for (const subject of subjects) {
      const n = await pruneApplied(this.options.dataSource, this.options.durable, subject);
      if (n > 0) consumerMetrics.pruned.inc({ consumer: this.options.durable }, n);
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>): void {
    this.options.log?.(level, message, { consumer: this.options.durable, ...extra });
  }

  /** The producer prefixes of the types this consumer applies whose events its filter lets through. */
  private producerPrefixes(): string[] {
    const out = new Set<string>();
    const filter = (this.options.filterSubject ?? `${this.options.namespace}.>`).replace(/>$/, '');
    for (const type of this.options.types) {
      const producer = producerOf(type);
      const prefix = producer ? BUS_TOPOLOGY[producer].publishes : null;
      if (!prefix) continue;
      const own = `${this.options.namespace}.${prefix}.`;
      if (own.startsWith(filter) || filter.startsWith(own)) out.add(prefix);
    }
    return [...out];
  }

  /** Subjects worth checking: in the filter, of a type the consumer applies, published by the producer asked. */
  private checks(subject: string, prefix: string): boolean {
    const filter = this.options.filterSubject ?? `${this.options.namespace}.>`;
    if (!subject.startsWith(`${this.options.namespace}.${prefix}.`) || !subjectInFilter(subject, filter)) return false;
    const parsed = parseSubject(this.options.namespace, subject);
    if (!parsed || !this.options.types.has(parsed.type)) return false;
    const producer = producerOf(parsed.type);
    return producer !== null && BUS_TOPOLOGY[producer].publishes === prefix;
  }

  private async ask(prefix: string, req: RepairRequest): Promise<RepairReply> {
    const nc = this.options.link.nc;
    if (!nc || nc.isClosed()) throw new Error('NATS is not connected');
    const msg = await nc.request(repairSubjectOf(this.options.namespace, prefix), JSON.stringify(req), {
      timeout: this.options.requestTimeoutMs ?? 10_000,
    });
    return JSON.parse(msg.string()) as RepairReply;
  }

  private async takeSnapshot(): Promise<Snapshot | null> {
    const highWater: Record<string, number> = {};
    for (const prefix of this.producerPrefixes()) {
      let reply: RepairReply;
      try {
        reply = await this.ask(prefix, { op: 'high-water' });
      } catch (err) {
        // The producer is down (no responders) or slow: its subjects wait for a later check. Said once, not every check.
        if (!this.silent.has(prefix)) {
          this.silent.add(prefix);
          this.log(
            'warn',
            `gap check: producer ${prefix} does not answer (${(err as Error).message}); its events are checked when it does`,
          );
        }
        continue;
      }
      if (this.silent.delete(prefix)) this.log('info', `gap check: producer ${prefix} answers again`);
      if (!reply.ok || !('highWater' in reply)) {
        this.log('warn', `gap check: producer ${prefix} refused: ${reply.ok ? 'unexpected reply' : reply.error}`);
        continue;
      }
      for (const [subject, hw] of Object.entries(reply.highWater)) if (this.checks(subject, prefix)) highWater[subject] = hw;
    }
    if (Object.keys(highWater).length === 0) return null;
    const jsm = await jetstream(await this.options.link.whenConnected()).jetstreamManager();
    const info = await jsm.streams.info(streamNames(this.options.namespace).events);
    return { highWater, streamLast: info.state.last_seq };
  }

  /** Whether the durable has settled every message of the stream up to `streamSeq` (applied, set aside or dead-lettered). */
  private async readPast(streamSeq: number): Promise<boolean> {
    const jsm = await jetstream(await this.options.link.whenConnected()).jetstreamManager();
    const info = await jsm.consumers.info(streamNames(this.options.namespace).events, this.options.durable);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return true;
    return info.ack_floor.stream_seq >= streamSeq;
  }

  private async evaluate(highWater: Record<string, number>): Promise<GapFound[]> {
    const consumer = this.options.durable;
    const gaps = await this.options.dataSource.transaction(async (m) => {
      const lock: Array<{ ok: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('gap-check:' || $1)) AS ok`, [
        consumer,
      ]);
      if (!lock[0].ok) return [] as Array<SeqRange & { subject: string }>;
      const out: Array<SeqRange & { subject: string }> = [];
      for (const [subject, hw] of Object.entries(highWater)) {
        const after = await watermarkOf(m, consumer, subject);
        const missing = await missingNumbers(m, consumer, subject, after, hw);
        await setWatermark(m, consumer, subject, missing.length > 0 ? missing[0].from - 1 : hw);
        for (const r of missing) out.push({ subject, ...r });
      }
      return out;
    });
    // Forget the gaps that closed, so that the set stays as small as what is open.
    const open = new Set(gaps.map((g) => `${g.subject}:${g.from}-${g.to}`));
    for (const key of this.reported) if (!open.has(key)) this.reported.delete(key);
    const found: GapFound[] = [];
    for (const gap of gaps) {
      const key = `${gap.subject}:${gap.from}-${gap.to}`;
      const count = gap.to - gap.from + 1;
      const prefix = parseSubject(this.options.namespace, gap.subject)!.type.split('.')[0];
      if (this.reported.has(key)) {
        this.log('warn', `gap still open in ${gap.subject}: numbers ${gap.from}..${gap.to}; asking ${prefix} again`, { ...gap });
      } else {
        this.reported.add(key);
        consumerMetrics.gaps.inc({ consumer, subject: gap.subject });
        consumerMetrics.missing.inc({ consumer, subject: gap.subject }, count);
        this.log(
          'warn',
          `gap found in ${gap.subject}: ${count} event(s) numbered ${gap.from}..${gap.to} acknowledged by the stream and missing; asking ${prefix} to publish them again`,
          { ...gap, missing: count },
        );
      }
      found.push(await this.repair(prefix, gap));
    }
    return found;
  }

  private async repair(prefix: string, gap: SeqRange & { subject: string }): Promise<GapFound> {
    let republished = 0;
    const gone: number[] = [];
    for (let from = gap.from; from <= gap.to; from += MAX_REPUBLISH_RANGE) {
      const to = Math.min(gap.to, from + MAX_REPUBLISH_RANGE - 1);
      let reply: RepairReply;
      try {
        reply = await this.ask(prefix, { op: 'republish', subject: gap.subject, from, to, consumer: this.options.durable });
      } catch (err) {
        this.log(
          'warn',
          `gap in ${gap.subject} ${from}..${to}: ${prefix} did not answer (${(err as Error).message}); asking again at the next check`,
        );
        continue;
      }
      if (!reply.ok || !('republished' in reply)) {
        this.log('error', `gap in ${gap.subject} ${from}..${to}: ${prefix} refused: ${reply.ok ? 'unexpected reply' : reply.error}`);
        continue;
      }
      republished += reply.republished;
      gone.push(...reply.gone);
    }
    if (gone.length > 0) {
      // Older than the producer's retention: nothing can bring them back. Set aside (counted, logged), so that the
      // check does not ask for them forever; a rebuild from the stream cannot restore them either.
      this.log('error', `gap in ${gap.subject}: ${gone.length} event(s) no longer held by ${prefix}: lost for good`, {
        subject: gap.subject,
        gone,
      });
      consumerMetrics.unrecoverable.inc({ consumer: this.options.durable, subject: gap.subject }, gone.length);
      await this.options.dataSource.transaction(async (m) => {
        for (const s of gone) await recordUnapplied(m, this.options.durable, gap.subject, { from: s, to: s }, 'unrecoverable');
      });
    }
    return { ...gap, republished, gone: gone.length };
  }
}

/** Whether a subject (or a prefix ending in `.`) falls under a filter made of literal tokens and a final `>`. */
function subjectInFilter(subject: string, filter: string): boolean {
  if (filter.endsWith('>')) return subject.startsWith(filter.slice(0, -1));
  return subject === filter;
}
