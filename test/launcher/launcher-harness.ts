import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const SERVICE_NAMES = ['compliance', 'registry', 'intake', 'support-points', 'workforce', 'rates'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What the launcher writes to `<data>/launcher.json` while it runs. */
export interface LauncherState {
  pid: number;
  ready: boolean;
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  services: { name: ServiceName; pid: number; port: number; url: string; log: string }[];
  postgres: { pid: number; port: number } | null;
  nats: { pid: number; port: number } | null;
}

export interface RunningLauncher {
  proc: ChildProcess;
  dataDir: string;
  state: LauncherState;
  output(): string;
  url(service: ServiceName): string;
}

/** Ports the kernel reports free right now, one per service. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<{ port: number; close: () => Promise<void> }>((res, rej) => {
          const s = createServer();
          s.once('error', rej);
          s.listen(0, '127.0.0.1', () =>
            res({ port: (s.address() as { port: number }).port, close: () => new Promise<void>((r) => s.close(() => r())) }),
          );
        }),
    ),
  );
  await Promise.all(servers.map((s) => s.close()));
  return servers.map((s) => s.port);
}

export async function portEnv(): Promise<Record<string, string>> {
  const ports = await freePorts(SERVICE_NAMES.length);
  return Object.fromEntries(SERVICE_NAMES.map((name, i) => [`${name.toUpperCase().replace(/-/g, '_')}_PORT`, String(ports[i])]));
}

/** A data folder of its own; as root the embedded PostgreSQL (run as `postgres`) must be able to enter it. */
export function tempDataDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bz-${label}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** The environment of the test process minus what would change the launcher's choices. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const k of [
    'DATABASE_URL',
    'NATS_URL',
    'ADMIN_API_KEY',
    'SEED',
    'EVENTS_NAMESPACE',
    'PORT',
    'ROSTER_HMAC_SECRET',
    'PG_PROBE_URL',
    'NATS_PROBE_URL',
  ])
    delete env[k];
  return env;
}

/** `node scripts/launcher.js` (what `npm start` runs), waiting until it reports every service healthy. */
export async function startLauncher(env: Record<string, string>, timeoutMs = 100_000): Promise<RunningLauncher> {
  const dataDir = env.LAUNCHER_DATA_DIR;
  if (!dataDir) throw new Error('give the launcher a LAUNCHER_DATA_DIR of its own');
  const proc = spawn(process.execPath, [join(ROOT, 'scripts', 'launcher.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const stateFile = join(dataDir, 'launcher.json');
  const deadline = Date.now() + timeoutMs;
  let state: LauncherState | null = null;
  while (!state) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`the launcher exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      killTree(proc.pid!);
      throw new Error(`the launcher did not report every service healthy within ${timeoutMs} ms:\n${out}`);
    }
    try {
      const s = JSON.parse(readFileSync(stateFile, 'utf8')) as LauncherState;
      // The summary (URLs, admin key) ends with this line; the state file may be written before it arrives.
      if (s.ready && out.includes('Ctrl-C stops everything.')) state = s;
    } catch {
      /* not written yet, or being written */
    }
    if (!state) await new Promise((r) => setTimeout(r, 250));
  }
  return {
    proc,
    dataDir,
    state,
    output: () => out,
    url: (name) => state.services.find((s) => s.name === name)!.url,
  };
}

/** Every process below `pid` (children, grandchildren, …), read from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); it is gone for every purpose but its parent's wait.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Sends `signal` and waits for the launcher to exit; returns its exit code. */
export async function stopLauncher(l: RunningLauncher, signal: NodeJS.Signals = 'SIGINT', timeoutMs = 40_000): Promise<number | null> {
  if (l.proc.exitCode !== null) return l.proc.exitCode;
  const exited = new Promise<number | null>((res) => l.proc.once('exit', (code) => res(code)));
  l.proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, rej) =>
      (timer = setTimeout(() => rej(new Error(`launcher still running ${timeoutMs} ms after ${signal}\n${l.output()}`)), timeoutMs)),
  );
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Last resort for afterAll when a test failed half-way: nothing of ours may outlive the test file. */
export function killTree(pid: number): void {
  for (const p of descendants(pid).reverse()) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const randomSuffix = (): string => randomBytes(4).toString('hex');

export async function get(url: string, key?: string | null): Promise<{ status: number; type: string; body: any; text: string }> {
  const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return parse(res);
}

export async function send(
  method: string,
  url: string,
  body: unknown,
  key?: string | null,
): Promise<{ status: number; type: string; body: any; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(url, { method, headers, body: JSON.stringify(body) });
  return parse(res);
}

async function parse(res: Response): Promise<{ status: number; type: string; body: any; text: string }> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body, text };
}
