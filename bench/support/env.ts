import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { streamNames } from '@app/messaging';

export { repoRoot } from '../../tools/processes/service-processes';

/** The PostgreSQL server to benchmark against, as an admin URL (BENCH_ADMIN_DATABASE_URL, else the local default). */
export function adminDatabaseUrl(): string {
  return process.env.BENCH_ADMIN_DATABASE_URL ?? process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function natsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

export async function withAdmin<T>(fn: (c: Client) => Promise<T>, url = adminDatabaseUrl()): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A database of its own for one section: `bzb_<label>_<random>`. */
export async function freshDatabase(label: string): Promise<string> {
  const name = `bzb_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(adminDatabaseUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdmin(async (c) => {
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
  });
}

/** A fresh event namespace (its own streams and subjects). */
export function freshNamespace(label: string): string {
  return `b${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 10)}${randomBytes(3).toString('hex')}`;
}

export async function dropNamespace(namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    const names = streamNames(namespace);
    for (const s of [names.events, names.deadLetters]) await jsm.streams.delete(s).catch(() => false);
  } finally {
    await nc.close();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}
