import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portOpen, repoRoot, ServiceProcesses, SERVICES, type Service } from '../../tools/processes/service-processes';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, waitFor } from './int-env';

export { freePort, SERVICES, type Service } from '../../tools/processes/service-processes';

const NATS_SERVER =
  ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';

/**
 * The six services as separate processes from dist/ (as `npm start` runs them; tools/processes), on free
 * ports, in a fresh database and event namespace, against the real PostgreSQL and NATS — or a NATS server
 * of the test's own, which it can restart.
 */
export class System extends ServiceProcesses {
  private nats: ChildProcess | null = null;
  private natsPort = 0;
  private natsStore = '';

  private constructor(
    readonly databaseUrl: string,
    readonly namespace: string,
    adminKey: string,
    readonly env: Record<string, string>,
  ) {
    super({
      databaseUrl,
      namespace,
      adminKey,
      logDir: join(repoRoot(), '.data', 'test-logs', namespace),
      natsUrl: () => this.natsUrl,
      env: { ROSTER_HMAC_SECRET: 'e2e-roster-secret-0123456789abcdefghijklmnop', ...env },
    });
  }

  get adminKey(): string {
    return this.options.adminKey;
  }

  static async create(label: string, env: Record<string, string> = {}, opts: { ownNats?: boolean } = {}): Promise<System> {
    const sys = new System(await freshDatabase(label), freshNamespace(label), `e2e-admin-${freshNamespace('k')}-0123456789abcdef`, env);
    await sys.allocatePorts();
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

  /** Environment for a client such as the simulator. */
  clientEnv(): Record<string, string> {
    const env: Record<string, string> = { ADMIN_API_KEY: this.adminKey };
    for (const s of SERVICES) env[`${s.toUpperCase().replace('-', '_')}_URL`] = this.url(s);
    return env;
  }

  async startAll(): Promise<void> {
    for (const s of SERVICES) this.start(s);
    for (const s of SERVICES) await this.waitHealthy(s, 60_000);
  }

  async restart(service: Service): Promise<void> {
    await this.kill(service);
    this.start(service);
    await this.waitHealthy(service, 60_000);
  }

  async dispose(): Promise<void> {
    await this.stopAll(10_000);
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
