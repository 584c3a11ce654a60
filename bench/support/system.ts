import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Client } from 'pg';
import { freePort, pollUntil, ServiceProcesses, type Service } from '../../tools/processes/service-processes';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, repoRoot, sleep, withAdmin } from './env';
import { HttpClient } from './http';

/** USER_HZ: the unit of /proc/<pid>/stat's times, 100 on every Linux build this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far (utime + stime of /proc/<pid>/stat), in seconds; 0 for a process gone. With
 * `children`, also the time of its children that have exited and been waited for (cutime + cstime: a PostgreSQL
 * backend's CPU moves to the postmaster's when it exits, so a sum over the servers' processes keeps it).
 */
function cpuSecondsOf(pid: number | string, children = false): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The fields after the command's closing parenthesis; utime and stime are the 14th and 15th of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return (children ? own + Number(fields[13]) + Number(fields[14]) : own) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds of every running process with this command name (/proc/<pid>/comm), with their exited children's. */
function cpuSecondsOfCommand(command: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command) total += cpuSecondsOf(pid, true);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return total;
}

/** CPU seconds used so far, per process group: the services (replicas included), PostgreSQL, NATS and this load generator. */
export type CpuSnapshot = Record<string, number>;

export { SERVICES, type Service } from '../../tools/processes/service-processes';

export interface SystemOptions {
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of these services into the log folder (node --cpu-prof). */
  profile?: readonly Service[];
  /** Use this database / namespace instead of fresh ones (not dropped at the end). */
  databaseUrl?: string;
  namespace?: string;
}

/**
 * Services as separate processes from dist/ (tools/processes, as the e2e tests start them), on free
 * ports, in a fresh database and event namespace; with what a benchmark reads of them (metrics, memory).
 */
export class BenchSystem extends ServiceProcesses {
  private readonly clients = new Map<Service, HttpClient>();
  /** Extra replicas of services (startReplica): same database, namespace and durable consumers, own port. */
  private readonly replicas: Array<{ service: Service; child: ChildProcess; port: number }> = [];

  private constructor(
    readonly label: string,
    readonly databaseUrl: string,
    readonly namespace: string,
    opts: SystemOptions,
    private readonly owned: { database: boolean; namespace: boolean },
  ) {
    super({
      databaseUrl,
      namespace,
      adminKey: `bench-admin-${namespace}-0123456789abcdef`,
      logDir: join(repoRoot(), '.data', 'bench-logs', namespace),
      natsUrl,
      profile: opts.profile,
      env: {
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        ROSTER_HMAC_SECRET: 'bench-roster-secret-0123456789abcdefghijklmnop',
        ...opts.env,
      },
    });
  }

  get adminKey(): string {
    return this.options.adminKey;
  }

  static async create(label: string, opts: SystemOptions = {}): Promise<BenchSystem> {
    const sys = new BenchSystem(label, opts.databaseUrl ?? (await freshDatabase(label)), opts.namespace ?? freshNamespace(label), opts, {
      database: !opts.databaseUrl,
      namespace: !opts.namespace,
    });
    await sys.allocatePorts();
    return sys;
  }

  /** A keep-alive client of one service with the admin key. */
  http(service: Service): HttpClient {
    let c = this.clients.get(service);
    if (!c) {
      c = new HttpClient(this.url(service), this.adminKey);
      this.clients.set(service, c);
    }
    return c;
  }

  /** The value of one Prometheus series (summed over its label sets) from a service's /metrics. */
  async metric(service: Service, name: string): Promise<number | null> {
    return (await this.metrics(service, [name]))[0];
  }

  /** Several metrics of one read of /metrics: each summed over its labels (null when the service does not expose it). */
  async metrics(service: Service, names: readonly string[]): Promise<Array<number | null>> {
    const r = await this.http(service).request('GET', '/metrics', { timeoutMs: 10_000 });
    if (r.status !== 200) throw new Error(`${service} /metrics → ${r.status}`);
    const sums = new Map<string, number>();
    for (const line of r.text.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (m && names.includes(m[1])) sums.set(m[1], (sums.get(m[1]) ?? 0) + Number(m[3]));
    }
    return names.map((n) => sums.get(n) ?? null);
  }

