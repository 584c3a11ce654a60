// Must-show: a service started with an invalid DATABASE_URL exits non-zero with a one-line reason on
// stderr, not a stack trace — whether the URL is malformed (caught by the configuration check) or well
// formed but pointing where no PostgreSQL answers (caught when the service connects).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { natsUrl } from '../support/int-env';
import { cleanEnv, freePorts, ROOT, SERVICE_NAMES, type ServiceName } from '../launcher/launcher-harness';

jest.setTimeout(60_000);

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command the launcher runs for a service: node -r scripts/register-paths.js dist/apps/<svc>/src/main.js */
function runService(name: ServiceName, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'scripts', 'register-paths.js'), join(ROOT, 'dist', 'apps', name, 'src', 'main.js')],
      {
        cwd: ROOT,
        env: { ...cleanEnv(), NATS_URL: natsUrl(), EVENTS_NAMESPACE: 'tstartup', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} still running after 45 s with a bad DATABASE_URL\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 45_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const STACK_FRAME = /^\s+at\s/m;

describe('a service with an invalid DATABASE_URL', () => {
  it.each(SERVICE_NAMES)('%s: a malformed URL stops it at boot with one line naming DATABASE_URL', async (name) => {
    const [port] = await freePorts(1);
    const r = await runService(name, { DATABASE_URL: 'mysql://root@localhost/bluezone', PORT: String(port) });
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${name}: invalid configuration: .*DATABASE_URL must be a PostgreSQL URL`));
    expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
  });

  it('a well-formed URL where no PostgreSQL listens stops it with one line saying why', async () => {
    // Port 1 (tcpmux) has no listener on any machine we run on: the connection is refused at once.
    const deadPort = 1;
    const [port] = await freePorts(1);
    const r = await runService('intake', { DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPort}/bluezone`, PORT: String(port) });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^intake: cannot start: .*ECONNREFUSED 127\\.0\\.0\\.1:${deadPort}`))]);
    expect(r.stderr + r.stdout).not.toMatch(STACK_FRAME);
  });
});
