import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, portOpen, pollUntil, repoRoot } from '../processes/service-processes';

interface Ids {
  uid: number;
  gid: number;
  groups: number[];
}

// The launcher's helpers for PostgreSQL as root (README, Running it): the postgres OS user, and the check that it
// can reach a folder.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const home = require(join(repoRoot(), 'scripts', 'launcher', 'postgres-home.js')) as {
  postgresUser: () => Ids;
  closedAncestor: (dir: string, ids: Ids) => string | null;
  DEFAULT_BASE: string;
};

/** The newest PostgreSQL installed from Debian's packages (/usr/lib/postgresql/<major>/bin). */
export function debianPostgresBin(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((d) => existsSync(join(base, d, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length) throw new Error(`no PostgreSQL under ${base} (apt-get install postgresql)`);
  return join(base, majors[0], 'bin');
}

/**
 * A PostgreSQL cluster of the fault suite's own (initdb and pg_ctl from the machine's packages, a free port,
 * its own data folder), so that the suite can restart it without touching the machine's shared server. As
 * root it runs as the `postgres` OS user, from a folder that user can reach (outside a private checkout, as
 * the launcher does: /var/lib/bluezone-launcher/chaos-<hash>).
 */
export class OwnPostgres {
  private constructor(
    readonly bin: string,
    readonly dir: string,
    readonly port: number,
    private readonly ids: Ids | null,
  ) {}

  static async create(label: string): Promise<OwnPostgres> {
    const bin = debianPostgresBin();
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    let dir: string;
    let ids: Ids | null = null;
    if (root) {
      ids = home.postgresUser();
      const id = createHash('sha256').update(`${repoRoot()}:${label}`).digest('hex').slice(0, 16);
      dir = join(home.DEFAULT_BASE, `chaos-${id}`);
      const closed = home.closedAncestor(dir, ids);
      if (closed) throw new Error(`the postgres OS user cannot enter ${closed}`);
    } else dir = join(repoRoot(), '.data', 'cluster', `postgres-${label}`);
    rmSync(dir, { recursive: true, force: true });
    // Every folder above it enterable by the postgres user; the cluster's own folder its alone.
    mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
    mkdirSync(dir, { mode: 0o700 });
    if (ids) {
      chownSync(dir, ids.uid, ids.gid);
      const closed = home.closedAncestor(dir, ids);
      if (closed) throw new Error(`the postgres OS user cannot enter ${closed}`);
    }
    const pg = new OwnPostgres(bin, dir, await freePort(), ids);
    pg.run('initdb', ['-D', pg.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    return pg;
  }

  get data(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private run(tool: string, args: string[]): string {
    const res = spawnSync(join(this.bin, tool), args, {
      encoding: 'utf8',
      cwd: this.dir,
      env: { ...process.env, LC_ALL: 'C' },
      ...(this.ids ? { uid: this.ids.uid, gid: this.ids.gid } : {}),
    });
    if (res.status !== 0) throw new Error(`${tool} failed: ${(res.stderr || res.stdout || String(res.error)).trim().slice(-500)}`);
    return res.stdout;
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c max_connections=300 -c shared_buffers=64MB`;
    this.run('pg_ctl', ['-D', this.data, '-o', opts, '-l', join(this.dir, 'postgres.log'), '-w', '-t', '60', 'start']);
    await pollUntil(() => portOpen(this.port), `PostgreSQL on ${this.port}`, 30_000, 100);
  }

  /** A crash: `pg_ctl stop -m immediate` (no checkpoint; recovery at the next start). */
  crash(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  stop(): void {
    if (existsSync(join(this.data, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  dispose(): void {
    try {
      this.stop();
    } catch {
      try {
        this.crash();
      } catch {
        /* already down */
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
