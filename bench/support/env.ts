import type { Client } from 'pg';
import {
  createScratchDatabase,
  dropScratchDatabase,
  dropScratchNamespace,
  waitFor as poll,
  scratchNamespace,
  sleep,
  withAdmin as withAdminOn,
} from '../../tools/processes/scratch';

export { repoRoot } from '../../tools/processes/service-processes';

/** The PostgreSQL server to benchmark against, as an admin URL (BENCH_ADMIN_DATABASE_URL, else the local default). */
export function adminDatabaseUrl(): string {
  return process.env.BENCH_ADMIN_DATABASE_URL ?? process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function natsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

export function withAdmin<T>(fn: (c: Client) => Promise<T>, url = adminDatabaseUrl()): Promise<T> {
  return withAdminOn(url, fn);
}

/** A database of its own for one section: `bzb_<label>_<random>`. */
export function freshDatabase(label: string): Promise<string> {
  return createScratchDatabase(adminDatabaseUrl(), 'bzb', label);
}

export function dropDatabase(url: string): Promise<void> {
  return dropScratchDatabase(adminDatabaseUrl(), url);
}

/** A fresh event namespace (its own streams and subjects). */
export function freshNamespace(label: string): string {
  return scratchNamespace('b', label, 10);
}

export function dropNamespace(namespace: string): Promise<void> {
  return dropScratchNamespace(natsUrl(), namespace);
}

export { sleep };

export function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs: number, everyMs = 200): Promise<T> {
  return poll(fn, what, timeoutMs, everyMs);
}
