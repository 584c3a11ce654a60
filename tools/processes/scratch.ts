import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { join } from 'node:path';
import { Client } from 'pg';
import { streamNames } from '@app/messaging';
import { repoRoot } from './service-processes';

/** scripts/launcher/pg-roles.js (plain JavaScript, loaded from the repository as the launcher loads it). */
function pgRoles(): { dropServiceRoles(serverUrl: string, database: string): Promise<string[]> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(repoRoot(), 'scripts', 'launcher', 'pg-roles.js'));
}

/**
 * Throwaway databases and event namespaces, and polling: what the tests (test/support/int-env.ts) and the
 * benchmarks (bench/support/env.ts) both make and clear away, each with its own prefixes and defaults.
 */

export async function withAdmin<T>(adminUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new database `<prefix>_<label>_<random>` on the admin URL's server; returns its URL. */
export async function createScratchDatabase(adminUrl: string, prefix: string, label: string): Promise<string> {
  const name = `${prefix}_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops a database (its connections first), and the service roles made for it (roles outlive databases). */
export async function dropScratchDatabase(adminUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdmin(adminUrl, async (c) => {
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
  });
  await pgRoles().dropServiceRoles(adminUrl, name);
}

/** A fresh event namespace `<prefix><label…><random>` (its own streams and subjects). */
export function scratchNamespace(prefix: string, label: string, labelChars: number): string {
  return `${prefix}${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, labelChars)}${randomBytes(3).toString('hex')}`;
}

/** Removes a namespace's streams. */
export async function dropScratchNamespace(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const names = streamNames(namespace);
    for (const s of [names.events, names.deadLetters]) await jsm.streams.delete(s).catch(() => false);
  } finally {
    await nc.close();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it gives a truthy value; its errors are kept for the timeout's message. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs: number,
  everyMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}
