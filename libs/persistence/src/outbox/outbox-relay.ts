import type { DataSource } from 'typeorm';
import { Client } from 'pg';

/** An event as the outbox holds it: its envelope as written (JSON text), with what its headers carry. */
export interface OutboxEvent {
  readonly id: string;
  readonly correlationId: string;
  readonly json: string;
}

/**
 * Publishes one event and resolves only once the stream has acknowledged it. `subjectSeq` is its number in its
 * subject (gap-free per producer and subject), carried in a header for the consumers' gap check.
 */
export type PublishFn = (subject: string, event: OutboxEvent, subjectSeq?: number) => Promise<void>;

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
   * Published rows written longer ago than this are deleted (in batches); the stream keeps the history. Until then a consumer
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
  id: string;
  correlation_id: string;
  json: string;
  /** The subject's mark when the row was read. */
  published_seq: string;
}

/**
 * Each subject's new mark after `acked` went out: the highest number up to which every number past the old mark
 * was acknowledged. Rows written since numbering at insert come in number order; rows numbered by the relay
 * before it (OutboxNumberedAtInsert) may not, and a number acknowledged after a missing one waits for it.
 */
function marksAfter(acked: readonly PendingRow[]): Map<string, string> {
  const numbers = new Map<string, Set<bigint>>();
  const from = new Map<string, bigint>();
  for (const r of acked) {
    let set = numbers.get(r.subject);
    if (!set) numbers.set(r.subject, (set = new Set()));
    set.add(BigInt(r.subject_seq));
    from.set(r.subject, BigInt(r.published_seq));
  }
  const marks = new Map<string, string>();
  for (const [subject, set] of numbers) {
    const start = from.get(subject)!;
    let mark = start;
    while (set.has(mark + 1n)) mark += 1n;
    if (mark > start) marks.set(subject, String(mark));
  }
  return marks;
}

/**
 * Moves committed outbox rows to JetStream in `seq` order, and after the stream's ack moves each subject's mark
 * (`outbox_published`): the rows themselves are written once, by their transaction (enqueueEvents), never updated.
 *
 * Exactly one relay of a service publishes at a time: each pass takes a transaction-scoped advisory
 * lock, so replicas never publish a row twice nor interleave out of order. If the process dies after
 * publishing and before moving the marks, the rows go out again with the same `Nats-Msg-Id`: the stream drops
 * them inside its duplicate window, and consumers' inboxes drop them after it.
 *
 * Order: a subject's rows are numbered by their transactions in commit order, without a hole (enqueueEvents), so
 * what a pass sees of a subject past its mark is an unbroken run of numbers: a row that commits late has a higher
 * number than every row seen before it, never a lower one, and the mark never passes over a row not yet sent.
 * Across subjects rows go out by `seq`: a transaction that begins after another commits gets higher `seq`s and
 * is seen after it, so causal order holds; two transactions that overlap have no order to keep, and consumers
 * are order-insensitive. While NATS is away a pass fails, the rows stay pending (the first one records
 * `attempts` and `last_error`), and the relay retries with backoff (up to `pollIntervalMs`) from the first
 * unsent row, in order.
 *
 * Numbers: each event goes out with its number (`subject_seq`, gap-free and monotonic per producer schema and
 * subject, across replicas and restarts); consumers find a number they never got and ask for it again
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
   * a metrics scrape reads. It reads a row per subject, whatever the backlog.
   */
  async pendingCount(cap = PENDING_COUNT_CAP): Promise<number> {
    // Numbers are gap-free and committed in order: a subject's pending rows are its numbers past its mark.
    const rows: Array<{ n: string }> = await this.options.dataSource.query(
      `SELECT COALESCE(sum(s.last_seq - COALESCE(p.published_seq, 0)), 0) AS n
         FROM outbox_sequence s LEFT JOIN outbox_published p USING (subject)`,
    );
    return Math.min(cap, Number(rows[0].n));
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
    const outcome = await this.options.dataSource.transaction(async (m) => {
      // No JIT for this transaction: the pending read is a few index ranges, but on tables not analyzed yet its
      // estimate passes jit_above_cost, and compiling it cost five times what it runs (fresh schemas, tests).
      const lock: Array<{ ok: boolean }> = await m.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('outbox:' || current_schema())) AS ok, set_config('jit', 'off', true)`,
      );
      if (!lock[0].ok) return { published: 0, failure: null };
      // Each subject's rows past its mark, in number order (an index range each), merged by `seq`.
      const rows: PendingRow[] = await m.query(
        `SELECT r.seq, r.subject, r.subject_seq, r.event_id AS id, r.envelope ->> 'correlationId' AS correlation_id,
                r.envelope::text AS json, COALESCE(p.published_seq, 0) AS published_seq
           FROM outbox_sequence s LEFT JOIN outbox_published p USING (subject)
           CROSS JOIN LATERAL (
             SELECT o.seq, o.subject, o.subject_seq, o.event_id, o.envelope FROM outbox o
              WHERE o.subject = s.subject AND o.subject_seq > COALESCE(p.published_seq, 0)
              ORDER BY o.subject_seq LIMIT $1) r
          WHERE s.last_seq > COALESCE(p.published_seq, 0)
          ORDER BY r.seq LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return { published: 0, failure: null };
      // Pipelined: every publish is sent before the first ack is awaited; one connection keeps their order. The
      // envelope goes out as the text it was written as (no parse and re-serialisation in between).
      const results = await Promise.allSettled(
        rows.map((r) =>
          this.options.publish(r.subject, { id: r.id, correlationId: r.correlation_id, json: r.json }, Number(r.subject_seq)),
        ),
      );
      // Only the unbroken acknowledged prefix counts: a row after a failure goes out again, after the failed
      // one, so the stream never holds an event before one committed ahead of it (a re-sent row is a duplicate
      // the server drops within its window, and the inbox after it).
      let acked = 0;
      while (acked < rows.length && results[acked].status === 'fulfilled') acked += 1;
      const marks = marksAfter(rows.slice(0, acked));
      if (marks.size > 0) {
        await m.query(
          `INSERT INTO outbox_published AS p (subject, published_seq) SELECT * FROM unnest($1::text[], $2::bigint[])
           ON CONFLICT (subject) DO UPDATE SET published_seq = EXCLUDED.published_seq, published_at = now()`,
          [[...marks.keys()], [...marks.values()]],
        );
      }
      let failure: unknown = null;
      if (acked < rows.length) {
        failure = (results[acked] as PromiseRejectedResult).reason;
        await m.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $3 WHERE subject = $1 AND subject_seq = $2`, [
          rows[acked].subject,
          rows[acked].subject_seq,
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
        `DELETE FROM outbox WHERE (subject, subject_seq) IN (
           SELECT o.subject, o.subject_seq FROM outbox o JOIN outbox_published p USING (subject)
            WHERE o.subject_seq <= p.published_seq AND o.created_at < now() - ($1::bigint * interval '1 millisecond')
            LIMIT 5000)`,
        [this.retainPublishedMs],
      );
      if (!this.running || !Array.isArray(deleted) || Number(deleted[1]) < 5000) return;
    }
  }
}
