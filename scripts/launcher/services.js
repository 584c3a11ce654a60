// The six services as child processes: build when needed, spawn, prefix their logs, wait for /health.
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { LaunchError } = require('./settings');
const { spawnChild, sleep, hasExited, exitText } = require('./processes');
const { nodeFlags } = require('../node-flags');

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
    const child = spawnChild(
      'npm run build:app',
      npm,
      ['run', '--silent', 'build:app'],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true },
      { hint: 'npm must be on the PATH' },
    );
    track(child);
    child.started.catch(reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new LaunchError(`npm run build:app failed (${exitText(code, signal)}); fix the errors above`)),
    );
  });
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Nest's start-up chatter (one line per module and route): kept in the log file, not on the terminal.
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);
const SHOWN_FIELDS = ['method', 'path', 'status', 'ms', 'correlationId', 'err'];
// A stack trace's frames, and the "Node.js v20…" line Node ends a crash with: in the log file, not on the terminal.
const TRACE_LINE = /^\s+at\s|^Node\.js v\d/;

/** One JSON log line as `12:00:01 INFO  message key=value`, or null when it is start-up chatter or a stack frame. */
function formatLogLine(line, verbose) {
  if (!line.startsWith('{')) return !verbose && TRACE_LINE.test(line) ? null : line;
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
 * The line of a log that says what went wrong, or null: a JSON line at level error or above, or a line of
 * stderr that is not part of a stack trace. Node reports a crash as the source line, "TypeError: …", indented
 * frames and properties, "}" and "Node.js v20…": of these only "TypeError: …" and the file name count.
 */
function errorLine(line, isErr) {
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line);
      if (!(o.level >= 50)) return null;
      const err = o.err && typeof o.err === 'object' ? o.err.message : o.err;
      return `${o.msg || ''}${err && err !== o.msg ? `: ${err}` : ''}`.trim() || null;
    } catch {
      /* not JSON after all: judged as text below */
    }
  }
  if (!isErr || /^\s/.test(line) || /^[\s{}()[\],^]*$/.test(line) || TRACE_LINE.test(line)) return null;
  return line;
}

/**
 * Starts one service: `node <its flags> -r scripts/register-paths.js dist/apps/<svc>/src/main.js`. Every line goes
 * to `<logDir>/<svc>.log` as written; the terminal gets it condensed and prefixed with the service name.
 */
function spawnService(settings, svc, env, width) {
  const logFile = path.join(settings.logDir, `${svc.name}.log`);
  const file = fs.createWriteStream(logFile, { flags: 'a' });
  const child = spawnChild(
    svc.name,
    process.execPath,
    [...nodeFlags(svc.name), '-r', path.join(settings.root, 'scripts', 'register-paths.js'), entryPoint(settings.root, svc.name)],
    { cwd: settings.root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const prefix = `${svc.name.padEnd(width)} | `;
  let lastError = null;
  const pipe = (stream, isErr) => {
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      file.write(`${line}\n`);
      const err = errorLine(line, isErr);
      if (err) lastError = err;
      const shown = formatLogLine(line, settings.verbose);
      if (shown !== null) (isErr ? process.stderr : process.stdout).write(`${prefix}${shown}\n`);
    });
  };
  pipe(child.stdout, false);
  pipe(child.stderr, true);
  child.once('close', () => file.end());
  return {
    ...svc,
    child,
    logFile,
    url: `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${svc.port}`,
    /** What its log last said went wrong (one line), or null. */
    lastError: () => lastError,
  };
}

/** Polls GET /health until it answers 200; fails early when the process exits. */
async function waitHealthy(running, timeoutMs, isStopping) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (isStopping()) throw new LaunchError('stopped while starting');
    const c = running.child;
    if (hasExited(c)) throw new LaunchError(exitedMessage(running, 'while starting'));
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

/** "<svc> exited <when> (code 1): <its last error line>; stopping everything. Its log: <file>" */
function exitedMessage(running, when) {
  const c = running.child;
  const last = running.lastError();
  return `${running.name} exited ${when} (${exitText(c.exitCode, c.signalCode)})${last ? `: ${last}` : ''}; stopping everything. Its log: ${running.logFile}`;
}

module.exports = { buildReason, runBuild, spawnService, waitHealthy, exitedMessage, formatLogLine, errorLine, entryPoint };
