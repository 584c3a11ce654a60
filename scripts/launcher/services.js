// The six services as child processes: build when needed, spawn, prefix their logs, wait for /health.
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { LaunchError } = require('./settings');
const { sleep } = require('./infra');

const SOURCE_DIRS = ['apps', 'libs', 'bench', 'tools'];
const SOURCE_FILES = ['tsconfig.base.json', 'tsconfig.build.json'];

function newestSourceMtime(root) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules') visit(path.join(p, e));
    } else if (/\.ts$/.test(p) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(p)) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) visit(path.join(root, d));
  for (const f of SOURCE_FILES) {
    try {
      newest = Math.max(newest, fs.statSync(path.join(root, f)).mtimeMs);
    } catch {
      /* optional */
    }
  }
  return newest;
}

/** Why a build is needed, or null: a service's dist/ entry point is missing or older than some source. */
function buildReason(root, services) {
  let oldest = Infinity;
  for (const s of services) {
    const main = entryPoint(root, s.name);
    if (!fs.existsSync(main)) return `${path.relative(root, main)} is missing`;
    oldest = Math.min(oldest, fs.statSync(main).mtimeMs);
  }
  return newestSourceMtime(root) > oldest ? 'sources changed since the last build' : null;
}

const entryPoint = (root, name) => path.join(root, 'dist', 'apps', name, 'src', 'main.js');

function runBuild(root, track) {
  return new Promise((resolve, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // Its own process group, so that stopping it stops npm, the shell and tsc together.
    const child = spawn(npm, ['run', '--silent', 'build:app'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    track(child);
    child.once('error', (err) => reject(new LaunchError(`cannot run npm run build:app: ${err.message}`)));
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new LaunchError(`npm run build:app failed (${signal ? `signal ${signal}` : `exit code ${code}`}); fix the errors above`)),
    );
  });
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Nest's start-up chatter (one line per module and route): kept in the log file, not on the terminal.
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);
const SHOWN_FIELDS = ['method', 'path', 'status', 'ms', 'correlationId', 'err'];

/** One JSON log line as `12:00:01 INFO  message key=value`, or null when it is start-up chatter. */
function formatLogLine(line, verbose) {
  if (!line.startsWith('{')) return line;
  let o;
  try {
    o = JSON.parse(line);
  } catch {
    return line;
  }
  if (!verbose && o.level <= 30 && QUIET_CONTEXTS.has(o.context)) return null;
  const time = typeof o.time === 'string' ? o.time.slice(11, 19) : new Date(o.time || Date.now()).toISOString().slice(11, 19);
  const extras = SHOWN_FIELDS.filter((k) => o[k] !== undefined).map((k) => {
    const v = o[k];
    return `${k}=${typeof v === 'object' ? (v && v.message) || JSON.stringify(v) : v}`;
  });
  const ctx = o.context && !QUIET_CONTEXTS.has(o.context) ? `[${o.context}] ` : '';
  return `${time} ${(LEVELS[o.level] || String(o.level)).padEnd(5)} ${ctx}${o.msg || ''}${extras.length ? `  ${extras.join(' ')}` : ''}`;
}

/**
 * Starts one service: `node -r scripts/register-paths.js dist/apps/<svc>/src/main.js`. Every line goes
 * to `<logDir>/<svc>.log` as written; the terminal gets it condensed and prefixed with the service name.
 */
function spawnService(settings, svc, env, width) {
  const logFile = path.join(settings.logDir, `${svc.name}.log`);
  const file = fs.createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    ['-r', path.join(settings.root, 'scripts', 'register-paths.js'), entryPoint(settings.root, svc.name)],
    {
      cwd: settings.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const prefix = `${svc.name.padEnd(width)} | `;
  const recent = [];
  const pipe = (stream, isErr) => {
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      file.write(`${line}\n`);
      if (isErr) {
        recent.push(line);
        if (recent.length > 20) recent.shift();
      }
      const shown = formatLogLine(line, settings.verbose);
      if (shown !== null) (isErr ? process.stderr : process.stdout).write(`${prefix}${shown}\n`);
    });
  };
  pipe(child.stdout, false);
  pipe(child.stderr, true);
  child.once('exit', () => file.end());
  return {
    ...svc,
    child,
    logFile,
    url: `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${svc.port}`,
    recentStderr: recent,
  };
}

/** Polls GET /health until it answers 200; fails early when the process exits. */
async function waitHealthy(running, timeoutMs, isStopping) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (isStopping()) throw new LaunchError('stopped while starting');
    const c = running.child;
    if (c.exitCode !== null || c.signalCode !== null) {
      const why = running.recentStderr.length ? running.recentStderr[running.recentStderr.length - 1] : `exit code ${c.exitCode}`;
      throw new LaunchError(`${running.name} exited while starting: ${why} (log: ${running.logFile})`);
    }
    try {
      const res = await fetch(`${running.url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `GET /health answered ${res.status}`;
    } catch (err) {
      last = err.cause ? err.cause.code || err.cause.message : err.message;
    }
    if (Date.now() > deadline)
      throw new LaunchError(`${running.name} was not healthy within ${Math.round(timeoutMs / 1000)} s (${last}); log: ${running.logFile}`);
    await sleep(250);
  }
}

module.exports = { buildReason, runBuild, spawnService, waitHealthy, formatLogLine, entryPoint };
