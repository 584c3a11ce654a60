// Must-show: `npm start` brings up all seven services as processes, each answers /health and serves /docs,
// requests are refused 401 / 401 / 403 as problem+json across services, and Ctrl-C leaves nothing behind.
// The launcher runs against the shared PostgreSQL and NATS here (DATABASE_URL naming a database that
// does not exist yet, so the launcher creates it) with its own namespace, ports and data folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminDatabaseUrl, dropDatabase, dropNamespace, freshNamespace, natsUrl, waitFor } from '../support/int-env';
import {
  cleanEnv,
  descendants,
  get,
  isAlive,
  killTree,
  portEnv,
  randomSuffix,
  removeDir,
  send,
  SERVICE_NAMES,
  startLauncher,
  stopLauncher,
  tempDataDir,
  type RunningLauncher,
} from './launcher-harness';

jest.setTimeout(120_000);

const PROBLEM = /^application\/problem\+json/;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeFlags } = require('../../scripts/node-flags') as { nodeFlags(service: string): string[] };

describe('npm start (scripts/launcher.js) with the PostgreSQL and NATS of this machine', () => {
  let launcher: RunningLauncher;
  let databaseUrl: string;
  let namespace: string;
  let dataDir: string;
  let adminKey: string;
  let pidsBeforeStop: number[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir('launcher');
    namespace = freshNamespace('launch');
    const u = new URL(adminDatabaseUrl());
    u.pathname = `/bzt_launcher_${randomSuffix()}`;
    databaseUrl = u.toString();
    launcher = await startLauncher({
      ...cleanEnv(),
      ...(await portEnv()),
      DATABASE_URL: databaseUrl,
      NATS_URL: natsUrl(),
      EVENTS_NAMESPACE: namespace,
      LAUNCHER_DATA_DIR: dataDir,
      // `npm run test:e2e` has just built dist/; sources other people are editing must not trigger a rebuild here.
      LAUNCHER_BUILD: 'never',
      LOG_LEVEL: 'warn',
    });
    adminKey = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
  });

  afterAll(async () => {
    if (launcher && launcher.proc.exitCode === null) killTree(launcher.proc.pid!);
    await dropNamespace(namespace).catch(() => undefined);
    if (databaseUrl) await dropDatabase(databaseUrl).catch(() => undefined);
    if (dataDir) removeDir(dataDir);
  });

  it('runs the seven services as separate processes, on the ports given, with the database it created', () => {
    const { state } = launcher;
    expect(state.services.map((s) => s.name).sort()).toEqual([...SERVICE_NAMES].sort());
    const pids = new Set(state.services.map((s) => s.pid));
    expect(pids.size).toBe(SERVICE_NAMES.length);
    for (const s of state.services) {
      expect(isAlive(s.pid)).toBe(true);
      expect(s.pid).not.toBe(launcher.proc.pid);
    }
    // Each runs with its V8 flags from scripts/node-flags.js (the file the image's entrypoint and the tests' starter read).
    for (const s of state.services) {
      const argv = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0');
      const flags = nodeFlags(s.name);
      expect(argv.slice(1, 1 + flags.length)).toEqual(flags);
      expect(argv[1 + flags.length]).toBe('-r');
    }
    expect(nodeFlags('rates')).toEqual(['--max-semi-space-size=64']);
    expect(nodeFlags('workforce')).toEqual(['--heap-growing-percent=100']);
    expect(state.postgres).toBeNull(); // DATABASE_URL given: nothing embedded
    expect(state.nats).toBeNull();
    expect(state.namespace).toBe(namespace);
    expect(launcher.output()).toContain(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
    expect(launcher.output()).toContain(`admin key: ${adminKey}`);
    for (const s of state.services) expect(launcher.output()).toContain(`${s.url}/docs`);
    // A superuser's DATABASE_URL: a role per service; a NATS it did not start: what the environment gives, said aloud.
    const db = new URL(databaseUrl).pathname.slice(1);
    expect(launcher.output()).toContain(`each service connects as its own PostgreSQL role (${db}_registry, ${db}_intake`);
    expect(launcher.output()).toMatch(/NATS not started here: no NATS credentials given/);
  });

  it('every service answers GET /health with 200 and serves its OpenAPI document at /docs', async () => {
    for (const name of SERVICE_NAMES) {
      const base = launcher.url(name);
      const health = await get(`${base}/health`);
      expect({ name, status: health.status, body: health.body?.status }).toEqual({ name, status: 200, body: 'ok' });
      expect(health.body.info).toMatchObject({ database: { status: 'up' }, nats: { status: 'up' } });
      const docs = await get(`${base}/docs`);
      expect({ name, status: docs.status }).toEqual({ name, status: 200 });
      expect(docs.type).toMatch(/text\/html/);
      const openapi = await get(`${base}/docs/json`);
      expect(openapi.status).toBe(200);
      expect(openapi.body.openapi).toMatch(/^3\./);
      expect(openapi.body.paths['/health']).toBeDefined();
    }
  });

  it('refuses a missing key and an unknown key with 401 problem+json on every service; the admin key works', async () => {
    for (const name of SERVICE_NAMES) {
      const base = launcher.url(name);
      const none = await get(`${base}/v1/whoami`, null);
      expect({ name, status: none.status }).toEqual({ name, status: 401 });
      expect(none.type).toMatch(PROBLEM);
      expect(none.body).toMatchObject({ status: 401, title: expect.any(String), detail: expect.stringMatching(/missing API key/) });
      const unknown = await get(`${base}/v1/whoami`, `bz_${'x'.repeat(43)}`);
      expect({ name, status: unknown.status }).toEqual({ name, status: 401 });
      expect(unknown.type).toMatch(PROBLEM);
      expect(unknown.body.detail).toMatch(/unknown or revoked/);
      const admin = await get(`${base}/v1/whoami`, adminKey);
      expect({ name, status: admin.status, role: admin.body?.role }).toEqual({ name, status: 200, role: 'admin' });
    }
  });

  it('answers 403 problem+json to a known key outside its role (registry) and outside its scope (intake, through events)', async () => {
    const registry = launcher.url('registry');
    const analyst = await send('POST', `${registry}/v1/api-keys`, { role: 'analyst', label: 'e2e analyst' }, adminKey);
    expect(analyst.status).toBe(201);
    const analystKey = analyst.body.key as string;
    const denied = await send('POST', `${registry}/v1/api-keys`, { role: 'admin' }, analystKey);
    expect(denied.status).toBe(403);
    expect(denied.type).toMatch(PROBLEM);
    expect(denied.body).toMatchObject({ status: 403, detail: expect.stringMatching(/analyst/) });

    // A portal key for Càng Long (844, seeded on first start) reporting for Cầu Kè (845): intake learns
    // of the key and of both units from the registry's events, then refuses the report as out of scope.
    const portal = await send('POST', `${registry}/v1/api-keys`, { role: 'portal', orgUnitCode: '844', label: 'e2e portal' }, adminKey);
    expect(portal.status).toBe(201);
    const intake = launcher.url('intake');
    const report = {
      orgUnitCode: '845',
      cohort: 'residents',
      asOf: '2020-08-15',
      headcount: 100,
      smartphoneHolders: 60,
      installed: 30,
      bluetoothOn: 20,
    };
    const outOfScope = await waitFor(
      async () => {
        const r = await send('POST', `${intake}/v1/reports`, report, portal.body.key as string);
        return r.status === 403 ? r : null;
      },
      'intake to know the portal key and unit 845 (then refuse with 403)',
      30_000,
      250,
    );
    expect(outOfScope.type).toMatch(PROBLEM);
    expect(outOfScope.body).toMatchObject({ status: 403, detail: expect.stringMatching(/845/) });
  });

  it('Ctrl-C (SIGINT) stops every process it started and exits 0', async () => {
    pidsBeforeStop = descendants(launcher.proc.pid!);
    for (const s of launcher.state.services) expect(pidsBeforeStop).toContain(s.pid);
    const code = await stopLauncher(launcher, 'SIGINT');
    expect(code).toBe(0);
    expect(launcher.output()).toMatch(/launcher \| stopped/);
    expect(pidsBeforeStop.filter(isAlive)).toEqual([]);
    for (const s of SERVICE_NAMES) await expect(get(`${launcher.url(s)}/health`)).rejects.toThrow();
  });
});
