import type { DataSource } from 'typeorm';
import { Client } from 'pg';
import type { EventEnvelope } from '@app/contracts';
import { numberOutboxRows } from './outbox-sequence';

/**
 * Publishes one event and resolves only once the stream has acknowledged it. `subjectSeq` is its number in its
 * subject (gap-free per producer and subject), carried in a header for the consumers' gap check.
 */
export type PublishFn = (subject: string, envelope: EventEnvelope, subjectSeq?: number) => Promise<void>;

/** Default time published rows are kept for re-publishing after a loss by the broker (OUTBOX_RETAIN_HOURS). */
export const DEFAULT_OUTBOX_RETAIN_MS = 72 * 3600 * 1000;

/** Where `pendingCount` stops counting (bz_outbox_pending reads this for any larger backlog). */
export const PENDING_COUNT_CAP = 10_000;

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  /** PostgreSQL URL for the dedicated LISTEN connection. */
  readonly url: string;
  readonly schema: string;
  readonly publish: PublishFn;
  readonly batchSize?: number;
  /** Safety-net poll when no NOTIFY arrives (lost connection, missed wake-up). */
  readonly pollIntervalMs?: number;
  /**
   * Published rows older than this are deleted (in batches); the stream keeps the history. Until then a consumer
   * that finds one missing can have it re-published (docs/architecture.md, Delivery).
   */
  readonly retainPublishedMs?: number;
  readonly onError?: (err: unknown) => void;
  readonly onPublished?: (count: number) => void;
}

interface PendingRow {
  seq: string;
  subject: string;
  subject_seq: string;
  envelope: EventEnvelope;
}

