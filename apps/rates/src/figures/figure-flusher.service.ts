import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter, Histogram, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { treeOfCohort, type Cohort } from '@app/contracts';
import { groupBy, OrgTree, rollupPartition } from '@app/domain';
import { MIGRATIONS_ONLY_ENV, rootLogger } from '@app/platform';
import { COALESCED_MARK } from '../common/dirty-marks';
import { RatesConfig } from '../rates.config';
import { FigureModelLoader, type DirtyMark } from './figure-model.loader';
import { FigureRecomputeService, partitionKey, type RecomputeResult } from './figure-recompute.service';

const flushes =
  (register.getSingleMetric('bz_rates_flushes_total') as Counter<string> | undefined) ??
  new Counter({ name: 'bz_rates_flushes_total', help: 'Recomputations of dirty figures (one per debounce window with work)' });
const published =
  (register.getSingleMetric('bz_rates_events_total') as Counter<string> | undefined) ??
  new Counter({
    name: 'bz_rates_events_total',
    help: 'Figures, status changes and withdrawals published (the first two travel in bundles: rates.figures.updated, rates.target.statuses-changed), by the type each would have as an event of its own',
    labelNames: ['type'],
  });
/** A histogram of flush durations, registered once per process (the test modules build the service more than once). */
function durations(name: string, help: string): Histogram<string> {
  return (
    (register.getSingleMetric(name) as Histogram<string> | undefined) ??
    new Histogram({ name, help, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] })
  );
}
const flushSeconds = durations(
  'bz_rates_flush_seconds',
  'Duration of one flush: its transactions one after the other until nothing is left to claim (under a steady load, as long as the load)',
);
const batchSeconds = durations(
  'bz_rates_flush_batch_seconds',
  'Duration of one flush transaction (a batch of partitions, or a target re-evaluation): a mark waits for the transaction in progress, then its own',
);

/**
 * Taken shared by every flush of partitions, exclusively by a target's re-evaluation (it walks every unit).
 * Partitions are locked each under PARTITION_LOCKS (a two-key advisory lock: this class, the partition's hash).
 */
const FLUSH_LOCK = 0x72617465; // "rate"
const PARTITION_LOCKS = 0x72706172; // "rpar"

/**
 * The debounce loop: every RATES_FLUSH_DEBOUNCE_MS it takes whatever the handlers marked since the
 * last flush and recomputes it (rows + outbox events), so a burst of N reports under one district costs
 * one recomputation of that district per window, not N.
 *
 * Across replicas: the marks are partitioned by tree and top-level subtree (`rollupPartition`). A flush
 * claims partitions with advisory try-locks (never waiting, so replicas never deadlock), in a random
 * order and up to RATES_FLUSH_BATCH_MARKS marks, and recomputes them in one transaction; the topmost unit of a
 * tree, above the partitions, is recomputed from its children's stored sums by whichever flush holds the
 * top, from marks the partitions' flushes leave it. A target's re-evaluation takes every mark at once,
 * alone. So replicas share the work of different subtrees, and one replica alone does what it did before.
 */
