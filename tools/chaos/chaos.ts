import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { streamNames } from '@app/messaging';
import { LocalCluster } from '../cluster/local-cluster';
import { OwnPostgres } from '../cluster/own-postgres';
import { pollUntil, repoRoot } from '../processes/service-processes';
import { withAdmin } from '../processes/scratch';
import { checkFigures, compareGenerations, type CheckResult } from './checker';
import { FaultInjector, schedule, type FaultKind } from './faults';
import { Load } from './load';

export interface ChaosOptions {
  minutes: number;
  seed?: number;
  /** Fault injection of the checker itself: remove one applied report from the read model before checking. */
  dropOneReport?: boolean;
  log?: (m: string) => void;
}

export interface ChaosFigures extends CheckResult {
  accepted: number;
  /** Reports among them (single and batch items). */
  reports: number;
  refused: number;
  unanswered: number;
  faults: Record<FaultKind, number>;
}

/** The one line `npm run chaos` prints. */
export function figuresLine(f: ChaosFigures): string {
  const faults = Object.entries(f.faults)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const total = Object.values(f.faults).reduce((a, b) => a + b, 0);
  return (
    `chaos: requests accepted ${f.accepted} (${f.reports} reports; refused ${f.refused}, unanswered ${f.unanswered}); ` +
    `faults injected ${total} (${faults}); reports lost ${f.lost}; reports double-counted ${f.doubled}; ` +
    `read-model rows differing ${f.differing ?? 'not compared'}; refused requests stored ${f.refusedStored}; dead letters ${f.deadLetters ?? 'unknown'}`
  );
}

/** 0 when nothing was lost, counted twice, stored from a refusal, left in the DLQ, or different from a rebuild. */
export function exitCodeOf(f: ChaosFigures): number {
  return f.lost === 0 && f.doubled === 0 && f.differing === 0 && f.refusedStored === 0 && f.deadLetters === 0 ? 0 : 1;
}

/** What runs now, for a Ctrl-C in the middle of a run: stopCurrent() stops it all. */
let current: { cluster: LocalCluster | null; postgres: OwnPostgres } | null = null;
export async function stopCurrent(): Promise<void> {
  const c = current;
  current = null;
  if (!c) return;
  if (c.cluster) await c.cluster.stop().catch(() => undefined);
  c.postgres.dispose();
}