/**
 * Moves committed outbox rows to JetStream in `seq` order and marks them only after the stream's ack.
 *
 * Exactly one relay of a service publishes at a time: each pass takes a transaction-scoped advisory
 * lock, so replicas never publish a row twice nor interleave out of order. If the process dies after
 * publishing and before marking, the rows go out again with the same `Nats-Msg-Id`: the stream drops
 * them inside its duplicate window, and consumers' inboxes drop them after it.
 *
 * Order: rows go out by `seq`, and a pass takes every row not yet marked (not "after the last seq"), so a
 * row whose transaction commits late, behind a higher `seq` already sent, is still sent, never skipped.
 * A transaction that begins after another commits gets higher `seq`s and is seen after it, so causal
 * order holds; two transactions that overlap have no order to keep, and consumers are order-insensitive.
 * While NATS is away a pass fails, the rows stay pending with `attempts` and `last_error`, and the
 * relay retries with backoff (up to `pollIntervalMs`) from the first unsent row, in order.
 *
 * Numbers: before publishing, a pass numbers the next rows per subject (`subject_seq`, gap-free and monotonic per
 * producer schema and subject, across replicas and restarts) in a transaction of its own under the same lock, and
 * each event goes out with its number; consumers find a number they never got and ask for it again
 * (libs/messaging gap-check.ts). Published rows are kept `retainPublishedMs` for that.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retainPublishedMs: number;
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private passInFlight: Promise<void> | null = null;
  private wakeRequested = false;
  private failures = 0;
  private lastCleanup = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.retainPublishedMs = options.retainPublishedMs ?? DEFAULT_OUTBOX_RETAIN_MS;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.passInFlight) await this.passInFlight.catch(() => undefined);
    const l = this.listener;
    this.listener = null;
    if (l) await l.end().catch(() => undefined);
  }

  /**
   * Runs passes until a pass publishes nothing; resolves with the count (tests, benchmarks). A pass that
   * finds another replica holding the lock publishes nothing, so with several relays use `pendingCount`.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runExclusive();
      total += n;
      if (n === 0) return total;
    }
  }

  /**
   * Count of rows not yet acknowledged by the stream, up to `cap` (a backlog larger than that reads as `cap`): what
   * a metrics scrape reads, so its cost stays bounded while the relay is behind (an uncapped count walked tens of
   * thousands of index entries, and those of the rows just published, on every scrape).
   */
  async pendingCount(cap = PENDING_COUNT_CAP): Promise<number> {
    const rows: Array<{ n: string }> = await this.options.dataSource.query(
      `SELECT count(*) AS n FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT $1) p`,
      [cap],
    );
    return Number(rows[0].n);
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new Client({ connectionString: this.options.url, application_name: `${this.options.schema}-outbox-relay` });
    let lost = false;
    // A lost LISTEN connection is reopened later; the slow poll keeps rows moving meanwhile.
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (err) this.options.onError?.(err);
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      if (this.running) {
        setTimeout(() => {
          if (this.running && !this.listener) void this.listen();
        }, 1000).unref();
      }
    };
    client.on('notification', () => this.wake());
    client.on('error', (err) => onLost(err));
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN "outbox_${this.options.schema}"`);
      if (!this.running) {
        await client.end().catch(() => undefined);
        return;
      }
      this.listener = client;
      // Rows committed while we were not listening would otherwise wait for the poll.
      this.wake();
    } catch (err) {
      onLost(err);
    }
  }

  private wake(): void {
    if (!this.running) return;
    if (this.passInFlight) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.loop();
    }, delayMs);
  }

  private async loop(): Promise<void> {
    let published = 0;
    try {
      published = await this.runExclusive();
      this.failures = 0;
    } catch (err) {
      this.failures += 1;
      this.options.onError?.(err);
    }
    if (!this.running) return;
    if (this.failures > 0) {
      // NATS or PostgreSQL is away: back off, up to the poll interval, and keep the rows for later.
      this.schedule(Math.min(this.pollIntervalMs, 100 * 2 ** Math.min(this.failures, 6)));
    } else if (published > 0 || this.wakeRequested) {
      this.wakeRequested = false;
      this.schedule(0);
    } else {
      this.schedule(this.pollIntervalMs);
    }
  }

  private async runExclusive(): Promise<number> {
    while (this.passInFlight) await this.passInFlight.catch(() => undefined);
    const pass = this.pass();
    this.passInFlight = pass.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await pass;
    } finally {
      this.passInFlight = null;
    }
  }

  private async pass(): Promise<number> {
    const ds = this.options.dataSource;
    // Numbers are given and committed before anything is published, under the same lock: a publish that is
    // retried after a crash carries the number the first attempt carried.
    await ds.transaction(async (m) => {
      const lock: Array<{ ok: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('outbox:' || current_schema())) AS ok`);
      if (lock[0].ok) await numberOutboxRows(m, this.batchSize);
    });
    const outcome = await ds.transaction(async (m) => {
      const lock: Array<{ ok: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('outbox:' || current_schema())) AS ok`);
      if (!lock[0].ok) return { published: 0, failure: null };
      const rows: PendingRow[] = await m.query(
        `SELECT seq, subject, subject_seq, envelope FROM outbox WHERE published_at IS NULL AND subject_seq IS NOT NULL ORDER BY seq LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return { published: 0, failure: null };
      // Pipelined: every publish is sent before the first ack is awaited; one connection keeps their order.
      const results = await Promise.allSettled(rows.map((r) => this.options.publish(r.subject, r.envelope, Number(r.subject_seq))));
      // Only the unbroken acknowledged prefix is marked: a row after a failure goes out again, after the failed
      // one, so the stream never holds an event before one committed ahead of it (a re-sent row is a duplicate
      // the server drops within its window, and the inbox after it).
      let acked = 0;
      while (acked < rows.length && results[acked].status === 'fulfilled') acked += 1;
      if (acked > 0) {
        await m.query(`UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [rows.slice(0, acked).map((r) => r.seq)]);
      }
      let failure: unknown = null;
      if (acked < rows.length) {
        failure = (results[acked] as PromiseRejectedResult).reason;
        await m.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = $1`, [
          rows[acked].seq,
          String((failure as Error)?.message ?? failure).slice(0, 500),
        ]);
      }
      return { published: acked, failure };
    });
    if (outcome.published > 0) this.options.onPublished?.(outcome.published);
    // Thrown after the commit, so that the attempt count and the error stay recorded on the row.
    if (outcome.failure && outcome.published === 0) throw outcome.failure;
    await this.cleanup();
    return outcome.published;
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    // In batches: a backlog of a day's rows must not hold one long transaction and its locks.
    for (;;) {
      const deleted: [unknown[], number] = await this.options.dataSource.query(
        `DELETE FROM outbox WHERE seq IN (
           SELECT seq FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - ($1::bigint * interval '1 millisecond')
           ORDER BY seq LIMIT 5000)`,
        [this.retainPublishedMs],
      );
      if (!this.running || !Array.isArray(deleted) || Number(deleted[1]) < 5000) return;
    }
  }
}