@Injectable()
export class FigureFlusher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'rates-flusher' });
  private running = false;
  private loop: Promise<void> | null = null;
  private flushing = false;
  private wake: (() => void) | null = null;
  /** Aborted at shutdown: a flush in progress stops at its next breath and rolls back, keeping its marks for the next start. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly dataSource: DataSource,
    private readonly recompute: FigureRecomputeService,
    private readonly loader: FigureModelLoader,
    private readonly config: RatesConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (process.env[MIGRATIONS_ONLY_ENV] === '1') return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.wake?.();
    await this.loop;
  }

  /**
   * Ends the debounce loop; `flushOnce` still works. For a caller that flushes by hand and must not have a
   * flush of the loop's commit between two of its reads (the property test compares two dry runs a step).
   */
  async stopLoop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, this.config.RATES_FLUSH_DEBOUNCE_MS);
        // Woken at shutdown: the timer goes too, so a long debounce does not hold the process.
        this.wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      this.wake = null;
      if (!this.running || !this.dataSource.isInitialized) continue;
      try {
        await this.flushOnce();
      } catch (err) {
        // The marks are rolled back with the transaction and retried on the next tick (or the next start).
        if (this.stopping.signal.aborted) this.log.info('flush interrupted by shutdown; its marks are kept for the next start');
        else this.log.error({ err }, `flush failed: ${(err as Error).message}`);
      }
    }
  }

  /** Recomputes everything marked so far that no other replica is recomputing; returns null when there was nothing to do. */
  async flushOnce(): Promise<RecomputeResult | null> {
    this.flushing = true;
    try {
      const started = process.hrtime.bigint();
      let total: RecomputeResult | null = null;
      const [{ targets }]: Array<{ targets: boolean }> = await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM rates_dirty_targets) AS targets`,
      );
      if (targets) total = await this.flushEverything();
      // Partition batches until nothing is left that this replica can claim.
      for (let batch = await this.flushPartitions(); batch; batch = await this.flushPartitions()) {
        total = sum(total, batch);
        if (this.stopping.signal.aborted) break;
      }
      if (total) {
        flushes.inc();
        published.inc({ type: 'rates.figure.updated' }, total.figureEvents);
        published.inc({ type: 'rates.target.status-changed' }, total.statusEvents);
        published.inc({ type: 'rates.target.status-withdrawn' }, total.withdrawnEvents);
        flushSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      }
      return total;
    } finally {
      this.flushing = false;
    }
  }

  /** A target's re-evaluation: every mark and target, alone (every partition waits). */
  private flushEverything(): Promise<RecomputeResult | null> {
    return timed(() =>
      this.dataSource.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock($1)`, [FLUSH_LOCK]);
        // The marks committed so far (a mark committed during this flush stays for the next one); the
        // days they span per (unit, cohort). Through a CTE: TypeORM answers a bare DELETE … RETURNING with [rows, count].
        const marks: DirtyMark[] = await m.query(
          `WITH taken AS (DELETE FROM rates_dirty RETURNING org_unit_code, cohort, from_date, until_date)
         SELECT ${COALESCED_MARK} FROM taken GROUP BY org_unit_code, cohort`,
        );
        const targets: Array<{ target_id: string }> = await m.query(
          `WITH taken AS (DELETE FROM rates_dirty_targets RETURNING target_id) SELECT DISTINCT target_id FROM taken`,
        );
        if (marks.length === 0 && targets.length === 0) return null;
        return this.recompute.recompute(
          m,
          marks,
          targets.map((t) => t.target_id),
          { signal: this.stopping.signal },
        );
      }),
    );
  }

  /** One batch of partitions no other flush holds; null when there is none to claim. */
  private async flushPartitions(): Promise<RecomputeResult | null> {
    try {
      return await timed(() =>
        this.dataSource.transaction(async (m) => {
          await m.query(`SELECT pg_advisory_xact_lock_shared($1)`, [FLUSH_LOCK]);
          // A window of the backlog, not all of it: a batch's cost stays bounded however long the backlog is
          // (a partition split over two windows is flushed in two batches, which is correct, only slower).
          const pending: Array<{ unitCode: string; cohort: Cohort }> = await m.query(
            `SELECT org_unit_code AS "unitCode", cohort FROM (SELECT org_unit_code, cohort FROM rates_dirty ORDER BY id LIMIT $1) d GROUP BY 1, 2`,
            [this.config.RATES_FLUSH_BATCH_MARKS * 10],
          );
          if (pending.length === 0) return null;
          const tree = new OrgTree(await this.loader.ancestry(m, pending));
          const byPartition = groupBy(pending, (p) =>
            partitionKey(treeOfCohort(p.cohort), rollupPartition(tree, p.unitCode, treeOfCohort(p.cohort))),
          );
          const claimed = new Set<string>();
          const taking: Array<{ unitCode: string; cohort: Cohort }> = [];
          // The top of each tree first, marked or not: its holder carries its partitions' work to the top in the
          // same transaction (one replica alone always holds it); the others stop at their partitions' roots.
          const tops = [...new Set(pending.map((p) => partitionKey(treeOfCohort(p.cohort), null)))];
          for (const [key, keys] of [...tops.map((k) => [k, byPartition.get(k) ?? []] as const), ...shuffled([...byPartition])]) {
            if (claimed.has(key)) continue;
            const [{ ok }]: Array<{ ok: boolean }> = await m.query(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok`, [
              PARTITION_LOCKS,
              key,
            ]);
            if (!ok) continue;
            claimed.add(key);
            taking.push(...keys);
            if (taking.length >= this.config.RATES_FLUSH_BATCH_MARKS) break;
          }
          if (claimed.size === 0) return null;
          const marks: DirtyMark[] = await m.query(
            `WITH taken AS (
             DELETE FROM rates_dirty d USING unnest($1::text[], $2::text[]) AS k(u, c) WHERE d.org_unit_code = k.u AND d.cohort = k.c
             RETURNING d.org_unit_code, d.cohort, d.from_date, d.until_date
           )
           SELECT ${COALESCED_MARK} FROM taken GROUP BY org_unit_code, cohort`,
            [taking.map((k) => k.unitCode), taking.map((k) => k.cohort)],
          );
          if (marks.length === 0) return null;
          return this.recompute.recompute(m, marks, [], { signal: this.stopping.signal, partitions: claimed });
        }),
      );
    } catch (err) {
      // A unit of the batch is being changed by the inputs consumer (FOR SHARE NOWAIT): its marks wait for the next tick.
      if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return null;
      throw err;
    }
  }

  /** Resolves once nothing is marked and no flush is running (tests, rebuilds). */
  async whenIdle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ pending }]: Array<{ pending: boolean }> = await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM rates_dirty) OR EXISTS (SELECT 1 FROM rates_dirty_targets) AS pending`,
      );
      if (!pending && !this.flushing) return;
      if (Date.now() > deadline) throw new Error(`rates flusher not idle after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** One flush transaction, timed into bz_rates_flush_batch_seconds (whether it commits or not). */
async function timed<T>(transaction: () => Promise<T>): Promise<T> {
  const end = batchSeconds.startTimer();
  try {
    return await transaction();
  } finally {
    end();
  }
}

/** PostgreSQL's lock_not_available (a NOWAIT lock refused). */
const LOCK_NOT_AVAILABLE = '55P03';

function sum(a: RecomputeResult | null, b: RecomputeResult): RecomputeResult {
  if (!a) return b;
  return {
    rowsWritten: a.rowsWritten + b.rowsWritten,
    figureEvents: a.figureEvents + b.figureEvents,
    statusEvents: a.statusEvents + b.statusEvents,
    withdrawnEvents: a.withdrawnEvents + b.withdrawnEvents,
  };
}

/** A random order (Fisher–Yates), so replicas claiming partitions at once start from different ones. */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