const SCHEMAS_WITH_OUTBOX = ['registry', 'intake', 'support_points', 'workforce', 'rates', 'notifier'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A finished run whose cluster still runs: check it again (the tests drop an event to see the checker fail). */
export class ChaosRun {
  constructor(
    readonly cluster: LocalCluster,
    readonly postgres: OwnPostgres,
    readonly databaseUrl: string,
    readonly load: Load,
    readonly faults: FaultInjector,
    private readonly log: (m: string) => void,
  ) {}

  /** Every consumer caught up, every outbox published, twice in a row. */
  async settle(timeoutMs = 180_000): Promise<void> {
    let calm = 0;
    await pollUntil(
      async () => {
        const idle = await this.idle();
        calm = idle ? calm + 1 : 0;
        return calm >= 2;
      },
      'the system to settle (consumers caught up, outboxes published)',
      timeoutMs,
      3000,
    );
  }

  private async idle(): Promise<boolean> {
    const pending = await this.cluster.withAdmin(async (nc) => {
      const jsm = await jetstreamManager(nc, { timeout: 5000 });
      let n = 0;
      for await (const c of jsm.consumers.list(streamNames(this.cluster.options.namespace).events)) n += c.num_pending + c.num_ack_pending;
      return n;
    });
    if (pending > 0) return false;
    return withAdmin(this.databaseUrl, async (db) => {
      for (const s of SCHEMAS_WITH_OUTBOX) {
        const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM "${s}".outbox_pending`)).rows;
        if (n > 0) return false;
      }
      return true;
    });
  }

  async deadLetters(): Promise<number> {
    return this.cluster.withAdmin(async (nc) => {
      const jsm = await jetstreamManager(nc, { timeout: 5000 });
      return (await jsm.streams.info(streamNames(this.cluster.options.namespace).deadLetters)).state.messages;
    });
  }

  /** `npm run rebuild -- compliance` into a new generation; returns [previous, new]. */
  async rebuild(): Promise<[number, number]> {
    const generation = async () =>
      withAdmin(
        this.databaseUrl,
        async (db) => (await db.query(`SELECT generation FROM compliance.projection_pointer`)).rows[0].generation as number,
      );
    const before = await generation();
    const root = repoRoot();
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(process.execPath, [join(root, 'scripts', 'rebuild.js'), 'compliance'], {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: this.databaseUrl,
          NATS_URL: this.cluster.natsUrl,
          EVENTS_NAMESPACE: this.cluster.options.namespace,
          ADMIN_API_KEY: this.cluster.options.adminKey,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('exit', (code) => resolve({ code, text }));
    });
    if (out.code !== 0) throw new Error(`npm run rebuild -- compliance failed: ${out.text.trim().slice(-400)}`);
    return [before, await generation()];
  }

  /** Deletes one applied report from the live read model (its row and its figure): what a dropped event leaves. */
  async dropOneReport(): Promise<string> {
    const [key] = [...this.load.ledger.reports.keys()];
    const [unit, cohort, date] = key.split('|');
    await withAdmin(this.databaseUrl, async (db) => {
      const { generation } = (await db.query(`SELECT generation FROM compliance.projection_pointer`)).rows[0];
      const g = `"compliance_g${generation}"`;
      await db.query(`DELETE FROM ${g}.reports WHERE org_unit_code = $1 AND cohort = $2 AND as_of = $3`, [unit, cohort, date]);
      await db.query(`DELETE FROM ${g}.figures WHERE org_unit_code = $1 AND cohort = $2 AND date = $3`, [unit, cohort, date]);
    });
    return key;
  }

  /** Settles, then counts. */
  async check(opts: { dropOneReport?: boolean; settleMs?: number } = {}): Promise<ChaosFigures> {
    await this.settle(opts.settleMs);
    this.log('settled: every consumer caught up, every outbox published');
    if (opts.dropOneReport) this.log(`dropped report ${await this.dropOneReport()} from the read model (--drop-one-report)`);
    // Rates recomputes after its consumers ack; give the last figures a few rounds to arrive.
    let figures = await checkFigures(this.databaseUrl, this.load.ledger);
    for (let i = 0; i < 10 && !opts.dropOneReport && (figures.lost || figures.doubled); i++) {
      await sleep(5000);
      await this.settle(opts.settleMs);
      figures = await checkFigures(this.databaseUrl, this.load.ledger);
    }
    for (const f of figures.findings) this.log(`finding: ${f}`);
    const [before, after] = await this.rebuild();
    this.log(`rebuilt the read model: generation ${before} → ${after}`);
    const cmp = await compareGenerations(this.databaseUrl, before, after);
    const differingTables = Object.entries(cmp.byTable).filter(([, n]) => n > 0);
    if (differingTables.length) {
      this.log(`read model vs rebuild (generation ${before} vs ${after}): ${differingTables.map(([t, n]) => `${t} ${n}`).join(', ')}`);
      for (const sample of cmp.samples) this.log(`  ${sample}`);
      // What the services said about lost events and late work: a CI run keeps only this output, not their logs.
      this.log(`rates' unflushed marks now: ${await this.unflushedMarks()}`);
      for (const line of this.serviceLogLines(/gap found|gap still open|gap in |lost for good/i, 30)) this.log(`  log: ${line}`);
    }
    const tally = this.load.tally();
    return {
      ...figures,
      ...tally,
      reports: this.load.ledger.reports.size,
      differing: cmp.differing,
      deadLetters: await this.deadLetters(),
      faults: this.faults.byKind(),
    };
  }

  private unflushedMarks(): Promise<number> {
    return withAdmin(
      this.databaseUrl,
      async (db) =>
        (await db.query(`SELECT (SELECT count(*) FROM rates.rates_dirty) + (SELECT count(*) FROM rates.rates_dirty_targets) AS n`)).rows[0]
          .n as number,
    );
  }

  /** The services' log lines (every replica) that match, the last `max` of each file, each cut to 300 characters. */
  private serviceLogLines(pattern: RegExp, max: number): string[] {
    const root = join(this.cluster.options.dir, 'logs');
    if (!existsSync(root)) return [];
    const out: string[] = [];
    for (const replica of readdirSync(root))
      for (const file of readdirSync(join(root, replica)).filter((f) => f.endsWith('.log'))) {
        const lines = readFileSync(join(root, replica, file), 'utf8')
          .split('\n')
          .filter((l) => pattern.test(l));
        out.push(...lines.slice(-max).map((l) => `${replica}/${file}: ${l.slice(0, 300)}`));
      }
    return out;
  }

  async stop(): Promise<void> {
    await stopCurrent();
    await this.cluster.stop().catch(() => undefined);
    this.postgres.dispose();
  }
}

/**
 * `npm run chaos`: its own PostgreSQL and the local cluster, the load for `minutes` with the fault schedule spread
 * over it, then settle and check. Returns the run (cluster still up) and its figures.
 */
export async function runChaos(o: ChaosOptions): Promise<{ run: ChaosRun; figures: ChaosFigures }> {
  const log = o.log ?? ((m: string) => process.stderr.write(`chaos: ${m}\n`));
  const seed = o.seed ?? 18;
  const dir = join(repoRoot(), '.data', 'cluster', 'chaos');
  const postgres = await OwnPostgres.create('chaos');
  let cluster: LocalCluster | null = null;
  current = { cluster, postgres };
  try {
    await postgres.start();
    const database = 'bz_chaos';
    await withAdmin(postgres.url, (c) => c.query(`CREATE DATABASE ${database}`));
    const databaseUrl = postgres.url.replace(/\/postgres$/, `/${database}`);
    log(`PostgreSQL of its own on ${postgres.port} (${postgres.dir})`);
    cluster = new LocalCluster({
      dir,
      databaseUrl,
      namespace: 'bz',
      adminKey: `chaos-admin-${seed}-0123456789abcdef`,
      log,
      env: { DB_POOL_SIZE: '5' },
    });
    current.cluster = cluster;
    const started = Date.now();
    await cluster.start();
    log(`cluster up in ${Math.round((Date.now() - started) / 1000)} s: NATS ${cluster.natsUrl}`);
    mkdirSync(dir, { recursive: true });
    const journal = join(dir, 'requests.jsonl');
    writeFileSync(journal, '');
    const load = new Load(
      {
        registry: cluster.url('registry'),
        intake: cluster.url('intake'),
        supportPoints: cluster.url('support-points'),
        workforce: cluster.url('workforce'),
      },
      cluster.options.adminKey,
      journal,
      seed,
    );
    await load.prepare();
    log(`load prepared (enterprises, support points) in ${Math.round((Date.now() - started) / 1000)} s since the start`);
    const injector = new FaultInjector(cluster, postgres, log, seed);
    const run = new ChaosRun(cluster, postgres, databaseUrl, load, injector, log);
    const loadMs = o.minutes * 60_000;
    const t0 = Date.now();
    const plan = schedule(seed);
    let faultsDone = false;
    const faults = (async () => {
      const every = (loadMs * 0.9) / plan.length;
      for (const [i, f] of plan.entries()) {
        const wait = t0 + 3000 + i * every - Date.now();
        if (wait > 0) await sleep(wait);
        await injector.apply(f);
      }
      faultsDone = true;
    })().finally(() => (faultsDone = true));
    // The load runs for the minutes asked, and on until the last fault has been applied.
    const sending = load.run(() => Date.now() < t0 + loadMs || !faultsDone);
    await Promise.all([faults, sending]);
    await injector.settle();
    const t = load.tally();
    log(
      `load done in ${Math.round((Date.now() - t0) / 1000)} s: ${load.ledger.requests.length} requests (${t.accepted} accepted, ${t.refused} refused, ${t.unanswered} unanswered); journal ${journal}`,
    );
    const figures = await run.check({ dropOneReport: o.dropOneReport });
    return { run, figures };
  } catch (err) {
    await stopCurrent();
    throw err;
  }
}
