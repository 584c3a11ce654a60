import { availableParallelism } from 'node:os';
import type { BenchContext, Section } from '../support/context';
import { sleep, withAdmin } from '../support/env';
import { judge, type LimitRef, type Row } from '../support/report';
import { CAMPAIGN_END, CampaignDays, intakeKnows, Prng, residentReport, setResidentTarget, type ReportBody } from '../support/shapes';
import { fmtNumber, percentile, slope } from '../support/stats';
import { BenchSystem, type CpuSnapshot } from '../support/system';
import { buildWorld, importWorld, StreamWatch } from '../support/world';

interface Figure {
  orgUnitCode: string;
  cohort: string;
  tree: string;
  headcount: number;
}

interface Paced {
  sent: number;
  accepted: number;
  failures: number;
  firstError: string | null;
  seconds: number;
  /** True when the sender could not keep the offered rate (requests were still in flight). */
  fellBehind: boolean;
}

/** Offers `rate` reports/s (each made by `next`) through /v1/reports/batch in batches of `batch`, paced, at most 8 requests in flight. */
async function offer(sys: BenchSystem, next: () => ReportBody, rate: number, seconds: number, batch: number): Promise<Paced> {
  const http = sys.http('intake');
  const out: Paced = { sent: 0, accepted: 0, failures: 0, firstError: null, seconds: 0, fellBehind: false };
  const interval = (1000 * batch) / rate;
  const start = performance.now();
  const end = start + seconds * 1000;
  let due = start;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  while (due < end) {
    if (inFlight >= 8) {
      out.fellBehind = true;
      await Promise.race(pending);
      continue;
    }
    const reports = Array.from({ length: batch }, next);
    out.sent += batch;
    inFlight += 1;
    const p: Promise<void> = http
      .request('POST', '/v1/reports/batch', { body: { reports } })
      .then((r) => {
        if (r.status !== 200) throw new Error(`${r.status} ${r.text.slice(0, 200)}`);
        const body = JSON.parse(r.text) as { accepted?: number; unchanged?: number };
        out.accepted += (body.accepted ?? 0) + (body.unchanged ?? 0);
      })
      .catch((err: unknown) => {
        out.failures += 1;
        out.firstError ??= (err as Error).message;
      })
      .finally(() => {
        inFlight -= 1;
        pending.delete(p);
      });
    pending.add(p);
    due += interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(pending);
  out.seconds = (performance.now() - start) / 1000;
  return out;
}

/**
 * The backlog: bz_consumer_lag_messages of rates and compliance (null when neither exposes it), and the marks rates'
 * flusher has not recomputed yet (rates_dirty): a report consumed by rates is not a figure until its mark is flushed,
 * and a flusher that falls behind shows in no consumer's lag.
 */
async function lagOf(sys: BenchSystem): Promise<{ rates: number | null; compliance: number | null; marks: number | null }> {
  const [rates, compliance, marks] = await Promise.all([
    sys.metric('rates', 'bz_consumer_lag_messages').catch(() => null),
    sys.metric('compliance', 'bz_consumer_lag_messages').catch(() => null),
    withAdmin(
      async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM rates.rates_dirty`)).rows[0].n),
      sys.databaseUrl,
    ).catch(() => null),
  ]);
  return { rates, compliance, marks };
}

/** Seconds from `since` until rates has flushed every mark (then the figures are published); throws after `budgetMs`. */
async function marksFlushed(sys: BenchSystem, budgetMs: number, since: number): Promise<number> {
  const deadline = performance.now() + Math.max(0, budgetMs);
  for (;;) {
    const { marks } = await lagOf(sys);
    if (!marks) return (performance.now() - since) / 1000;
    if (performance.now() > deadline) throw new Error(`rates still had ${marks} unflushed marks`);
    await sleep(500);
  }
}

/**
 * Freshness probes: a report for a probe commune (not in the background load) with a headcount that only
 * grows, then GET /v1/units/{code}?date= on compliance until its own resident figure shows at least that.
 * One watcher per probe commune polls while any of its probes is outstanding and settles every probe the
 * figure has reached (a poller per probe would put a hundred concurrent readers on compliance while a backlog
 * lasts, and measure them instead of the pipeline). It polls every eighth of the oldest outstanding probe's age,
 * from 50 ms up to 1 s: a probe is timed to within about 12% of its own freshness (50 ms for one seen within
 * 400 ms), and eight watchers polling every 50 ms through a backlog no longer take PostgreSQL from what is
 * measured (they did: 56 unit reads a second at 21 ms each, a third of the run's PostgreSQL time, 2026-12-06).
 */
class FreshnessProbes {
  private readonly waiting = new Map<string, Array<{ headcount: number; t0: number; settle: (ms: number) => void }>>();
  private readonly polling = new Set<string>();
  /** Unit pages read so far by the watchers: their cost is in the CPU measured while they poll. */
  reads = 0;

  constructor(
    private readonly sys: BenchSystem,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds from the 202 to the figure showing the report; `windowMs` when not within the window or when the report failed. */
  async probe(unit: string, headcount: number): Promise<number> {
    const body = {
      orgUnitCode: unit,
      cohort: 'residents',
      asOf: CAMPAIGN_END,
      headcount,
      smartphoneHolders: headcount,
      installed: Math.floor(headcount / 2),
      bluetoothOn: Math.floor(headcount / 4),
    };
    const r = await this.sys.http('intake').request('POST', '/v1/reports', { body });
    if (r.status !== 202) throw new Error(`probe report → ${r.status} ${r.text.slice(0, 200)}`);
    const t0 = performance.now();
    const ms = new Promise<number>((settle) => {
      const list = this.waiting.get(unit) ?? [];
      list.push({ headcount, t0, settle });
      this.waiting.set(unit, list);
    });
    if (!this.polling.has(unit)) void this.poll(unit);
    return ms;
  }

  private async poll(unit: string): Promise<void> {
    this.polling.add(unit);
    const compliance = this.sys.http('compliance');
    try {
      for (let list = this.waiting.get(unit) ?? []; list.length > 0; list = this.waiting.get(unit) ?? []) {
        let seen = -1;
        try {
          this.reads += 1;
          const q = await compliance.request('GET', `/v1/units/${unit}?date=${CAMPAIGN_END}`);
          if (q.status === 200) {
            const u = JSON.parse(q.text) as { figures?: Figure[] };
            const f = u.figures?.find((x) => x.cohort === 'residents' && x.tree === 'administrative' && (x.orgUnitCode ?? unit) === unit);
            seen = f?.headcount ?? -1;
          }
        } catch {
          // A failed read is a poll that saw nothing; the window still bounds the probe.
        }
        const now = performance.now();
        this.waiting.set(
          unit,
          list.filter((p) => {
            if (p.headcount <= seen) p.settle(now - p.t0);
            else if (now - p.t0 >= this.windowMs) p.settle(this.windowMs);
            else return true;
            return false;
          }),
        );
        const oldest = Math.min(...(this.waiting.get(unit) ?? []).map((p) => p.t0));
        await sleep(Number.isFinite(oldest) ? Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, (performance.now() - oldest) / 8)) : POLL_MIN_MS);
      }
    } finally {
      this.polling.delete(unit);
    }
  }
}

/** A probe watcher's shortest and longest pause between two reads. */
const POLL_MIN_MS = 50;
const POLL_MAX_MS = 1_000;

/** How long a freshness probe is watched; one not visible by then counts as this (censored), not as missing. */
const PROBE_WINDOW_MS = 30_000;

/** The probes' headcounts, increasing over the whole benchmark. */
let nextProbe = 0;

/** How long the pipeline is given to drain after a load. */
const DRAIN_BUDGET_MS = 120_000;

interface Sustained {
  rate: number;
  run: Paced;
  /** Over the second half: did the backlog stay flat (null: no lag metric exposed)? */
  steady: boolean | null;
  growth: number;
  maxLag: number;
  lastLag: number | null;
  lagSeen: boolean;
  drained: number | null;
  drainError: string;
  /** Every probe, in ms (one not visible within the window counts as the window). */
  freshness: number[];
  /** Rates' flush transactions during the load: how many, and their mean duration (a mark waits for the one in progress, then its own). */
  flushing: { flushes: number; meanSeconds: number } | null;
  /** Where the CPU of the load and its drain went (null: nothing accepted). */
  cpu: {
    spent: CpuSpent;
    eventsBefore: ReadonlyMap<string, number>;
    eventsAfter: ReadonlyMap<string, number>;
    /** Unit pages the freshness probes read meanwhile (compliance and PostgreSQL work in `spent` that is not the reports'). */
    probeReads: number;
  } | null;
}

/** Offers `rate` reports/s for `seconds` with freshness probes, samples the backlog every second, then waits for the drain. */
async function sustain(
  ctx: BenchContext,
  sys: BenchSystem,
  watch: StreamWatch,
  o: { rate: number; seconds: number; batch: number; next: () => ReportBody; probeUnits: readonly string[]; label: string },
): Promise<Sustained> {
  ctx.log(`pipeline${o.label}: sustaining ${o.rate} reports/s for ${o.seconds} s`);
  const lagSamples: Array<[number, number]> = [];
  let maxLag = 0;
  let lagSeen = false;
  let stop = false;
  const t0 = performance.now();
  const sampler = (async () => {
    while (!stop) {
      const l = await lagOf(sys);
      if (l.rates !== null || l.compliance !== null) {
        lagSeen = true;
        const total = (l.rates ?? 0) + (l.compliance ?? 0) + (l.marks ?? 0);
        lagSamples.push([(performance.now() - t0) / 1000, total]);
        maxLag = Math.max(maxLag, total);
      }
      await sleep(1_000);
    }
  })();
  const freshness: number[] = [];
  let probeSeq = 0;
  const probes = new FreshnessProbes(sys, PROBE_WINDOW_MS);
  const prober = (async () => {
    const running: Array<Promise<void>> = [];
    while (!stop) {
      const unit = o.probeUnits[probeSeq % o.probeUnits.length];
      // Headcounts only grow, across runs too, so a probe is never satisfied by an earlier one's figure.
      const hc = 100_000 + nextProbe++;
      probeSeq += 1;
      running.push(
        // A probe not visible within the window (or whose report failed) counts as the window: every probe is counted.
        probes.probe(unit, hc).then(
          (ms) => void freshness.push(Math.min(ms, PROBE_WINDOW_MS)),
          () => void freshness.push(PROBE_WINDOW_MS),
        ),
      );
      await sleep(ctx.quick ? 500 : 250);
    }
    await Promise.all(running);
  })();
  const flushesBefore = await flushTotals(sys);
  const cpuBefore = cpuMark(sys);
  const eventsBefore = await watch.countsByType();
  const run = await offer(sys, o.next, o.rate, o.seconds, o.batch);
  const flushesAfter = await flushTotals(sys);
  stop = true;
  await sampler;
  await prober;
  let drained: number | null = null;
  let drainError = '';
  try {
    const t = performance.now();
    await watch.waitIdle(sys, ['intake', 'rates'], DRAIN_BUDGET_MS, 3);
    drained = await marksFlushed(sys, DRAIN_BUDGET_MS - (performance.now() - t), t);
  } catch (err) {
    drainError = (err as Error).message;
  }
  // The CPU of the load and of its drain: what the reports cost at this rate (the probes' few reads included).
  const spent = await cpuSince(sys, cpuBefore);
  const eventsAfter = await watch.countsByType();
  const growth = slope(lagSamples.filter(([t]) => t >= o.seconds / 2));
  const lastLag = lagSamples.at(-1)?.[1] ?? null;
  // "No growing backlog": over the second half the backlog grows by less than 1% of the offered rate, or stays under 2 s of work.
  const steady = lagSeen ? growth < o.rate * 0.01 || (lastLag ?? 0) < o.rate * 2 : null;
  const flushes = flushesAfter.count - flushesBefore.count;
  const flushing = flushes > 0 ? { flushes, meanSeconds: (flushesAfter.seconds - flushesBefore.seconds) / flushes } : null;
  const cpu = run.accepted > 0 ? { spent, eventsBefore, eventsAfter, probeReads: probes.reads } : null;
  return { rate: o.rate, run, steady, growth, maxLag, lastLag, lagSeen, drained, drainError, freshness, flushing, cpu };
}

/** Rates' flush transactions so far and their time (bz_rates_flush_batch_seconds; the first replica's when there are two). */
async function flushTotals(sys: BenchSystem): Promise<{ count: number; seconds: number }> {
  const [count, seconds] = await sys
    .metrics('rates', ['bz_rates_flush_batch_seconds_count', 'bz_rates_flush_batch_seconds_sum'])
    .catch(() => [null, null]);
  return { count: count ?? 0, seconds: seconds ?? 0 };
}

interface PipelineSystem {
  readonly sys: BenchSystem;
  readonly watch: StreamWatch;
  /** Communes kept out of the load, for the freshness probes. */
  readonly probeUnits: readonly string[];
  /** The communes the load reports for. */
  readonly load: readonly string[];
}

/** The services (with `replicas` of rates and compliance), the world imported and known to intake; `use` runs on it, then all stops. */
async function withPipeline(ctx: BenchContext, name: string, replicas: 1 | 2, use: (p: PipelineSystem) => Promise<void>): Promise<void> {
  const sys = await BenchSystem.create(name, {
    profile: ctx.profile.filter((s) => ['intake', 'rates', 'compliance'].includes(s)) as Array<'rates'>,
  });
  const watch = await StreamWatch.open(sys.namespace);
  try {
    await sys.startMany(['registry', 'intake', 'rates', 'compliance']);
    for (let i = 1; i < replicas; i++) {
      await sys.startReplica('rates');
      await sys.startReplica('compliance');
    }
    const world = buildWorld(
      ctx.quick ? { districts: 2, communesPerDistrict: 20, enterprises: 0 } : { districts: 20, communesPerDistrict: 50, enterprises: 0 },
    );
    await setResidentTarget(sys);
    await importWorld(sys, world, 5_000, 300_000);
    await watch.waitIdle(sys, ['registry'], 300_000, 3);
    await intakeKnows(sys, world.communes[world.communes.length - 1], 60_000);
    await watch.waitIdle(sys, ['intake'], 120_000, 3);
    await use({ sys, watch, probeUnits: world.communes.slice(0, 8), load: world.communes.slice(8) });
  } finally {
    await watch.close();
    await sys.dispose();
  }
}

const SECTION = 'pipeline';
const TARGET_RATE = 5_000;
const SUSTAINED = { op: '≥', value: TARGET_RATE, text: '≥ 5,000 reports/s sustained' } as const;
/** Lower rates tried after a sustained run whose backlog grew, each 80% of the one before (0.9, 0.72, 0.58 of the calibration's). */
const SUSTAIN_RETRIES = 2;
/** The rate the calibration offers: the target (a few hundred a second with --quick). */
const offeredRate = (ctx: BenchContext): number => (ctx.quick ? 300 : TARGET_RATE);
const batchOf = (ctx: BenchContext): number => (ctx.quick ? 50 : 250);

/**
 * Calibration: offers the target rate briefly and sees how long the pipeline takes to absorb it. Adds the rate it
 * absorbed and the CPU each report cost; returns the rate.
 */
async function calibrate(
  ctx: BenchContext,
  rows: Row[],
  p: PipelineSystem,
  label: string,
  next: () => ReportBody,
): Promise<{ capacity: number; cpu: CpuRow | null }> {
  const { sys, watch } = p;
  const offered = offeredRate(ctx);
  ctx.log(`pipeline${label}: calibrating at ${offered} reports/s`);
  const cpuBefore = cpuMark(sys);
  const eventsBefore = await watch.countsByType();
  const cal = await offer(sys, next, offered, ctx.quick ? 3 : 10, batchOf(ctx));
  let calIdle = DRAIN_BUDGET_MS / 1000;
  let calDrained = true;
  try {
    const t = performance.now();
    await watch.waitIdle(sys, ['intake', 'rates'], DRAIN_BUDGET_MS, 3);
    calIdle = await marksFlushed(sys, DRAIN_BUDGET_MS - (performance.now() - t), t);
  } catch {
    calDrained = false;
  }
  // Not drained within the wait: the rate is an upper bound of what the pipeline absorbs.
  const capacity = cal.accepted / (cal.seconds + calIdle);
  const spent = await cpuSince(sys, cpuBefore);
  const eventsAfter = await watch.countsByType();
  const cpu = cal.accepted > 0 ? cpuRow(SECTION, `during the calibration${label}`, cal.accepted, spent, eventsBefore, eventsAfter) : null;
  rows.push({
    section: SECTION,
    measure: `calibration${label}: ${cal.accepted.toLocaleString('en-US')} reports offered at ${offered.toLocaleString('en-US')}/s, then drained`,
    value: capacity,
    unit: 'reports/s',
    detail: `sent in ${cal.seconds.toFixed(1)} s, ${calDrained ? `drained ${calIdle.toFixed(1)} s after` : `NOT drained ${calIdle.toFixed(0)} s after (rate is an upper bound)`}${cal.failures ? `; ${cal.failures} failed requests (${cal.firstError})` : ''}`,
    limit: streamLimit(ctx, cpu),
  });
  if (cpu) rows.push(cpu);
  return { capacity, cpu };
}

/** One pipeline run: calibration, then the sustained rate with freshness probes and the backlog sampled. */
function runPipeline(ctx: BenchContext, rows: Row[], replicas: 1 | 2): Promise<void> {
  const label = replicas === 1 ? '' : ` [${replicas} replicas of rates and compliance]`;
  return withPipeline(ctx, replicas === 1 ? 'pipeline' : 'pipeline2', replicas, async (p) => {
    const { sys, watch, probeUnits, load } = p;
    const rng = new Prng(23);
    const next = () => residentReport(rng, load);
    const offered = offeredRate(ctx);
    const batch = batchOf(ctx);
    const { capacity, cpu } = await calibrate(ctx, rows, p, label, next);

    // Sustained run at what the calibration says the pipeline absorbs (at most the target), with freshness probes;
    // when its backlog grows, again at 80% of the rate tried, SUSTAIN_RETRIES times at most: the figure reported is
    // a rate the pipeline sustained, and the freshness is measured at it.
    const seconds = ctx.quick ? 8 : 60;
    const first = Math.max(50, Math.min(offered, Math.floor((capacity * 0.9) / 50) * 50));
    let s = await sustain(ctx, sys, watch, { rate: first, seconds, batch, next, probeUnits, label });
    const tried: string[] = [];
    for (let retry = 0; s.steady === false && !ctx.quick && s.rate > 50 && retry < SUSTAIN_RETRIES; retry++) {
      tried.push(
        `${s.rate}/s: backlog GROWING (${s.growth.toFixed(0)} msg/s), freshness p99 ${(percentile(s.freshness, 99) / 1000).toFixed(1)} s`,
      );
      s = await sustain(ctx, sys, watch, {
        rate: Math.max(50, Math.floor((s.rate * 0.8) / 50) * 50),
        seconds,
        batch,
        next,
        probeUnits,
        label,
      });
    }
    const earlier = tried.length > 0 ? `; first tried at ${tried.join('; then at ')}` : '';
    const { rate, run, steady, growth, maxLag, lastLag, lagSeen, drained, drainError, freshness, flushing, cpu: sustainedCpu } = s;
    const achieved = run.accepted / run.seconds;
    const steadyCpu = sustainedCpu
      ? cpuRow(
          SECTION,
          `at the sustained rate (${rate}/s, the load and its drain)${label}`,
          run.accepted,
          sustainedCpu.spent,
          sustainedCpu.eventsBefore,
          sustainedCpu.eventsAfter,
          `the freshness probes’ ${fmtNumber(sustainedCpu.probeReads)} unit-page reads (${fmtNumber(sustainedCpu.probeReads / run.seconds)}/s) are in these figures`,
        )
      : null;
    const note = pipelineNote(cpu, steadyCpu, ctx.limits.jetstreamPublish);
    rows.push({
      section: SECTION,
      measure: `sustained ${seconds} s through intake (batches of ${batch}) → rates → compliance${label}`,
      value: achieved,
      unit: 'reports/s',
      detail:
        `offered ${rate}/s${run.fellBehind ? ' (sender fell behind)' : ''}; backlog (rates+compliance lag and rates' unflushed marks) max ${maxLag.toLocaleString('en-US')}, ` +
        `trend ${growth.toFixed(0)} msg/s over the 2nd half → ${steady === null ? 'no bz_consumer_lag_messages exposed' : steady ? 'not growing' : 'GROWING'}; ` +
        `drained ${drained === null ? `not within the wait: ${drainError}` : `${drained.toFixed(1)} s after the load`}` +
        (run.failures ? `; ${run.failures} failed requests (${run.firstError})` : '') +
        earlier,
      limit: streamLimit(ctx, cpu),
      // A rate whose backlog grew was not sustained: missed, whatever its figure.
      ...(steady === false ? { target: SUSTAINED.text, met: false, within: false } : judge(SUSTAINED, achieved)),
      note,
    });
    rows.push({
      section: SECTION,
      measure: `backlog trend over the 2nd half of the sustained run${label}`,
      value: lagSeen ? growth : null,
      unit: 'msg/s',
      detail: `at ${rate}/s; rates+compliance lag (bz_consumer_lag_messages) and rates' unflushed marks (rates_dirty), sampled every second: max ${maxLag.toLocaleString('en-US')}, last ${lastLag?.toLocaleString('en-US') ?? '–'}; ${steady === null ? 'not exposed' : steady ? 'flat' : 'GROWING'}`,
      target: 'flat (< 1% of the offered rate)',
      met: steady,
      note,
    });
    if (steadyCpu) rows.push(steadyCpu);
    const censored = freshness.filter((x) => x >= PROBE_WINDOW_MS).length;
    const p50 = freshness.length ? percentile(freshness, 50) : NaN;
    const p99 = freshness.length ? percentile(freshness, 99) : NaN;
    rows.push({
      section: SECTION,
      measure: `freshness: 202 from intake → figure visible in GET /v1/units/{code}?date= (at ${rate}/s)${label}`,
      value: Number.isFinite(p99) ? p99 / 1000 : null,
      unit: 's (p99)',
      detail:
        `p50 ${(p50 / 1000).toFixed(2)} s; all ${freshness.length} probes counted, ${censored} not visible within ${PROBE_WINDOW_MS / 1000} s (counted as ${PROBE_WINDOW_MS / 1000} s)` +
        (flushing
          ? `; rates ran ${flushing.flushes} flush transactions during the load, ${flushing.meanSeconds.toFixed(2)} s each on average${replicas > 1 ? ' (its first replica)' : ''}`
          : ''),
      ...judge({ op: '≤', value: 2, text: 'p99 ≤ 2 s' }, freshness.length ? p99 / 1000 : null),
      note: 'a probe’s report joins the end of the same queues as the load (one stream, consumers in order) and waits for everything offered before it: near the machine’s capacity a flush of rates takes longer the more marks wait for it, and more wait the longer it takes, so freshness follows that standing backlog, not the path of one report (the next row: the same probes with nothing else offered)',
      ...(freshness.length && censored === freshness.length
        ? { error: `no probe became visible within ${PROBE_WINDOW_MS / 1000} s (rates: ${sys.logTail('rates', 300)})` }
        : {}),
    });
    if (replicas === 1) rows.push(await idleFreshness(ctx, sys, probeUnits));
  });
}

/** The freshness probes alone, after the load has drained: the path of one report through the pipeline, no queue before it. */
async function idleFreshness(ctx: BenchContext, sys: BenchSystem, probeUnits: readonly string[]): Promise<Row> {
  const seconds = ctx.quick ? 5 : 15;
  ctx.log(`pipeline: freshness probes alone for ${seconds} s`);
  const probes = new FreshnessProbes(sys, PROBE_WINDOW_MS);
  const running: Array<Promise<number>> = [];
  for (let i = 0; i < seconds * 4; i++) {
    running.push(probes.probe(probeUnits[i % probeUnits.length], 100_000 + nextProbe++).catch(() => PROBE_WINDOW_MS));
    await sleep(250);
  }
  const freshness = await Promise.all(running);
  const p99 = percentile(freshness, 99);
  return {
    section: SECTION,
    measure: 'freshness with nothing else offered: the same probes, four a second, after the load has drained',
    value: p99 / 1000,
    unit: 's (p99)',
    detail: `p50 ${(percentile(freshness, 50) / 1000).toFixed(2)} s, max ${(Math.max(...freshness) / 1000).toFixed(2)} s; ${freshness.length} probes`,
    note: 'a report’s own path: intake’s commit and relay, rates’ debounce (RATES_FLUSH_DEBOUNCE_MS) and flush, its relay, compliance’s projection batch, and the probe’s poll (every eighth of its age, at least 50 ms)',
  };
}

/**
 * The calibration again on a load shaped like a campaign's days (`CampaignDays`: each unit once a day, its installs
 * rising), beside the random load's: what a report costs when few reports look like jumps to quality and a status moves
 * less often, so that the random load's cost is not mistaken for the design's.
 */
function campaignShaped(ctx: BenchContext, rows: Row[]): Promise<void> {
  return withPipeline(ctx, 'pipelinec', 1, async (p) => {
    const days = new CampaignDays(new Prng(5), p.load);
    await calibrate(ctx, rows, p, ' [campaign-shaped load: each unit once a day, installs rising]', () => days.next());
  });
}

/**
 * What a stretch of a run cost: every process's CPU, PostgreSQL's by the service whose connections used it, and the
 * rows written by table with the server's WAL (`wal`, bytes).
 */
interface CpuSpent {
  readonly processes: ReadonlyArray<{ name: string; seconds: number }>;
  readonly postgresBy: ReadonlyArray<{ name: string; seconds: number }>;
  readonly writes: ReadonlyArray<{ name: string; count: number }>;
}

/** Where a measured stretch starts: every process's CPU so far, PostgreSQL's by service sampled from then on, the rows written so far. */
interface CpuMark {
  readonly processes: CpuSnapshot;
  readonly postgres: { stop(): Promise<CpuSnapshot> };
  readonly writes: Promise<CpuSnapshot>;
}

/**
 * PostgreSQL 15 reports a connection's row counts when it goes idle, or, within a second of its last report, up to
 * ten seconds later: the rows written are read that long after the stretch's CPU, once the system is idle.
 */
const ROW_COUNTS_SETTLE_MS = 11_000;

function cpuMark(sys: BenchSystem): CpuMark {
  const writes = sys.rowWrites().catch((): CpuSnapshot => ({}));
  return { processes: sys.cpuSnapshot(), postgres: sys.postgresByService(), writes };
}

/** What the stretch since `before` cost. */
async function cpuSince(sys: BenchSystem, before: CpuMark): Promise<CpuSpent> {
  const postgres = await before.postgres.stop();
  const processes = BenchSystem.cpuBetween(before.processes, sys.cpuSnapshot());
  await sleep(ROW_COUNTS_SETTLE_MS);
  const writesBefore = await before.writes;
  const writesAfter = await sys.rowWrites().catch((): CpuSnapshot => ({}));
  return {
    processes,
    postgresBy: BenchSystem.cpuBetween({}, postgres),
    // A table is only counted with both ends read (a snapshot that failed leaves the rows out, not the whole count).
    writes: BenchSystem.cpuBetween(writesBefore, Object.fromEntries(Object.entries(writesAfter).filter(([k]) => k in writesBefore))).map(
      (d) => ({ name: d.name, count: d.seconds }),
    ),
  };
}

/** The rows written a report, in all and by the tables that took the most, and the WAL a report: what the CPU is spent on. */
function writesPerReport(writes: CpuSpent['writes'], reports: number): string {
  const wal = writes.find((w) => w.name === 'wal')?.count ?? null;
  const fpi = writes.find((w) => w.name === 'wal full-page images')?.count ?? null;
  const tables = writes.filter((w) => w.name !== 'wal' && w.name !== 'wal full-page images' && w.count > 0);
  if (tables.length === 0) return '';
  const total = tables.reduce((a, w) => a + w.count, 0);
  // Every table that took at least one row in twenty reports.
  const shown = tables.filter((w) => w.count / reports >= 0.05);
  const top = shown.map((w) => `${w.name} ${(w.count / reports).toFixed(2)}`);
  const walText =
    wal === null
      ? ''
      : `, ${fmtNumber(wal / reports / 1024)} KB of WAL a report (the whole server${fpi !== null ? `; ${(fpi / reports).toFixed(2)} full-page images a report` : ''})`;
  return (
    `; ${(total / reports).toFixed(1)} rows written a report (inserted, updated or deleted, as PostgreSQL counted them: ${top.join(', ')}` +
    `${tables.length > shown.length ? ', the rest fewer than 0.05 each' : ''})${walText}`
  );
}

/**
 * Where the calibration's CPU went, per report, by process: on a machine of N cores the pipeline cannot absorb more
 * than N seconds of CPU a second, so this says which rate the machine itself allows, and how far each process is
 * from the budget the target leaves (N cores / the target rate). With the events each report caused on the stream.
 */
/** A CPU row, with the events on the stream a report it counted (what the stream's own limit is divided by). */
type CpuRow = Row & { eventsPerReport: number };

/**
 * The most reports a second the stream itself carries at this run's events a report: the machine's JetStream publish
 * rate (limits row) divided by them. In reports/s, the unit of the pipeline's rows, so that their ratio says how far
 * the stream is from holding them back; the bare publish rate when either is unknown.
 */
function streamLimit(ctx: BenchContext, cpu: CpuRow | null): LimitRef | undefined {
  const js = ctx.limits.jetstreamPublish;
  if (!js || !cpu || !(cpu.eventsPerReport > 0)) return js;
  return {
    name: `JetStream publish ÷ ${cpu.eventsPerReport.toFixed(2)} events a report`,
    value: js.value / cpu.eventsPerReport,
    unit: 'reports/s',
  };
}

function cpuRow(
  section: string,
  when: string,
  reports: number,
  spent: CpuSpent,
  eventsBefore: ReadonlyMap<string, number>,
  eventsAfter: ReadonlyMap<string, number>,
  also = '',
): CpuRow {
  const us = (seconds: number) => (seconds * 1e6) / reports;
  const total = spent.processes.reduce((a, p) => a + p.seconds, 0);
  const postgres = spent.processes.find((p) => p.name === 'postgres')?.seconds ?? 0;
  const owned = spent.postgresBy.filter((p) => p.seconds > 0);
  const rest = postgres - owned.reduce((a, p) => a + p.seconds, 0);
  // PostgreSQL's share by the service whose connections spent it; the rest is the server's own work (WAL, checkpoints,
  // autovacuum) and connections closed meanwhile.
  const byOwner = owned.length
    ? ` (by whose connections: ${owned.map((p) => `${p.name} ${fmtNumber(us(p.seconds))}`).join(', ')}, the rest ${fmtNumber(us(Math.max(0, rest)))})`
    : '';
  const cores = availableParallelism();
  const events = [...eventsAfter]
    .map(([type, n]) => ({ type, n: n - (eventsBefore.get(type) ?? 0) }))
    .filter((e) => e.n > 0)
    .sort((a, b) => b.n - a.n);
  const perReport = events.reduce((a, e) => a + e.n, 0) / reports;
  return {
    eventsPerReport: perReport,
    section,
    measure: `CPU a report ${when}, all processes`,
    value: us(total),
    unit: 'µs/report',
    detail:
      `${spent.processes.map((p) => `${p.name} ${fmtNumber(us(p.seconds))}${p.name === 'postgres' ? byOwner : ''}`).join(', ')} µs; ` +
      `${cores} cores at this cost absorb at most ${fmtNumber((cores * 1e6) / us(total))} reports/s, ` +
      `${fmtNumber(TARGET_RATE)}/s (the target) leaves ${fmtNumber((cores * 1e6) / TARGET_RATE)} µs a report; ` +
      `${perReport.toFixed(2)} events on the stream a report (${events.map((e) => `${e.type} ${(e.n / reports).toFixed(2)}`).join(', ')}); ` +
      'PostgreSQL and NATS are every process of the shared servers (quiet machine assumed)' +
      writesPerReport(spent.writes, reports) +
      (also ? `; ${also}` : ''),
  };
}

/**
 * What holds the sustained rate back, from this run's own calibration (its CPU a report), then the profile that
 * named the costs (dated: it is not re-measured by every run).
 */
function pipelineNote(calibration: CpuRow | null, steady: Row | null, jetstream: LimitRef | undefined): string {
  const cores = availableParallelism();
  const perReport = calibration?.eventsPerReport ?? 0;
  const stream =
    jetstream && perReport > 0
      ? `What the stream itself carries: at the calibration’s ${perReport.toFixed(2)} events on the stream a report, ${fmtNumber(TARGET_RATE)} reports/s means ${fmtNumber(perReport * TARGET_RATE)} publishes a second, against the ${fmtNumber(jetstream.value)} msg/s this machine’s JetStream took from a Node publisher in the limits row, so the stream would carry at most ${fmtNumber(jetstream.value / perReport)} reports a second with every service free${
          jetstream.value / perReport < TARGET_RATE
            ? `: the target also needs fewer events a report (at most ${(jetstream.value / TARGET_RATE).toFixed(2)} on this machine)`
            : ', more than the target: the stream is not what holds it back'
        }. Rates publishes a flush’s figures and status changes as a few bundles (rates.figures.updated, rates.target.statuses-changed, up to 500 an event) so that a report’s events are mostly its own and quality’s findings: at ~3.4 events a report before them, the stream alone carried fewer than 5,000 reports a second on this machine. `
      : '';
  const budget = (cores * 1e6) / TARGET_RATE;
  const measured =
    calibration?.value != null
      ? `this run’s calibration measured ${fmtNumber(calibration.value)} µs of CPU a report, all processes (its row above, by process), against the ${fmtNumber(budget)} µs a report that ${fmtNumber(TARGET_RATE)}/s on ${cores} cores leaves: at that cost the machine itself absorbs at most ${fmtNumber((cores * 1e6) / calibration.value)} reports/s, so the target needs the work per report cut ${(calibration.value / budget).toFixed(1)}-fold, not a faster process. `
      : '';
  const ratio = steady?.value != null && calibration?.value ? steady.value / calibration.value : null;
  const sustained =
    ratio === null
      ? ''
      : ratio > 1.2
        ? `At the sustained rate a report cost ${fmtNumber(steady!.value!)} µs (${ratio.toFixed(2)}× the calibration’s; its row below, with rates’ flush transactions in the freshness row): a steady load puts fewer reports into each flush transaction than the calibration’s burst does. A transaction recomputes each marked unit over the days its reports can have changed (from a report’s day until the unit’s next report; a status the trend’s look-back further), but it takes a unit’s marks as one stretch, from the first marked day to the last, and an ancestor’s as the stretch of all its marked descendants’: with reports dated across the campaign, most of a district’s and the province’s days in every transaction, reading and diffing what was published of them and their children’s roll-ups whatever the number of reports behind the marks, so at the sustained rate the two cores are spent at the rate the row below allows, not the calibration’s. `
        : `At the sustained rate a report cost ${fmtNumber(steady!.value!)} µs (${ratio.toFixed(2)}× the calibration’s; its row below). `;
  return (
    measured +
    stream +
    sustained +
    'Every report causes events on the stream (its own, quality’s findings, and its share of rates’ bundles of figures and statuses: the CPU rows count them by type), and every event pays an outbox row, a relay publish, NATS, a decode, an inbox row and an apply in each consumer. ' +
    'The load’s randomness is not what holds it back: the section’s last rows run the calibration on a campaign-shaped load (each unit once a day, installs rising), where quality finds almost nothing and a status moves less often, and a report still costs several times the budget (its CPU row). ' +
    PIPELINE_PROFILE
  );
}

/** The profile behind the note: pg_stat_statements and V8, on the day it was taken. */
const PIPELINE_PROFILE =
  'profiled on 2026-12-07, eighth pass (paired --only pipeline runs of the code before and after rates’ bundles, one after the other on the same machine): rates’ figures and status changes as bundles took the events on the stream from 3.4 to 1.4 a report, compliance’s inbox rows from 4.0 to 2.0 and rates’ outbox rows from 2.0 to none; the calibration 1,317 → 1,680 reports/s at 1,426 → 935 µs of CPU a report (the campaign-shaped load 1,343 → 821 µs, two replicas 1,722 → 979 µs); the sustained rate stayed where it was (1,150/s before; 950/s after, 1,200/s growing by 60 msg/s), with freshness p99 10 → 3.7 s: at the sustained rate rates flushed twice as often (47 flushes of 1.25 s against 22 of 2.71 s in the minute) and its process and connections took 950 µs a report against 670, since a flush recomputes the ancestors’ days of its marks whatever their number, so what the plumbing gave back went to more, smaller flushes; cutting that per-flush work (an ancestor’s days recomputed only where a mark’s can reach, not the stretch from its first marked day to its last) is the next step for the sustained rate. Earlier the same day, seventh pass (the rows each report caused to be written, by table, now in the CPU rows; paired --only pipeline runs, same hour): at the sustained rate a report caused ~25 rows to be written and 10–12 KB of WAL (full-page images a small part: 0–0.35 a report); the largest shares were compliance’s inbox (3.9: the projection and quality each claim the report’s event, the projection every figure, status and finding), rates’ roll-ups (2.3–2.9: a figure lane and a status lane a unit), rates’ dirty marks (2.0: written and taken), the outbox (1.9 in rates), and rates’ stored daily copy of its figures and statuses beside what it published (1.4 and 1.6). That copy was only read to skip rewriting unchanged rows and is gone (migration PublishedTimelinesOnly): 22.3 rows a report, rates’ PostgreSQL 238 → 198 µs a report and its process 324 → 308 at the sustained rate (206 → 167 and 264 → 252 in the calibration), the whole CPU a report within the noise (1,376 → 1,363 µs). What is left is the events’ plumbing (an outbox row a publication and an inbox row a delivery: ~7.5 of the ~22 rows) and one or two rows of state a report in each service. PostgreSQL’s settings are not what holds it back: a private instance with this machine’s (autovacuum off, 128 MB of shared buffers, 1 GB max_wal_size) gave 1,650/s sustained and 1,004 µs a report in the calibration, and the same with 2 GB of shared buffers, 8 GB max_wal_size, a 15-minute checkpoint interval and lz4 WAL compression 1,037 µs (its sustained run first tried 1,550/s and held 1,200/s: the machine’s load, 4.8 at the end, not the settings). Earlier the same day, sixth pass (pg_stat_statements and auto_explain on a private instance over the sustained minute at a fixed 800/s and its drain; V8 profiles of rates, compliance and intake): two plans found scanning a whole table on every call, both fixed: the freshness probes’ unit page (GET /v1/units/{code}) filtered the unit’s statuses out of every status row when the targets table had no statistics (10.6 ms a call, 6.7 of 71 s of statement time; now each target’s status through the primary key, 0.65 ms), and quality’s read of a batch’s stored violations was a hash join over every violation raised (13–16 ms a call, 21–29 ms for batches of ~1,000; now one descent of a new (unit, cohort, day) index a report, 3.6 ms). A report’s CPU at 800/s did not move beyond the noise (2,486 and 2,577 µs before, 2,546, 2,561 and 2,437 after, the machine’s JetStream limit 6,400–9,000 msg/s between runs). Where PostgreSQL’s statement time goes now (70 s in the minute and its drain): rates’ flushes 30% (the roll-ups read 50,000 rows a flush, the stored and published figures and statuses ~12,000–15,000 rows each, the upserts), quality 15% (its history read 13 ms a batch: ~12 earlier reports a report, each on a heap page of its own; an index-only read would save a third of it and cost an index on every report stored), compliance’s projection 14% (the status counts 22 ms a batch), the inbox 13% and the outbox and relay 13% (together a quarter: every event pays a row written, read and claimed), intake’s heads 6%, the benchmark’s own reads 4%; planning 5%. The processes are ~47% idle (the two cores are shared), and their busy time is spread: socket writes to PostgreSQL and NATS 6–14% of each profile, the garbage collector 6–8%, pg’s row parsing and parameter quoting ~5% of rates’. No single statement or function is near the budget any more: the cost is in the number of rows and events each report causes. Earlier the same day, fifth pass (PostgreSQL’s CPU by the service whose connections spent it, now in these CPU rows; pg_stat_statements on a private instance; an experiment with quality’s rules off, not committed): at the sustained rate compliance’s connections spent more of PostgreSQL than rates’ (~390–470 against ~255–315 µs a report at 1,000–1,300/s); by statement time quality’s rules were a third of PostgreSQL’s (173 of 530 s), its read of the siblings’ reports 106 s alone (319 ms a call: a bitmap scan per sibling and range, ~2,000 a batch), then rates’ read of its units’ reports (36 s, 347 ms a call: every revision ever received of each day, ~11 a day by a run’s end). Both are fixed: the siblings in one scan of the primary key per range (15.5 ms a call), rates_reports one version a day. With quality’s rules off the pipeline held 1,750/s at its first try and a report cost 1,093 µs at it (compliance’s PostgreSQL 85 µs), so with the random load the rules were ~400 µs a report; what is left of them at the steady rate is per batch (the history, the stored findings, the writes and their events, 0.4 a report with this load). Planning is ~20% of statement time (track_planning, a --quick run): the statements are sent unnamed and planned every time. Paired runs of the session’s first and last code on the same machine (the second ~12% slower by its limits) put the sustained rate at 850 and 1,000/s (2,279 and 1,990 µs a report at it), two replicas at 1,200 and 900/s: within what the same code gives from run to run today (1,000–1,350/s), so the gain is not shown beyond that noise. Earlier, on 2026-12-06, fourth pass, after the third pass’s changes (pg_stat_statements on a private instance, same binaries, over the one-replica half of the section: 322 s of PostgreSQL time in ~256 s, ~1.3 of the 2 cores; V8 profile of rates): PostgreSQL’s time by owner: rates’ flushes 98 s (38 flushes, ~2.6 s each: the neighbourhood’s reports 365 ms and ~14,500 rows, the stored roll-ups from the marked day on 262 ms and ~37,500 rows, the stored and published figures and statuses ~650 ms and 12,000–16,000 rows each, the upserts ~840 ms and 3,500–8,000 rows a kind: the load’s reports are dated across the campaign, so a flush rewrites most of the province’s days), quality 85 s (the sibling read, 246 ms and ~3,900 rows a call, the costliest statement: the load’s counts are random from report to report, so most reports look like jumps and ask for their siblings, which a real campaign’s rising counts rarely do), compliance’s read model 52 s (of it the probe watchers’ unit pages 21 s, 15 ms each: the benchmark’s own reads), the outbox 38 s, the inbox 33 s, intake 15 s; rates itself is 38% idle waiting on PostgreSQL and 16% in the garbage collector, so no single process is the limit: the two cores are, shared by PostgreSQL, the three services, NATS and the load generator. With two replicas, quality’s report insert waits on the other replica’s locks on the same report days, held for its whole transaction (a report is judged against those before it): 398 ms a call on average, up to 5 s, so quality’s work does not spread over replicas';

export const pipelineSection: Section = {
  name: 'pipeline',
  title:
    'Pipeline intake → rates → compliance: sustained rate without a growing backlog, and freshness (one replica each, then two of rates and compliance), and the calibration again on a campaign-shaped load',
  async run(ctx: BenchContext, rows: Row[]) {
    // The two-replica run runs even when the first failed; the first failure is reported.
    let first: unknown = null;
    await runPipeline(ctx, rows, 1).catch((err: unknown) => void (first = err));
    await runPipeline(ctx, rows, 2).catch((err: unknown) => void (first ??= err));
    await campaignShaped(ctx, rows);
    if (first) throw first;
  },
};
