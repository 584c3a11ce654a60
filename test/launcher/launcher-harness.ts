import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl } from '../support/int-env';

export const ROOT = resolve(__dirname, '..', '..');
export const SERVICE_NAMES = ['compliance', 'registry', 'intake', 'support-points', 'workforce', 'rates', 'notifier'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What the launcher writes to `<data>/launcher.json` while it runs. */
export interface LauncherState {
  pid: number;
  ready: boolean;
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  services: { name: ServiceName; pid: number; port: number; url: string; log: string }[];
  /** The embedded PostgreSQL: its cluster, the binaries it runs, and (as root) the folder outside the repository holding both. */
  postgres: { pid: number; port: number; cluster: string; binaries: string; home: string | null } | null;
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

/** A data folder of its own, private (mode 0700) as a user's own folder may be. */
export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `bz-${label}-`));
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
    'LAUNCHER_DATA_DIR',
    'LAUNCHER_POSTGRES_DIR',
    'LAUNCHER_LIVENESS_TIMEOUT_MS',
  ])
    delete env[k];
  return env;
}

export interface LauncherOptions {
  /** The checkout to run (default: this one); `node <root>/scripts/launcher.js` with <root> as working folder. */
  root?: string;
  timeoutMs?: number;
  args?: string[];
}

/** The data folder a launcher in `root` uses: LAUNCHER_DATA_DIR, else `<root>/.data` (never this checkout's own). */
function dataDirOf(env: Record<string, string>, root: string): string {
  if (env.LAUNCHER_DATA_DIR) return resolve(root, env.LAUNCHER_DATA_DIR);
  if (root === ROOT) throw new Error('give the launcher a LAUNCHER_DATA_DIR of its own');
  return join(root, '.data');
}

/** `node scripts/launcher.js` (what `npm start` runs), waiting until it reports every service healthy. */
export async function startLauncher(env: Record<string, string>, options: LauncherOptions = {}): Promise<RunningLauncher> {
  const { root = ROOT, timeoutMs = 100_000 } = options;
  const dataDir = dataDirOf(env, root);
  const proc = spawn(process.execPath, [join(root, 'scripts', 'launcher.js'), ...(options.args ?? [])], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every pid it had below it while it ran (sampled), to check none outlives it. */
  seen: number[];
}

/** `node <args>` run to its end, its two streams apart; killed (with what it started) after `timeoutMs`. */
export async function runNode(args: string[], cwd: string, env: Record<string, string>, timeoutMs = 100_000): Promise<ProcessExit> {
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const seen = new Set<number>();
  const sampler = setInterval(() => {
    for (const p of descendants(proc.pid!)) seen.add(p);
  }, 100);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res, rej) => {
      const timer = setTimeout(() => {
        killTree(proc.pid!);
        rej(new Error(`node ${args.join(' ')} was still running after ${timeoutMs} ms:\n${stdout}${stderr}`));
      }, timeoutMs);
      proc.once('error', rej);
      proc.once('close', (c, s) => {
        clearTimeout(timer);
        res([c, s]);
      });
    });
    return { code, signal, stdout, stderr, seen: [...seen] };
  } finally {
    clearInterval(sampler);
  }
}

/** Runs the launcher to its end (a failure, or a command such as --clean-embedded). */
export function runLauncher(env: Record<string, string>, options: LauncherOptions = {}): Promise<ProcessExit> {
  const { root = ROOT, timeoutMs = 100_000 } = options;
  dataDirOf(env, root);
  return runNode([join(root, 'scripts', 'launcher.js'), ...(options.args ?? [])], root, env, timeoutMs);
}

/** The launcher's own lines on a stream (services' lines carry their name instead). */
export const launcherLines = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('launcher | '));

/** Matches a line of a stack trace, which no failure may print. */
export const STACK_FRAME = /^\s+at\s/m;

/** Live processes whose command line mentions one of `paths` (a data folder, a clone): what a run left behind. */
export function processesMentioning(paths: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (paths.some((p) => cmd.includes(p)) && isAlive(Number(entry))) found.push(`${entry} ${cmd}`);
  }
  return found;
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

/** A database and an event namespace of its own on this machine's PostgreSQL and NATS, for a launcher to run on. */
export async function scratchInfra(label: string): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  const databaseUrl = await freshDatabase(label);
  const namespace = freshNamespace(label);
  return {
    env: { DATABASE_URL: databaseUrl, NATS_URL: natsUrl(), EVENTS_NAMESPACE: namespace },
    dispose: async () => {
      await dropNamespace(namespace).catch(() => undefined);
      await dropDatabase(databaseUrl).catch(() => undefined);
    },
  };
}
