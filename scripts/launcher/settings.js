// What the launcher reads from the environment, in one place (README.md, Configuration, lists it).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** The seven services, their default ports (docs/api.md) and the variable that overrides each port. */
const SERVICES = [
  { name: 'compliance', port: 3000 },
  { name: 'registry', port: 3001 },
  { name: 'intake', port: 3002 },
  { name: 'support-points', port: 3003 },
  { name: 'workforce', port: 3004 },
  { name: 'rates', port: 3005 },
  { name: 'notifier', port: 3006 },
].map((s) => ({ ...s, portVar: `${s.name.toUpperCase().replace(/-/g, '_')}_PORT` }));

const DATABASE_NAME = 'bluezone';

function intEnv(env, name, def, min = 0, max = Number.MAX_SAFE_INTEGER) {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new LaunchError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  return n;
}

/** A failure the launcher explains in one message, without a stack trace. */
class LaunchError extends Error {}

function readSettings(env = process.env) {
  const dataDir = path.resolve(ROOT, env.LAUNCHER_DATA_DIR || '.data');
  const host = env.HOST || '127.0.0.1';
  const services = SERVICES.map((s) => ({ ...s, port: intEnv(env, s.portVar, s.port, 1, 65535) }));
  const seen = new Map();
  for (const s of services) {
    if (seen.has(s.port)) throw new LaunchError(`${s.portVar} and ${seen.get(s.port)} are both ${s.port}: give each service its own port`);
    seen.set(s.port, s.portVar);
  }
  const build = env.LAUNCHER_BUILD || 'auto';
  if (!['auto', 'always', 'never'].includes(build)) throw new LaunchError(`LAUNCHER_BUILD must be auto, always or never (got "${build}")`);
  return {
    root: ROOT,
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    host,
    services,
    databaseUrl: env.DATABASE_URL || null,
    natsUrl: env.NATS_URL || null,
    pgProbeUrl: env.PG_PROBE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    natsProbeUrl: env.NATS_PROBE_URL || 'nats://127.0.0.1:4222',
    namespace: env.EVENTS_NAMESPACE || 'bz',
    seed: env.SEED === undefined || env.SEED === '' ? null : env.SEED,
    build,
    healthTimeoutMs: intEnv(env, 'LAUNCHER_HEALTH_TIMEOUT_MS', 120_000, 1000),
    livenessTimeoutMs: intEnv(env, 'LAUNCHER_LIVENESS_TIMEOUT_MS', 30_000, 1000),
    // Only as root (scripts/launcher/postgres-home.js): where the embedded PostgreSQL's binaries and cluster are kept.
    postgresDir: env.LAUNCHER_POSTGRES_DIR ? path.resolve(ROOT, env.LAUNCHER_POSTGRES_DIR) : null,
    stopTimeoutMs: intEnv(env, 'LAUNCHER_STOP_TIMEOUT_MS', 10_000, 100),
    verbose: ['1', 'true', 'yes'].includes(String(env.LAUNCHER_VERBOSE || '').toLowerCase()),
    adminKey: env.ADMIN_API_KEY || null,
    rosterSecret: env.ROSTER_HMAC_SECRET || null,
  };
}

/** A secret kept in the data folder: made once, reused on every start, readable by its owner only. */
function persistentSecret(file, make) {
  try {
    const v = fs.readFileSync(file, 'utf8').trim();
    if (v) return v;
  } catch (err) {
    if (err.code !== 'ENOENT') throw new LaunchError(`cannot read ${file} (${err.code || err.message}); ${FOLDER_HINT}`);
  }
  const v = make();
  ensureDir(path.dirname(file), 'the data folder');
  try {
    fs.writeFileSync(file, `${v}\n`, { mode: 0o600 });
  } catch (err) {
    throw new LaunchError(`cannot write ${file} (${err.code || err.message}); ${FOLDER_HINT}`);
  }
  return v;
}

/** Several named secrets in one JSON file of the data folder (owner-only): each made once by `make(name)`, then reused. */
function persistentSecrets(file, names, make) {
  let known = {};
  try {
    known = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const all = { ...known };
  for (const n of names) all[n] ??= make(n);
  if (names.some((n) => known[n] !== all[n])) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  }
  return all;
}

const FOLDER_HINT = 'make the data folder writable, or set LAUNCHER_DATA_DIR to a folder you can write';

/** mkdir -p, failing with one line that names the folder, the reason and what to do. */
function ensureDir(dir, what, hint = FOLDER_HINT, mode = 0o755) {
  try {
    fs.mkdirSync(dir, { recursive: true, mode });
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new LaunchError(`cannot use ${what} ${dir} (${err.code || err.message}); ${hint}`);
  }
}

/** An error as one line: messages from other programs may span several. */
const oneLine = (text) =>
  String(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim();

const newApiKey = () => `bz_${crypto.randomBytes(32).toString('base64url')}`;
const newSecret = () => crypto.randomBytes(32).toString('hex');

/** postgres://user:secret@host → postgres://user:***@host, for printing. */
function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

module.exports = {
  ROOT,
  SERVICES,
  DATABASE_NAME,
  LaunchError,
  readSettings,
  persistentSecret,
  persistentSecrets,
  ensureDir,
  oneLine,
  newApiKey,
  newSecret,
  redactUrl,
};
