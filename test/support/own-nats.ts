import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portOpen } from '../../tools/processes/service-processes';
import { waitFor } from './int-env';

export const NATS_SERVER =
  ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';

/**
 * A nats-server of the test's own (JetStream, a store in a temporary folder, a free port), so that a test can
 * stop and restart it, or configure it (`config`: nats-server configuration, e.g. the generated authorization
 * block), without touching the shared one. Restarting keeps the port and the store.
 */
export class OwnNats {
  private proc: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly configFile: string | null,
  ) {}

  static async create(label: string, config: string | null = null): Promise<OwnNats> {
    const dir = mkdtempSync(join(tmpdir(), `bz-${label}-nats-`));
    let configFile: string | null = null;
    if (config !== null) {
      configFile = join(dir, 'nats.conf');
      writeFileSync(configFile, config, { mode: 0o600 });
    }
    return new OwnNats(await freePort(), dir, configFile);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts it and waits until it listens (a connect would need credentials when it is configured with users). */
  async start(): Promise<void> {
    const config = this.configFile ? ['-c', this.configFile] : [];
    this.proc = spawn(NATS_SERVER, [...config, '-js', '-sd', join(this.dir, 'store'), '-a', '127.0.0.1', '-p', String(this.port)], {
      stdio: 'ignore',
    });
    await waitFor(() => portOpen(this.port), `own nats-server on ${this.port}`, 20_000, 100);
  }

  /** Stops it: by default kill -9, a crash rather than a graceful shutdown. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
