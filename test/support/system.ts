import { join } from 'node:path';
import type { ServiceUrls } from '../../tools/simulator/src/client';
import { repoRoot, ServiceExited, ServiceProcesses, SERVICES, type Service } from '../../tools/processes/service-processes';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl } from './int-env';
import { OwnNats } from './own-nats';

export { freePort, SERVICES, type Service } from '../../tools/processes/service-processes';

/**
 * The six services as separate processes from dist/ (as `npm start` runs them; tools/processes), on free
 * ports, in a fresh database and event namespace, against the real PostgreSQL and NATS — or a NATS server
 * of the test's own, which it can restart.
 */
export class System extends ServiceProcesses {
  private nats: OwnNats | null = null;

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
      sys.nats = await OwnNats.create('e2e');
      await sys.nats.start();
    }
    return sys;
  }

  get natsUrl(): string {
    return this.nats ? this.nats.url : natsUrl();
  }

  /** Restarts the test's own NATS server (a graceful stop), on the same port and store. */
  async restartNats(): Promise<void> {
    if (!this.nats) throw new Error('this system uses the shared NATS: create it with ownNats');
    await this.nats.stop('SIGTERM');
    await this.nats.start();
  }

  /** Where each service answers, as the simulator's client takes them. */
  simulatorUrls(): ServiceUrls {
    return {
      registry: this.url('registry'),
      intake: this.url('intake'),
      supportPoints: this.url('support-points'),
      workforce: this.url('workforce'),
      rates: this.url('rates'),
      compliance: this.url('compliance'),
    };
  }

  /** Environment for a client such as the simulator. */
  clientEnv(): Record<string, string> {
    const env: Record<string, string> = { ADMIN_API_KEY: this.adminKey };
    for (const s of SERVICES) env[`${s.toUpperCase().replace('-', '_')}_URL`] = this.url(s);
    return env;
  }

  /**
   * Every service, started at once. A port taken by another system between its allocation and a service's listen
   * (allocatePorts) makes that service exit: every port is then allocated again and the services started again.
   */
  async startAll(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      for (const s of SERVICES) this.start(s);
      try {
        for (const s of SERVICES) await this.waitHealthy(s, 60_000);
        return;
      } catch (err) {
        if (!(err instanceof ServiceExited) || !/EADDRINUSE/.test(err.message) || attempt >= 3) throw err;
        await this.stopAll(10_000);
        await this.allocatePorts();
      }
    }
  }

  async restart(service: Service): Promise<void> {
    await this.kill(service);
    this.start(service);
    await this.waitHealthy(service, 60_000);
  }

  async dispose(): Promise<void> {
    await this.stopAll(10_000);
    if (process.env.KEEP_E2E_DATA) {
      // For a post-mortem: the database and logs stay; the test prints where. Its own NATS server still stops (its
      // store stays), or the test's process would wait on it.
      await this.nats?.stop('SIGTERM');
      process.stderr.write(`kept: database ${this.databaseUrl}, namespace ${this.namespace}, logs ${this.logDir}\n`);
      return;
    }
    await dropDatabase(this.databaseUrl).catch(() => undefined);
    if (this.nats) await this.nats.dispose();
    else await dropNamespace(this.namespace).catch(() => undefined);
  }
}
