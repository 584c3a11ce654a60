import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { join } from 'node:path';

/**
 * The services as separate processes from dist/, as `npm start` runs them: what the end-to-end tests
 * (test/support/system.ts) and the benchmarks (bench/support/system.ts) both start, stop and kill.
 */
export const SERVICES = ['registry', 'intake', 'support-points', 'workforce', 'rates', 'compliance', 'notifier'] as const;
export type Service = (typeof SERVICES)[number];

/** The repository root, from here (tools/processes) or from the build (dist/tools/processes). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps'))) return dir;
    dir = join(dir, '..');
  }
  return process.cwd();
}

const ROOT = repoRoot();

/** scripts/node-flags.js (plain JavaScript: the launcher, npm run rebuild and the Docker image read the same file). */
function nodeFlags(service: Service): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(ROOT, 'scripts', 'node-flags.js')) as { nodeFlags(service: string): string[] }).nodeFlags(service);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a port can be listened on now (127.0.0.1). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port in 20000-32000, at random, not one of `taken`. */
async function unprivilegedFreePort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canListen(port))) return port;
  }
  return freePort();
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Polls until `check` is truthy; a throw from `check` ends the wait at once. */
export async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (err instanceof ServiceExited) throw err;
      // not up yet (connection refused, timeout): poll again
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class ServiceExited extends Error {}

/**
 * Whether the socket listening on a loopback TCP port is one of this process's (Linux: /proc/net/tcp's inode among the
 * process's file descriptors); false while nothing listens there or another process does; null where /proc cannot tell.
 */
export function listenerOwnedBy(port: number, pid: number): boolean | null {
  let inode: string | null = null;
  let readable = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …; st 0A is LISTEN.
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inode = f[9];
    }
  }
  if (!readable) return null;
  if (inode === null) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false;
      }
    });
  } catch {
    return null;
  }
}

export interface ServiceProcessesOptions {
  readonly databaseUrl: string;
  readonly namespace: string;
  readonly adminKey: string;
  /** Where each service's stdout and stderr go (`<service>.log`). */
  readonly logDir: string;
  /** NATS for the services (read at each start: a test may move to its own server). */
  readonly natsUrl: () => string;
  /** Environment for every service, after the defaults. */
  readonly env?: Record<string, string>;
  /** Write a V8 CPU profile of these services into `<logDir>/profiles` (node --cpu-prof). */
  readonly profile?: readonly Service[];
}

export class ServiceProcesses {
  readonly procs = new Map<Service, ChildProcess>();
  readonly ports = new Map<Service, number>();

  constructor(readonly options: ServiceProcessesOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  get logDir(): string {
    return this.options.logDir;
  }

  /**
   * A free port for every service, below the kernel's ephemeral range (32768-60999 here): what `listen(0)` and every
   * outgoing connection are given comes from that range, so another suite's in-process servers and clients never take
   * these between now and the service's own listen. Two systems allocating at once may still pick one port: the one
   * that loses cannot bind and exits (waitHealthy says so; System.startAll allocates again).
   */
  async allocatePorts(): Promise<void> {
    const taken = new Set<number>();
    for (const s of SERVICES) {
      const port = await unprivilegedFreePort(taken);
      taken.add(port);
      this.ports.set(s, port);
    }
  }

  url(service: Service): string {
    return `http://127.0.0.1:${this.ports.get(service)}`;
  }

  pid(service: Service): number {
    const p = this.procs.get(service)?.pid;
    if (!p) throw new Error(`${service} is not running`);
    return p;
  }

  start(service: Service, env: Record<string, string> = {}): ChildProcess {
    const o = this.options;
    const out = createWriteStream(join(o.logDir, `${service}.log`), { flags: 'a' });
    const args = [...nodeFlags(service), '-r', join(ROOT, 'scripts', 'register-paths.js')];
    if (o.profile?.includes(service))
      args.push('--cpu-prof', `--cpu-prof-dir=${join(o.logDir, 'profiles')}`, `--cpu-prof-name=${service}-${Date.now()}.cpuprofile`);
    args.push(join(ROOT, 'dist', 'apps', service, 'src', 'main.js'));
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: o.databaseUrl,
        NATS_URL: o.natsUrl(),
        EVENTS_NAMESPACE: o.namespace,
        ADMIN_API_KEY: o.adminKey,
        PORT: String(this.ports.get(service)),
        // Where services check keys when they stop hearing the registry over NATS (README, Security).
        REGISTRY_URL: this.url('registry'),
        // Where the notifier fetches the daily report it e-mails.
        COMPLIANCE_URL: this.url('compliance'),
        LOG_LEVEL: 'info',
        ROSTER_HMAC_SECRET: 'local-roster-secret-0123456789abcdefghijklmnop',
        // Tests and benchmarks poll with a key until a replica holds it (401 until then) and send load from one
        // address: the rate limits would answer 429. Their own tests set them (libs/platform/src/http/).
        RATE_LIMIT_AUTH_FAILURES: '0',
        RATE_LIMIT_WRITES_PER_KEY: '0',
        RATE_LIMIT_WRITES_PER_ADDRESS: '0',
        ...o.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    this.procs.set(service, child);
    return child;
  }

  /** Until `/health` answers 200; fails at once when the process exits. */
  async waitHealthy(service: Service, timeoutMs = 90_000): Promise<void> {
    await pollUntil(
      async () => {
        const child = this.procs.get(service);
        if (child && child.exitCode !== null) throw new ServiceExited(`${service} exited with ${child.exitCode}: ${this.logTail(service)}`);
        // A port is free when it is allocated, not reserved: a suite running beside this one can take it first, and its
        // service would answer this one's health checks (the campaign e2e once posted its reports to another system's
        // service: 404). Healthy only once the port is this process's own; one that cannot bind exits (said above).
        if (child?.pid !== undefined && listenerOwnedBy(this.ports.get(service)!, child.pid) === false) return false;
        const res = await fetch(`${this.url(service)}/health`, { signal: AbortSignal.timeout(5_000) });
        return res.status === 200;
      },
      `${service} to be healthy (log: ${join(this.logDir, `${service}.log`)})`,
      timeoutMs,
      200,
    );
  }

  /** Starts services one after the other (boots are CPU-heavy on two cores), each healthy before the next. */
  async startMany(services: readonly Service[]): Promise<void> {
    for (const s of services) {
      this.start(s);
      await this.waitHealthy(s);
    }
  }

  logTail(service: Service, chars = 600): string {
    try {
      return readFileSync(join(this.logDir, `${service}.log`), 'utf8')
        .slice(-chars)
        .replace(/\s+/g, ' ')
        .trim();
    } catch {
      return '(no log)';
    }
  }

  /** kill -9, as a crash would. */
  kill(service: Service): Promise<void> {
    const child = this.procs.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** SIGTERM (a graceful drain), then SIGKILL if it has not exited after `graceMs`. */
  async stop(service: Service, graceMs = 15_000): Promise<void> {
    const child = this.procs.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.procs.keys()].map((s) => this.stop(s, graceMs)));
  }
}
