import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withAdmin } from '../processes/scratch';
import { repoRoot, SERVICES } from '../processes/service-processes';
import { LocalCluster, REPLICAS } from './local-cluster';

/**
 * `npm run cluster`: deploy/'s topology on this machine (tools/cluster/local-cluster.ts), against the machine's
 * PostgreSQL (CLUSTER_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/, database bz_cluster, made
 * afresh at each start) until Ctrl-C. Everything else lives under .data/cluster/run.
 */
async function main(): Promise<void> {
  const root = repoRoot();
  const server = process.env.CLUSTER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = process.env.CLUSTER_DATABASE ?? 'bz_cluster';
  await withAdmin(server, async (c) => {
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
    await c.query(`DROP DATABASE IF EXISTS "${database}"`);
    await c.query(`CREATE DATABASE "${database}"`);
  });
  const u = new URL(server);
  u.pathname = `/${database}`;
  const keyFile = join(root, '.data', 'cluster', 'admin-key');
  mkdirSync(join(root, '.data', 'cluster'), { recursive: true });
  if (!existsSync(keyFile)) writeFileSync(keyFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  const adminKey = process.env.ADMIN_API_KEY ?? readFileSync(keyFile, 'utf8').trim();
  const cluster = new LocalCluster({
    dir: join(root, '.data', 'cluster', 'run'),
    databaseUrl: u.toString(),
    namespace: process.env.EVENTS_NAMESPACE ?? 'bz',
    adminKey,
    // The machine's PostgreSQL has 100 connections for everyone: 15 replicas with small pools.
    env: { DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '3' },
    log: (m) => process.stdout.write(`cluster: ${m}\n`),
  });
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('cluster: stopping\n');
    await cluster.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    await cluster.start();
  } catch (err) {
    process.stderr.write(`cluster: ${(err as Error).message}\n`);
    await stop(1);
    return;
  }
  const lines = [`NATS (3 nodes, streams R3, nats-server ${cluster.natsVersion}): ${cluster.natsUrl}`];
  for (const s of SERVICES) {
    const ports = cluster.replicaSets.slice(0, REPLICAS[s]).map((rs) => rs.ports.get(s));
    lines.push(`${s.padEnd(15)} ${cluster.url(s)}  (replicas on ${ports.join(', ')})`);
  }
  lines.push(`admin key: ${adminKey}`, `logs: ${join(cluster.options.dir, 'logs')}`, 'Ctrl-C stops everything.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`cluster: ${(err as Error).message}\n`);
  process.exit(1);
});
