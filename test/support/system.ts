import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, waitFor } from './int-env';

export const SERVICES = ['registry', 'intake', 'support-points', 'workforce', 'rates', 'compliance'] as const;
export type Service = (typeof SERVICES)[number];

const ROOT = join(__dirname, '..', '..');
const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
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

/**
 * The six services as separate processes from dist/ (as `npm start` runs them), on free ports,
 * in a fresh database and event namespace, against the real PostgreSQL and NATS.
 */
export class System {
  readonly procs = new Map<Service, ChildProcess>();
  readonly ports = new Map<Service, number>();
  readonly logDir: string;

  private constructor(
    readonly databaseUrl: string,
    readonly namespace: string,
    readonly adminKey: string,
    readonly env: Record<string, string>,
  ) {
    this.logDir = join(ROOT, '.data', 'test-logs', namespace);
    mkdirSync(this.logDir, { recursive: true });
  }

  private nats: ChildProcess | null = null;
  private natsPort = 0;
  private natsStore = '';

  static async create(label: string, env: Record<string, string> = {}, opts: { ownNats?: boolean } = {}): Promise<System> {
    const sys = new System(await freshDatabase(label), freshNamespace(label), `e2e-admin-${freshNamespace('k')}-0123456789abcdef`, env);
    for (const s of SERVICES) sys.ports.set(s, await freePort());
    if (opts.ownNats) {
      sys.natsPort = await freePort();
      sys.natsStore = mkdtempSync(join(tmpdir(), 'bz-e2e-nats-'));
      await sys.startNats();
    }
    return sys;
  }

  get natsUrl(): string {
    return this.natsPort ? `nats://127.0.0.1:${this.natsPort}` : natsUrl();
  }

  /** A NATS server of the test's own (so it can be restarted without disturbing anyone else). */
  async startNats(): Promise<void> {
    this.nats = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.natsPort), '-js', '-sd', this.natsStore], { stdio: 'ignore' });
    await waitFor(() => portOpen(this.natsPort), 'own nats-server to listen', 20_000, 100);
  }

  async restartNats(): Promise<void> {
    const n = this.nats;
    if (n && n.exitCode === null) {
      await new Promise<void>((resolve) => {
        n.once('exit', () => resolve());
        n.kill('SIGTERM');
      });
    }
    await this.startNats();
  }

  url(service: Service): string {
    return `http://127.0.0.1:${this.ports.get(service)}`;
  }

  /** Environment for a client such as the simulator. */
  clientEnv(): Record<string, string> {
    const env: Record<string, string> = { ADMIN_API_KEY: this.adminKey };
    for (const s of SERVICES) env[`${s.toUpperCase().replace('-', '_')}_URL`] = this.url(s);
    return env;
  }

  start(service: Service): ChildProcess {
    const out = createWriteStream(join(this.logDir, `${service}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['-r', join(ROOT, 'scripts', 'register-paths.js'), join(ROOT, 'dist', 'apps', service, 'src', 'main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        NATS_URL: this.natsUrl,
        EVENTS_NAMESPACE: this.namespace,
        ADMIN_API_KEY: this.adminKey,
        PORT: String(this.ports.get(service)),
        LOG_LEVEL: 'info',
        ROSTER_HMAC_SECRET: 'e2e-roster-secret-0123456789abcdefghijklmnop',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    this.procs.set(service, child);
    return child;
  }

  async waitHealthy(service: Service, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        const child = this.procs.get(service);
        if (child && child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}; see ${this.logDir}/${service}.log`);
        const res = await fetch(`${this.url(service)}/health`);
        return res.status === 200;
      },
      `${service} to be healthy`,
      timeoutMs,
      200,
    );
  }

  async startAll(): Promise<void> {
    for (const s of SERVICES) this.start(s);
    for (const s of SERVICES) await this.waitHealthy(s);
  }

  /** kill -9, as a crash would. */
  kill(service: Service): Promise<void> {
    const child = this.procs.get(service);
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async restart(service: Service): Promise<void> {
    await this.kill(service);
    this.start(service);
    await this.waitHealthy(service);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.procs.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  async dispose(): Promise<void> {
    await this.stopAll();
    if (process.env.KEEP_E2E_DATA) {
      // For a post-mortem: the database and logs stay; the test prints where.
      process.stderr.write(`kept: database ${this.databaseUrl}, namespace ${this.namespace}, logs ${this.logDir}\n`);
      return;
    }
    await dropDatabase(this.databaseUrl).catch(() => undefined);
    if (this.nats) {
      this.nats.kill('SIGKILL');
      rmSync(this.natsStore, { recursive: true, force: true });
    } else await dropNamespace(this.namespace).catch(() => undefined);
  }
}
