// PostgreSQL and NATS for the launcher: find the ones that answer, else start a nats-server under the data folder
// (the embedded PostgreSQL is embedded-postgres.js).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { LaunchError, ensureDir, oneLine } = require('./settings');
const { spawnChild, sleep, stopProcess, hasExited, exitText } = require('./processes');

function hostPort(url, defPort) {
  const u = new URL(url.split(',')[0]);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defPort) };
}

function tcpAnswers(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** A port nobody listens on right now (the kernel picks it). */
function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host }, () => srv.close(() => resolve(true)));
  });
}

/** PostgreSQL answers when a TCP connect succeeds and a real query runs (an open port is not enough). */
async function postgresAnswers(url) {
  const { host, port } = hostPort(url, 5432);
  if (!(await tcpAnswers(host, port))) return { ok: false, reason: `nothing listens on ${host}:${port}` };
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `${host}:${port} answers but a query failed: ${err.message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** NATS answers with its INFO line on connect; it is usable only with JetStream on. */
function natsAnswers(url, timeoutMs = 2000) {
  const { host, port } = hostPort(url, 4222);
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let buf = '';
    const done = (r) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done({ ok: false, reason: `no answer from ${host}:${port}` }));
    s.once('error', () => done({ ok: false, reason: `nothing listens on ${host}:${port}` }));
    s.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const m = /^INFO\s+(\{.*\})/.exec(buf.slice(0, nl).trim());
      if (!m) return done({ ok: false, reason: `${host}:${port} is not a NATS server` });
      let info = {};
      try {
        info = JSON.parse(m[1]);
      } catch {
        /* treated as no JetStream below */
      }
      done(
        info.jetstream
          ? { ok: true, authRequired: Boolean(info.auth_required) }
          : { ok: false, reason: `the NATS server at ${host}:${port} runs without JetStream (start it with -js)` },
      );
    });
  });
}

/** Creates the database named in `url` when it is missing (connecting to the server's `postgres` database). */
async function ensureDatabase(url) {
  const { Client } = require('pg');
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } catch (err) {
    if (err.code === '42P04') return false; // created meanwhile by someone else
    // A user without access to `postgres` (or without CREATEDB) is fine when the database is already there.
    if ((await postgresAnswers(url)).ok) return false;
    throw new LaunchError(`cannot use PostgreSQL at ${target.host} (database ${name}): ${err.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when the registry has never started in this database: its schema does not exist yet. */
async function isFirstStart(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'registry'");
    return rows.length === 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** nats-server from the PATH (Debian installs it in /usr/sbin, often not on a user's PATH). */
function findNatsServer(env = process.env) {
  const dirs = (env.PATH || '')
    .split(path.delimiter)
    .filter(Boolean)
    .concat(['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin']);
  for (const d of dirs) {
    const p = path.join(d, os.platform() === 'win32' ? 'nats-server.exe' : 'nats-server');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

const NATS_HOWTO =
  'install nats-server (sudo apt-get install nats-server on Debian/Ubuntu, or a release from https://github.com/nats-io/nats-server/releases on the PATH), run one in Docker (docker compose up -d nats), or point at one (NATS_URL=nats://host:4222 npm start)';

/** The last [FTL] / [ERR] line of nats-server's log (else its last line), to say in one line why it stopped. */
function lastNatsError(logFile) {
  let lines = [];
  try {
    lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-50);
  } catch {
    /* no log: nothing to add */
  }
  return [...lines].reverse().find((l) => /\[(FTL|ERR)\]/.test(l)) ?? lines.at(-1) ?? '';
}

/**
 * Starts `nats-server -js` with its store under `<dataDir>/nats` on `port` (loopback), with `-c configFile` when given
 * (the generated users of scripts/launcher/nats-auth.js); nothing is left running when it fails.
 */
async function startNatsServer(binary, dataDir, port, logFile, configFile = null) {
  const storeDir = path.join(dataDir, 'nats');
  ensureDir(storeDir, 'the NATS store folder');
  const out = fs.openSync(logFile, 'a');
  const proc = spawnChild(
    'nats-server',
    binary,
    [...(configFile ? ['-c', configFile] : []), '-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), '-n', 'bluezone-launcher'],
    // Its own process group, as the embedded PostgreSQL's: stopped after the services, not by the terminal's Ctrl-C.
    { stdio: ['ignore', out, out], detached: true },
    { hint: NATS_HOWTO },
  );
  fs.closeSync(out);
  const url = `nats://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  try {
    await proc.started;
    for (;;) {
      if (hasExited(proc))
        throw new LaunchError(
          `nats-server exited while starting (${exitText(proc.exitCode, proc.signalCode)}): ${oneLine(lastNatsError(logFile))} (log: ${logFile})`,
        );
      if ((await natsAnswers(url, 500)).ok) break;
      if (Date.now() > deadline) throw new LaunchError(`nats-server did not answer on ${url} within 20 s (log: ${logFile})`);
      await sleep(200);
    }
  } catch (err) {
    await stopProcess(proc, 2000);
    throw err;
  }
  return { url, port, pid: proc.pid, proc, stop: (timeoutMs) => stopProcess(proc, timeoutMs) };
}

module.exports = {
  hostPort,
  tcpAnswers,
  freePort,
  portIsFree,
  postgresAnswers,
  natsAnswers,
  ensureDatabase,
  isFirstStart,
  findNatsServer,
  startNatsServer,
  NATS_HOWTO,
};