  /** Resident set size now and at its peak (VmRSS, VmHWM of /proc/<pid>/status), in bytes. */
  memory(service: Service): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.pid(service)}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  }

  /** CPU time the service's process has used so far (utime + stime of /proc/<pid>/stat), in seconds. */
  cpuSeconds(service: Service): number {
    return cpuSecondsOf(this.pid(service));
  }

  /**
   * CPU used so far by each running service (its replicas added), by every PostgreSQL and NATS server process of the
   * machine (the shared servers: other work on them counts too, so run it on a quiet machine) and by this generator.
   * Two snapshots' difference (`cpuBetween`) says where the CPU of what happened between them went.
   */
  cpuSnapshot(): CpuSnapshot {
    const out: CpuSnapshot = {};
    const add = (service: string, pid: number | undefined) => void (out[service] = (out[service] ?? 0) + (pid ? cpuSecondsOf(pid) : 0));
    for (const [service, child] of this.procs) add(service, child.pid);
    for (const r of this.replicas) add(r.service, r.child.pid);
    out.postgres = cpuSecondsOfCommand('postgres');
    out.nats = cpuSecondsOfCommand('nats-server');
    const me = process.cpuUsage();
    out['load generator'] = (me.user + me.system) / 1e6;
    return out;
  }

  /**
   * Starts measuring the CPU of the PostgreSQL backends connected to this system's database, by the service that opened
   * each (its connections' application name: a service's pool, or its outbox relay's connection); `stop` says how much
   * each spent since. The backends are sampled every half second, so one that a pool closes meanwhile counts up to its
   * last sample (its time after it is in `cpuSnapshot`'s postgres only, shown there as the rest of PostgreSQL's time).
   */
  postgresByService(everyMs = 500): { stop(): Promise<CpuSnapshot> } {
    const seen = new Map<number, { service: string; first: number; last: number }>();
    let initial = true;
    const sample = async (c: Client): Promise<void> => {
      const { rows } = await c.query<{ pid: number; app: string }>(
        `SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      for (const { pid, app } of rows) {
        const cpu = cpuSecondsOf(pid);
        const known = seen.get(pid);
        if (known) known.last = cpu;
        // A backend already running counts from now; one opened since, from its start.
        else seen.set(pid, { service: /^[a-z]+/.exec(app)?.[0] ?? 'other', first: initial ? cpu : 0, last: cpu });
      }
      initial = false;
    };
    let running = true;
    // One connection for the whole measurement (a connection a sample would be a backend started twice a second).
    const loop = withAdmin(async (c) => {
      await sample(c);
      while (running) {
        // Unref'd: a measurement left running (its stretch of the run threw) does not hold the process.
        await new Promise((r) => setTimeout(r, everyMs).unref());
        await sample(c);
      }
    }, this.databaseUrl).catch(() => undefined);
    return {
      async stop(): Promise<CpuSnapshot> {
        running = false;
        await loop;
        const out: CpuSnapshot = {};
        for (const b of seen.values()) out[b.service] = (out[b.service] ?? 0) + Math.max(0, b.last - b.first);
        return out;
      },
    };
  }

  /**
   * Rows written so far in this system's database, by table (`schema.table`: inserted, updated and deleted, as
   * PostgreSQL's statistics count them), and the WAL the whole server has written (`wal`, bytes, and `wal full-page
   * images`, a count; other databases' too, so run it on a quiet machine). Two snapshots' difference says what happened between them weighed in rows.
   * The counts lag by up to a second of each connection's work (a backend reports its counts when idle, at most
   * once a second), so a measured stretch should end with the system idle.
   */
  async rowWrites(): Promise<CpuSnapshot> {
    return withAdmin(async (c) => {
      const out: CpuSnapshot = {};
      const { rows } = await c.query<{ rel: string; n: string }>(
        `SELECT schemaname || '.' || relname AS rel, n_tup_ins + n_tup_upd + n_tup_del AS n FROM pg_stat_user_tables`,
      );
      for (const r of rows) out[r.rel] = Number(r.n);
      const wal = await c
        .query<{ bytes: string; fpi: string }>(`SELECT wal_bytes AS bytes, wal_fpi AS fpi FROM pg_stat_wal`)
        .catch(() => null);
      if (wal?.rows[0]) {
        out.wal = Number(wal.rows[0].bytes);
        out['wal full-page images'] = Number(wal.rows[0].fpi);
      }
      return out;
    }, this.databaseUrl);
  }

  /** Resets the peak RSS (VmHWM) of a service (Linux: `5` into /proc/<pid>/clear_refs); false when not allowed. */
  resetPeak(service: Service): boolean {
    try {
      writeFileSync(`/proc/${this.pid(service)}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * One more replica of a running service: the same environment on a port of its own, sharing the
   * service's database, namespace and durable consumers (its log goes to the same file). The service's
   * own entry (url, pid, metrics) stays the first replica.
   */
  async startReplica(service: Service, timeoutMs = 90_000): Promise<void> {
    const first = this.procs.get(service);
    const port = await freePort();
    const child = this.start(service, { PORT: String(port) });
    if (first) this.procs.set(service, first);
    this.replicas.push({ service, child, port });
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`${service} replica exited with ${child.exitCode}: ${this.logTail(service)}`);
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5_000) });
        return res.status === 200;
      },
      `${service} replica to be healthy`,
      timeoutMs,
      200,
    );
  }

  /** Where the CPU went between two snapshots: seconds per process group, largest first (the same groups in both). */
  static cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Array<{ name: string; seconds: number }> {
    return Object.keys(after)
      .map((name) => ({ name, seconds: Math.max(0, after[name] - (before[name] ?? 0)) }))
      .sort((a, b) => b.seconds - a.seconds);
  }

  /** Replicas started by startReplica, per service. */
  replicaCount(service: Service): number {
    return 1 + this.replicas.filter((r) => r.service === service).length;
  }

  override async stop(service: Service): Promise<void> {
    this.clients.get(service)?.close();
    this.clients.delete(service);
    await super.stop(service);
  }

  async dispose(): Promise<void> {
    await Promise.all(
      this.replicas.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await this.stopAll();
    for (const c of this.clients.values()) c.close();
    // Let the last connections close before the database goes.
    await sleep(200);
    if (this.owned.database) await dropDatabase(this.databaseUrl).catch(() => undefined);
    if (this.owned.namespace) await dropNamespace(this.namespace).catch(() => undefined);
  }
}
