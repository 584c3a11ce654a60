// The workforce service as a process, killed with SIGKILL in the middle of a large roster upload.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { openRosterUpload, rosterCsv, streamEvents } from '../../apps/workforce/test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../apps/workforce/test/workforce-world';
import { freePort } from '../../tools/processes/service-processes';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, waitFor } from '../support/int-env';
import { EventInjector, http, TEST_ADMIN_KEY } from '../support/service-harness';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist/apps/workforce/src/main.js');

describe('workforce: killed with SIGKILL mid-upload', () => {
  let databaseUrl: string;
  let namespace: string;
  let port: number;
  let child: ChildProcess | null = null;
  let events: EventInjector;
  let keys: WorkforceKeys;
  let ds: DataSource;
  const svc = () => ({ url: `http://127.0.0.1:${port}` });

  async function startProcess(): Promise<void> {
    child = spawn(process.execPath, ['-r', './scripts/register-paths.js', MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl(),
        EVENTS_NAMESPACE: namespace,
        PORT: String(port),
        ADMIN_API_KEY: TEST_ADMIN_KEY,
        ROSTER_HMAC_SECRET: 'e2e-roster-secret-0123456789abcdefghijklmnop',
        ROSTER_STALE_AFTER_MS: '1500',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(
      async () => (await http(svc(), 'GET', '/health', { key: null }).catch(() => ({ status: 0 }))).status === 200,
      'the service to answer /health',
      60_000,
      200,
    );
  }

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (npm run test:e2e does)`);
    databaseUrl = await freshDatabase('wfkill');
    namespace = freshNamespace('wfkill');
    port = await freePort();
    await startProcess();
    events = await EventInjector.open(namespace);
    keys = await publishWorld(events);
    await waitFor(
      async () => (await http(svc(), 'GET', '/v1/whoami', { key: keys.ezBoard })).status === 200,
      'the key replica',
      30_000,
      200,
    );
    ds = new DataSource({ type: 'postgres', url: databaseUrl });
    await ds.initialize();
  });
  afterAll(async () => {
    child?.kill('SIGTERM');
    await events?.close();
    await ds?.destroy();
    if (databaseUrl) await dropDatabase(databaseUrl).catch(() => undefined);
    if (namespace) await dropNamespace(namespace).catch(() => undefined);
  });

  it('leaves the previous roster in force and publishes nothing; the interrupted import is failed after restart', async () => {
    const baseline = await http(svc(), 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-25', {
      key: keys.ezBoard,
      raw: rosterCsv(2000),
      headers: { 'content-type': 'text/csv' },
    });
    expect(baseline.status).toBe(201);
    const rosterEvents = async () =>
      (await streamEvents(namespace, natsUrl())).filter((e) => e.envelope.type === 'workforce.roster.imported');
    await waitFor(async () => (await rosterEvents()).length === 1, 'the baseline event');

    const { req, sendSome } = openRosterUpload(svc().url, 'DN-A', '2020-08-25', keys.ezBoard);
    sendSome(30_000);
    const running = await waitFor(
      async () => {
        const top = (await http(svc(), 'GET', '/v1/enterprises/DN-A/roster-imports?limit=1', { key: keys.ezBoard })).body?.[0];
        if (top?.state === 'running' && top.rowsRead >= 10_000) return top;
        sendSome(2000);
        return null;
      },
      'the large upload to be staging rows',
      60_000,
      100,
    );

    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    req.destroy();
    const inForce = await ds.query(`SELECT import_id, revision FROM workforce.rosters WHERE enterprise_code = 'DN-A'`);
    expect(inForce).toEqual([{ import_id: baseline.body.importId, revision: 1 }]);

    await startProcess();
    const failed = await waitFor(
      async () => {
        const r = await http(svc(), 'GET', `/v1/roster-imports/${running.id}`, { key: keys.ezBoard });
        return r.body?.state === 'failed' ? r.body : null;
      },
      'the interrupted import to be marked failed',
      30_000,
      200,
    );
    expect(failed.failure).toMatch(/interrupted/);
    await waitFor(
      async () => Number((await ds.query(`SELECT count(*) AS n FROM workforce.roster_rows WHERE import_id = $1`, [running.id]))[0].n) === 0,
      'its staging rows purged',
    );
    expect(await ds.query(`SELECT import_id, revision FROM workforce.rosters WHERE enterprise_code = 'DN-A'`)).toEqual(inForce);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await rosterEvents()).toHaveLength(1);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM workforce.outbox`))[0].n)).toBe(1);
  });
});
