import { DataSource } from 'typeorm';
import {
  createScratchDatabase,
  dropScratchDatabase,
  dropScratchNamespace,
  waitFor as poll,
  scratchNamespace,
} from '../../tools/processes/scratch';

/** The PostgreSQL server the tests use (found by global-setup.js), as an admin URL. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function natsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** A fresh database of its own for one test file: `bzt_<label>_<random>`. */
export function freshDatabase(label: string): Promise<string> {
  return createScratchDatabase(adminDatabaseUrl(), 'bzt', label);
}

/** A fresh event namespace (its own streams and subjects) for one test file. */
export function freshNamespace(label: string): string {
  return scratchNamespace('t', label, 12);
}

/** Removes a namespace's streams after a test file. */
export function dropNamespace(namespace: string): Promise<void> {
  return dropScratchNamespace(natsUrl(), namespace);
}

/** Drops a test database (connections first). */
export function dropDatabase(url: string): Promise<void> {
  return dropScratchDatabase(adminDatabaseUrl(), url);
}

/**
 * A fresh database for the describe block this is called in, and a TypeORM DataSource on it, dropped after the block;
 * returns the DataSource (from the block's first `beforeAll` on).
 */
export function scratchDataSource(label: string): () => DataSource {
  let url: string | null = null;
  let ds: DataSource | null = null;
  beforeAll(async () => {
    url = await freshDatabase(label);
    ds = new DataSource({ type: 'postgres', url });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });
  return () => {
    if (!ds) throw new Error('scratchDataSource: the DataSource is made in beforeAll');
    return ds;
  };
}

export function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  return poll(fn, what, timeoutMs, everyMs);
}
