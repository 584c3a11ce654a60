import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter, Histogram, register } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Cohort } from '@app/contracts';
import { MIGRATIONS_ONLY_ENV, PLATFORM_OPTIONS, rootLogger, type PlatformOptions } from '@app/platform';
import type { RatesConfig } from '../rates.config';
import { FigureRecomputeService, type RecomputeResult } from './figure-recompute.service';

const flushes =
  (register.getSingleMetric('bz_rates_flushes_total') as Counter<string> | undefined) ??
  new Counter({ name: 'bz_rates_flushes_total', help: 'Recomputations of dirty figures (one per debounce window with work)' });
const published =
  (register.getSingleMetric('bz_rates_events_total') as Counter<string> | undefined) ??
  new Counter({ name: 'bz_rates_events_total', help: 'Figure and status events written to the outbox', labelNames: ['type'] });
const flushSeconds =
  (register.getSingleMetric('bz_rates_flush_seconds') as Histogram<string> | undefined) ??
  new Histogram({ name: 'bz_rates_flush_seconds', help: 'Duration of one flush', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

/** One recomputation at a time across every replica of the service (two flushers would race on the same ancestors). */
const FLUSH_LOCK = 0x72617465; // "rate"

/**
 * The debounce loop: every RATES_FLUSH_DEBOUNCE_MS it takes whatever the handlers marked since the
 * last flush and recomputes it in one transaction (rows + outbox events), so a burst of N reports
 * under one district costs one recomputation of that district per window, not N.
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
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
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

  private get debounceMs(): number {
    return (this.options.config as RatesConfig).RATES_FLUSH_DEBOUNCE_MS;
  }

  private async run(): Promise<void> {
    while (this.running) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, this.debounceMs);
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

  /** Recomputes everything marked so far; returns null when there was nothing to do. */
  async flushOnce(): Promise<RecomputeResult | null> {
    this.flushing = true;
    try {
      const [{ pending }]: Array<{ pending: boolean }> = await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM rates_dirty) OR EXISTS (SELECT 1 FROM rates_dirty_targets) AS pending`,
      );
      if (!pending) return null;
      const started = process.hrtime.bigint();
      const result = await this.dataSource.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock($1)`, [FLUSH_LOCK]);
        // The marks committed so far (a mark committed during this flush stays for the next one); the
        // earliest day per (unit, cohort). Through a CTE: TypeORM answers a bare DELETE … RETURNING with [rows, count].
        const marks: Array<{ unitCode: string; cohort: Cohort; from: string }> = await m.query(
          `WITH taken AS (DELETE FROM rates_dirty RETURNING org_unit_code, cohort, from_date)
           SELECT org_unit_code AS "unitCode", cohort, min(from_date)::text AS "from" FROM taken GROUP BY org_unit_code, cohort`,
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
      });
      if (result) {
        flushes.inc();
        published.inc({ type: 'rates.figure.updated' }, result.figureEvents);
        published.inc({ type: 'rates.target.status-changed' }, result.statusEvents);
        flushSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      }
      return result;
    } finally {
      this.flushing = false;
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
