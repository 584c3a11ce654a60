import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ensureStreams } from '@app/messaging';
import { freePort, pollUntil, ServiceProcesses, SERVICES, type Service } from '../processes/service-processes';
import { Balancer } from './balancer';
import { NATS_NODE_SETTINGS, natsNodeConf, natsServerBinary, natsServerVersion, unsupportedSettings } from './nats-conf';
import { RouteGates } from './route-gates';

/** Replicas per service: two of each, three of intake (deploy/docker-compose.cluster.yml). */
export const REPLICAS: Record<Service, number> = {
  registry: 2,
  intake: 3,
  'support-points': 2,
  workforce: 2,
  rates: 2,
  compliance: 2,
  notifier: 2,
};

export interface NatsNode {
  name: string;
  index: number;
  clientPort: number;
  routePort: number;
  httpPort: number;
  storeDir: string;
  confFile: string;
  proc: ChildProcess | null;
}

export interface LocalClusterOptions {
  /** Its folder: NATS stores, node files, logs (emptied at start). */
  dir: string;
  /** The cluster's database (it exists); the services run their migrations in it. */
  databaseUrl: string;
  namespace: string;
  adminKey: string;
  /** Environment for every replica. */
  env?: Record<string, string>;
  log?: (message: string) => void;
}

/**
 * The topology of deploy/ on one machine, without Docker: three nats-server processes clustered over loopback
 * (node files from tools/cluster/nats-conf.ts, routes through RouteGates so one node can be cut off), the
 * streams with 3 replicas, every service's replicas as processes of their own (tools/processes), and a
 * round-robin Balancer in front of each service. What `npm run cluster` runs and `npm run chaos` breaks.
 */
export class LocalCluster {
  readonly nodes: NatsNode[] = [];
  readonly gates = new RouteGates();
  /** replicaSets[r] runs replica r of every service that has more than r replicas. */
  readonly replicaSets: ServiceProcesses[] = [];
  readonly balancers = new Map<Service, Balancer>();
  natsVersion = '';
  private readonly log: (m: string) => void;
  private readonly usedPorts = new Set<number>();

