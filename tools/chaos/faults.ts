import { jetstreamManager } from '@nats-io/jetstream';
import { streamNames } from '@app/messaging';
import { SERVICES, type Service } from '../processes/service-processes';
import type { LocalCluster } from '../cluster/local-cluster';
import type { OwnPostgres } from '../cluster/own-postgres';
import { Prng, seededRandom } from '../simulator/src/prng';

export type FaultKind = 'replica-kill' | 'nats-kill' | 'nats-pause' | 'pg-restart' | 'net-cut';
export const FAULT_KINDS: FaultKind[] = ['replica-kill', 'nats-kill', 'nats-pause', 'pg-restart', 'net-cut'];

export interface Fault {
  kind: FaultKind;
  service?: Service;
  replica?: number;
  node?: number;
  /** A consumer of the killed service had messages delivered and not yet acknowledged when it died. */
  midBatch?: boolean;
  at?: number;
  note?: string;
}

/** How long a paused node stays stopped, and a cut node cut off: longer than the clients' timeouts (publish 5 s, ping 10 s). */
export const PAUSE_MS = 12_000;
export const CUT_MS = 15_000;
export const NATS_DOWN_MS = 4_000;

/**
 * The schedule: every service's replicas killed (kill -9) at least twice, rates and compliance while a batch is
 * in their hands, and one of each broker and database fault between them, spread over the load.
 */
export function schedule(seed: number): Fault[] {
  const rng = new Prng(seed);
  const kills: Fault[] = [];
  for (const s of SERVICES) for (let i = 0; i < 2; i++) kills.push({ kind: 'replica-kill', service: s });
  rng.shuffle(kills);
  const infra: Fault[] = [
    { kind: 'nats-kill', node: 2 },
    { kind: 'pg-restart' },
    { kind: 'nats-pause', node: 3 },
    { kind: 'net-cut', node: 1 },
  ];
  const out: Fault[] = [];
  const every = Math.floor(kills.length / infra.length);
  kills.forEach((k, i) => {
    out.push(k);
    if ((i + 1) % every === 0 && infra.length) out.push(infra.shift()!);
  });
  out.push(...infra);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies faults to a running cluster; remembers what it did. */
export class FaultInjector {
  readonly done: Fault[] = [];
  private readonly restarting = new Map<string, Promise<void>>();
  private readonly rnd: () => number;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly postgres: OwnPostgres | null,
    private readonly log: (m: string) => void,
    seed: number,
  ) {
    this.rnd = seededRandom(seed * 7 + 1);
  }

  /** Whether a consumer of `service` holds delivered, unacknowledged messages (a batch in flight). */
  private async batchInFlight(service: Service): Promise<boolean> {
    try {
      return await this.cluster.withAdmin(async (nc) => {
        const jsm = await jetstreamManager(nc, { timeout: 3000 });
        for await (const c of jsm.consumers.list(streamNames(this.cluster.options.namespace).events))
          if (c.name.startsWith(`${service}-`) && c.num_ack_pending > 0) return true;
        return false;
      });
    } catch {
      return false;
    }
  }

  async apply(f: Fault): Promise<void> {
    const c = this.cluster;
    f.at = Date.now();
    const started = Date.now();
    switch (f.kind) {
      case 'replica-kill': {
        const s = f.service!;
        const r = Math.floor(this.rnd() * c.replicasOf(s));
        f.replica = r;
        // One replica of a service down at a time: wait for the last one killed to be back.
        await this.restarting.get(s);
        if (s === 'rates' || s === 'compliance') {
          const until = Date.now() + 5000;
          while (!(f.midBatch = await this.batchInFlight(s)) && Date.now() < until) await sleep(100);
        }
        await c.killReplica(s, r);
        c.startReplica(s, r);
        this.restarting.set(
          s,
          c.waitReplica(s, r, 180_000).catch((err: Error) => this.log(`${s} replica ${r + 1} did not come back: ${err.message}`)),
        );
        break;
      }
      case 'nats-kill':
        await c.killNode(f.node!);
        await sleep(NATS_DOWN_MS);
        c.startNode(f.node!);
        await c.waitNode(f.node!, 60_000);
        break;
      case 'nats-pause':
        c.signalNode(f.node!, 'SIGSTOP');
        await sleep(PAUSE_MS);
        c.signalNode(f.node!, 'SIGCONT');
        break;
      case 'pg-restart':
        if (!this.postgres) {
          f.note = 'skipped: not the suite’s own PostgreSQL';
          break;
        }
        this.postgres.crash();
        await sleep(2000);
        await this.postgres.start();
        break;
      case 'net-cut': {
        const n = c.node(f.node!);
        c.gates.isolate(n.name);
        // The node's own view: no route left (its clients stay connected to it).
        const routes = async () =>
          (
            (await (await fetch(`http://127.0.0.1:${n.httpPort}/routez`, { signal: AbortSignal.timeout(2000) })).json()) as {
              num_routes: number;
            }
          ).num_routes;
        const until = Date.now() + 5000;
        let left = await routes().catch(() => -1);
        while (left !== 0 && Date.now() < until) {
          await sleep(200);
          left = await routes().catch(() => -1);
        }
        f.note = left === 0 ? undefined : `routes still up (${left})`;
        await sleep(CUT_MS);
        c.gates.heal();
        if (f.note) this.log(`net-cut of ${n.name}: ${f.note}`);
        break;
      }
    }
    this.done.push(f);
    this.log(`fault ${this.done.length}: ${describe(f)} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
  }

  /** Waits for every replica restarted by a kill. */
  async settle(): Promise<void> {
    await Promise.all(this.restarting.values());
  }

  byKind(): Record<FaultKind, number> {
    const out = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    // A fault that did not happen (no own PostgreSQL, routes that stayed up) is not counted.
    for (const f of this.done) if (!f.note) out[f.kind] += 1;
    return out;
  }
}

export function describe(f: Fault): string {
  switch (f.kind) {
    case 'replica-kill':
      return `kill -9 ${f.service} replica ${f.replica! + 1}${f.midBatch ? ' (batch in flight)' : ''}`;
    case 'nats-kill':
      return `kill -9 nats-${f.node}, restarted after ${NATS_DOWN_MS / 1000} s`;
    case 'nats-pause':
      return `SIGSTOP nats-${f.node} for ${PAUSE_MS / 1000} s`;
    case 'pg-restart':
      return f.note ? `PostgreSQL restart ${f.note}` : 'PostgreSQL crash (pg_ctl stop -m immediate) and restart';
    case 'net-cut':
      return f.note
        ? `cut of nats-${f.node} failed: ${f.note}`
        : `routes of nats-${f.node} cut for ${CUT_MS / 1000} s (its /routez: 0 routes)`;
  }
}
