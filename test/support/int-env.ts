import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { streamNames } from '@app/messaging';
import { createDatabaseIfMissing } from '@app/persistence';

/** The PostgreSQL server the tests use (found by global-setup.js), as an admin URL. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function natsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** A fresh database of its own for one test file: `bzt_<label>_<random>`. */
export async function freshDatabase(label: string): Promise<string> {
  const name = `bzt_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = adminDatabaseUrl();
  await createDatabaseIfMissing(admin, name);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh event namespace (its own streams and subjects) for one test file. */
export function freshNamespace(label: string): string {
  return `t${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 12)}${randomBytes(3).toString('hex')}`;
}

/** Removes a namespace's streams after a test file. */
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

/** Drops a test database (connections first). */
export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new DataSource({ type: 'postgres', url: adminDatabaseUrl() });
  await admin.initialize();
  try {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  } finally {
    await admin.destroy();
  }
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
