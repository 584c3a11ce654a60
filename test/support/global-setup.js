// Finds the PostgreSQL and NATS JetStream the integration and e2e tiers run against:
// DATABASE_URL / NATS_URL when set; else the local default ports; else containers through
// testcontainers when a Docker engine answers. With none of these the run fails and says why:
// it never passes by skipping.
const net = require('node:net');
const { execFileSync } = require('node:child_process');

function reachable(host, port, timeoutMs = 1500) {
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

function hostPort(url, defPort) {
  const u = new URL(url.split(',')[0]);
  return { host: u.hostname, port: Number(u.port || defPort) };
}

function dockerEngineAnswers() {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

module.exports = async function globalSetup() {
  const pgUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const natsUrl = process.env.NATS_URL || 'nats://127.0.0.1:4222';
  const pg = hostPort(pgUrl, 5432);
  const nats = hostPort(natsUrl, 4222);
  const [pgOk, natsOk] = await Promise.all([reachable(pg.host, pg.port), reachable(nats.host, nats.port)]);
  const missing = [];
  if (!pgOk) missing.push(`PostgreSQL at ${pg.host}:${pg.port}`);
  if (!natsOk) missing.push(`NATS at ${nats.host}:${nats.port}`);
  if (missing.length === 0) {
    process.env.TEST_ADMIN_DATABASE_URL = pgUrl;
    process.env.NATS_URL = natsUrl;
    return;
  }
  if (!dockerEngineAnswers()) {
    throw new Error(
      `integration tests need ${missing.join(' and ')}, which did not answer, and no Docker engine answers for testcontainers. ` +
        'Start them (see README.md, Tests) or set DATABASE_URL / NATS_URL.',
    );
  }
  const { GenericContainer, Wait } = require('testcontainers');
  const started = [];
  if (!pgOk) {
    const c = await new GenericContainer('postgres:15')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
      .start();
    started.push(c);
    process.env.TEST_ADMIN_DATABASE_URL = `postgres://postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`;
  } else process.env.TEST_ADMIN_DATABASE_URL = pgUrl;
  if (!natsOk) {
    const c = await new GenericContainer('nats:2.9').withCommand(['-js']).withExposedPorts(4222).start();
    started.push(c);
    process.env.NATS_URL = `nats://${c.getHost()}:${c.getMappedPort(4222)}`;
  } else process.env.NATS_URL = natsUrl;
  globalThis.__BZ_CONTAINERS__ = started;
};
