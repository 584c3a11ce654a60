import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, repoRoot, sleep, waitFor } from './env';
import { HttpClient } from './http';

export const SERVICES = ['registry', 'intake', 'support-points', 'workforce', 'rates', 'compliance'] as const;
export type Service = (typeof SERVICES)[number];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

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
 * Services as separate processes from dist/ (as `npm start` runs them, and as test/support/system.ts
 * does for the e2e tests), on free ports, in a fresh database and event namespace.
 */
export class BenchSystem {
  readonly procs = new Map<Service, ChildProcess>();
  readonly ports = new Map<Service, number>();
  readonly logDir: string;
  readonly adminKey: string;
  private readonly clients = new Map<Service, HttpClient>();

  private constructor(
    readonly label: string,
    readonly databaseUrl: string,
    readonly namespace: string,
    private readonly opts: SystemOptions,
    private readonly owned: { database: boolean; namespace: boolean },
  ) {
    this.adminKey = `bench-admin-${namespace}-0123456789abcdef`;
    this.logDir = join(repoRoot(), '.data', 'bench-logs', namespace);
    mkdirSync(this.logDir, { recursive: true });
  }

  static async create(label: string, opts: SystemOptions = {}): Promise<BenchSystem> {
    const sys = new BenchSystem(label, opts.databaseUrl ?? (await freshDatabase(label)), opts.namespace ?? freshNamespace(label), opts, {
      database: !opts.databaseUrl,
      namespace: !opts.namespace,
    });
    for (const s of SERVICES) sys.ports.set(s, await freePort());
    return sys;
  }

  url(service: Service): string {
    return `http://127.0.0.1:${this.ports.get(service)}`;
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

  pid(service: Service): number {
    const p = this.procs.get(service)?.pid;
    if (!p) throw new Error(`${service} is not running`);
    return p;
  }

  start(service: Service, env: Record<string, string> = {}): ChildProcess {
    const root = repoRoot();
    const out = createWriteStream(join(this.logDir, `${service}.log`), { flags: 'a' });
    const args = ['-r', join(root, 'scripts', 'register-paths.js')];
    if (this.opts.profile?.includes(service)) args.push('--cpu-prof', `--cpu-prof-dir=${join(this.logDir, 'profiles')}`, `--cpu-prof-name=${service}-${Date.now()}.cpuprofile`);
    args.push(join(root, 'dist', 'apps', service, 'src', 'main.js'));
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: this.databaseUrl,
        NATS_URL: natsUrl(),
        EVENTS_NAMESPACE: this.namespace,
        ADMIN_API_KEY: this.adminKey,
        PORT: String(this.ports.get(service)),
        LOG_LEVEL: 'warn',
        ROSTER_HMAC_SECRET: 'bench-roster-secret-0123456789abcdefghijklmnop',
        ...this.opts.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    this.procs.set(service, child);
    return child;
  }

  async waitHealthy(service: Service, timeoutMs = 90_000): Promise<void> {
    await waitFor(
      async () => {
        const child = this.procs.get(service);
        if (child && child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}: ${this.logTail(service)}`);
        const res = await fetch(`${this.url(service)}/health`, { signal: AbortSignal.timeout(5_000) });
        return res.status === 200;
      },
      `${service} to be healthy (log: ${join(this.logDir, `${service}.log`)})`,
      timeoutMs,
      250,
    );
  }

  /** Starts the services one after the other (boots are CPU-heavy on two cores), each healthy before the next. */
  async startMany(services: readonly Service[]): Promise<void> {
    for (const s of services) {
      this.start(s);
      await this.waitHealthy(s);
    }
  }

  logTail(service: Service, chars = 600): string {
    try {
      const text = readFileSync(join(this.logDir, `${service}.log`), 'utf8');
      return text.slice(-chars).replace(/\s+/g, ' ').trim();
    } catch {
      return '(no log)';
    }
  }

  /** The value of one Prometheus series (summed over its label sets) from a service's /metrics. */
  async metric(service: Service, name: string): Promise<number | null> {
    const r = await this.http(service).request('GET', '/metrics', { timeoutMs: 10_000 });
    if (r.status !== 200) throw new Error(`${service} /metrics → ${r.status}`);
    let sum: number | null = null;
    for (const line of r.text.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (m && m[1] === name) sum = (sum ?? 0) + Number(m[3]);
    }
    return sum;
  }

  /** Resident set size now and at its peak (VmRSS, VmHWM of /proc/<pid>/status), in bytes. */
  memory(service: Service): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.pid(service)}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
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

  async stop(service: Service): Promise<void> {
    const child = this.procs.get(service);
    this.clients.get(service)?.close();
    this.clients.delete(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((s) => this.stop(s)));
    for (const c of this.clients.values()) c.close();
    // Let the last connections close before the database goes.
    await sleep(200);
    if (this.owned.database) await dropDatabase(this.databaseUrl).catch(() => undefined);
    if (this.owned.namespace) await dropNamespace(this.namespace).catch(() => undefined);
  }
}
