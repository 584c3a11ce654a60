// Issue 21: a service whose event loop is blocked past EVENT_LOOP_BLOCK_LIMIT_MS is ended by its
// watchdog (a worker thread watching a heartbeat), with one log line, so that the launcher or an
// orchestrator sees it die instead of a process that is up but never answers.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, pollUntil, repoRoot } from '../../tools/processes/service-processes';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl } from '../support/int-env';
import { TEST_ADMIN_KEY } from '../support/service-harness';

const ROOT = repoRoot();

describe('event-loop watchdog', () => {
  let databaseUrl: string;
  let namespace: string;

  beforeAll(async () => {
    databaseUrl = await freshDatabase('watchdog');
    namespace = freshNamespace('watchdog');
  });
  afterAll(async () => {
    await dropDatabase(databaseUrl).catch(() => undefined);
    await dropNamespace(namespace).catch(() => undefined);
  });

  it('ends a service whose event loop stays blocked, with one line naming the limit', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        join('test', 'platform', 'fixtures', 'blocking-service.ts'),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          DATABASE_URL: databaseUrl,
          NATS_URL: natsUrl(),
          EVENTS_NAMESPACE: namespace,
          ADMIN_API_KEY: TEST_ADMIN_KEY,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          EVENT_LOOP_BLOCK_LIMIT_MS: '1500',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdout.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      await pollUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`the service exited early: ${stderr}`);
          return (await fetch(`${url}/health/live`)).status === 200;
        },
        'the blocking service to listen',
        120_000,
        250,
      );
      // Alive and answering for longer than the limit: an idle loop keeps beating.
      await new Promise((r) => setTimeout(r, 2500));
      expect((await fetch(`${url}/health/live`)).status).toBe(200);

      // The request never gets an answer: the process is gone before the loop would ever turn again.
      const blocked = fetch(`${url}/test-only/block-the-event-loop`, { method: 'POST' }).then(
        (r) => r.status,
        () => 'connection closed',
      );
      const end = await exited;
      expect(end).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await blocked).toBe('connection closed');
      const lines = stderr.split('\n').filter((l) => l.includes('"context":"watchdog"'));
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 60, service: 'registry', limitMs: 1500, context: 'watchdog' });
      expect(line.msg).toMatch(/^event loop blocked for \d+ ms \(limit 1500 ms, EVENT_LOOP_BLOCK_LIMIT_MS\): exiting$/);
      expect(line.blockedMs).toBeGreaterThanOrEqual(1500);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