  constructor(readonly options: LocalClusterOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /** A free port no other part of this cluster was given (freePort alone may hand out one twice). */
  private async port(): Promise<number> {
    for (;;) {
      const p = await freePort();
      if (!this.usedPorts.has(p)) {
        this.usedPorts.add(p);
        return p;
      }
    }
  }

  get natsUrl(): string {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`).join(',');
  }

  url(service: Service): string {
    return this.balancers.get(service)!.url;
  }

  replicasOf(service: Service): number {
    return REPLICAS[service];
  }

  // --- NATS -------------------------------------------------------------------------------------------

  async startNats(): Promise<void> {
    const o = this.options;
    const binary = natsServerBinary();
    this.natsVersion = natsServerVersion(binary);
    for (const left of unsupportedSettings(this.natsVersion)) this.log(`nats-server ${this.natsVersion}: left out ${left}`);
    const gatePorts: number[] = [];
    for (let i = 1; i <= NATS_NODE_SETTINGS.nodes; i++) {
      const storeDir = join(o.dir, `nats-${i}`);
      mkdirSync(storeDir, { recursive: true });
      this.nodes.push({
        name: `nats-${i}`,
        index: i,
        clientPort: await this.port(),
        routePort: await this.port(),
        httpPort: await this.port(),
        storeDir,
        confFile: join(o.dir, `nats-${i}.conf`),
        proc: null,
      });
      gatePorts.push(await this.port());
    }
    for (const [i, n] of this.nodes.entries()) await this.gates.open(n.name, n.routePort, gatePorts[i]);
    for (const [i, n] of this.nodes.entries()) {
      writeFileSync(
        n.confFile,
        natsNodeConf({
          index: n.index,
          clientListen: `127.0.0.1:${n.clientPort}`,
          httpListen: `127.0.0.1:${n.httpPort}`,
          storeDir: join(n.storeDir, 'store'),
          routeListen: `127.0.0.1:${n.routePort}`,
          routeAdvertise: `127.0.0.1:${gatePorts[i]}`,
          routes: gatePorts.map((p) => `nats-route://127.0.0.1:${p}`),
          version: this.natsVersion,
        }),
      );
    }
    for (const n of this.nodes) this.startNode(n.index);
    for (const n of this.nodes) await this.waitNode(n.index);
    await this.withAdmin(async (nc) => {
      // The meta leader is elected once the three nodes see each other (until then JetStream does not answer).
      let jsm: JetStreamManager | null = null;
      await pollUntil(async () => Boolean((jsm = await jetstreamManager(nc, { timeout: 3000 }))), 'JetStream meta leader', 60_000, 500);
      if (!jsm) throw new Error('JetStream did not answer');
      // A meta leader can answer before the other nodes have joined it: an R3 stream then has "no suitable peers for
      // placement" for a moment (seen once in a full npm test on a loaded machine), or the create goes unanswered while
      // the leadership settles (a request timeout, seen once in a clean-clone CI run). Until they have, asked again:
      // ensureStreams looks before it adds, so a create that did happen is found and compared, not made twice.
      let mismatches: string[] | null = null;
      for (const deadline = Date.now() + 60_000; mismatches === null;) {
        try {
          mismatches = await ensureStreams(jsm, { namespace: o.namespace, replicas: NATS_NODE_SETTINGS.streamReplicas });
        } catch (err) {
          const settling = /no suitable peers for placement/i.test((err as Error).message) || (err as Error).name === 'TimeoutError';
          if (!settling || Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      if (mismatches.length) throw new Error(`streams differ from the settings: ${mismatches.join('; ')}`);
    });
  }

  node(index: number): NatsNode {
    return this.nodes[index - 1];
  }

  startNode(index: number): void {
    const n = this.node(index);
    const out = createWriteStream(join(this.options.dir, `${n.name}.log`), { flags: 'a' });
    const proc = spawn(natsServerBinary(), ['-c', n.confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.pipe(out, { end: false });
    proc.stderr!.pipe(out, { end: false });
    n.proc = proc;
  }

  async waitNode(index: number, timeoutMs = 30_000): Promise<void> {
    const n = this.node(index);
    await pollUntil(
      async () => (await fetch(`http://127.0.0.1:${n.httpPort}/healthz?js-enabled-only=true`, { signal: AbortSignal.timeout(2000) })).ok,
      `${n.name} to answer /healthz`,
      timeoutMs,
      200,
    );
  }

  /** kill -9 of a node. */
  async killNode(index: number): Promise<void> {
    const p = this.node(index).proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  signalNode(index: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.node(index).proc?.kill(signal);
  }

  async withAdmin<T>(fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: this.natsUrl.split(','), maxReconnectAttempts: 20, reconnectTimeWait: 500 });
    try {
      return await fn(nc);
    } finally {
      await nc.close();
    }
  }

  // --- services ---------------------------------------------------------------------------------------

  async startBalancers(): Promise<void> {
    for (const s of SERVICES) {
      const b = new Balancer(s, () => this.replicaSets.filter((_, r) => r < REPLICAS[s]).map((rs) => rs.ports.get(s)!));
      await b.listen(await this.port());
      this.balancers.set(s, b);
    }
  }

  async prepareReplicaSets(): Promise<void> {
    const o = this.options;
    const most = Math.max(...Object.values(REPLICAS));
    for (let r = 0; r < most; r++) {
      const rs = new ServiceProcesses({
        databaseUrl: o.databaseUrl,
        namespace: o.namespace,
        adminKey: o.adminKey,
        logDir: join(o.dir, 'logs', `replica-${r + 1}`),
        natsUrl: () => this.natsUrl,
        env: {
          NATS_STREAM_REPLICAS: String(NATS_NODE_SETTINGS.streamReplicas),
          // Any replica answers (deploy/: the gateway).
          REGISTRY_URL: this.url('registry'),
          COMPLIANCE_URL: this.url('compliance'),
          SEED: 'tra-vinh',
          ...o.env,
        },
      });
      for (const s of SERVICES) rs.ports.set(s, await this.port());
      this.replicaSets.push(rs);
    }
  }

  /** Starts every replica of every service at the same instant (their migrations run under a lock), then waits. */
  async startServices(timeoutMs = 240_000): Promise<void> {
    const all: Array<[Service, number]> = [];
    for (const s of SERVICES) for (let r = 0; r < REPLICAS[s]; r++) all.push([s, r]);
    for (const [s, r] of all) this.replicaSets[r].start(s);
    this.log(`started ${all.length} replicas at once`);
    await Promise.all(all.map(([s, r]) => this.replicaSets[r].waitHealthy(s, timeoutMs)));
  }

  async killReplica(service: Service, replica: number): Promise<void> {
    await this.replicaSets[replica].kill(service);
  }

  startReplica(service: Service, replica: number): void {
    this.replicaSets[replica].start(service);
  }

  async waitReplica(service: Service, replica: number, timeoutMs = 120_000): Promise<void> {
    await this.replicaSets[replica].waitHealthy(service, timeoutMs);
  }

  async start(): Promise<void> {
    rmSync(this.options.dir, { recursive: true, force: true });
    mkdirSync(this.options.dir, { recursive: true });
    await this.startNats();
    await this.startBalancers();
    await this.prepareReplicaSets();
    await this.startServices();
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicaSets.map((rs) => rs.stopAll(10_000)));
    for (const b of this.balancers.values()) await b.close();
    for (const n of this.nodes) {
      const p = n.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) continue;
      p.kill('SIGCONT');
      const exited = new Promise((r) => p.once('exit', r));
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      p.kill('SIGTERM');
      await exited;
      clearTimeout(t);
    }
    await this.gates.close();
  }
}
