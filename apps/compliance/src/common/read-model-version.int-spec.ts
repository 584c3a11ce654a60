import { DataSource } from 'typeorm';
import type { CampaignCalendar } from '@app/platform';
import { dropDatabase, freshDatabase, waitFor } from '@test/support/int-env';
import { generationSchema, projectionTablesDdl } from '../projection/projection.schema';
import { announceReadModelChange, readModelChannel } from '../projection/read-model-changes';
import { ReadModelService } from './read-model.service';
import { ReadModelVersion } from './read-model-version';

/**
 * The read-model version in memory: this process's own changes as their commit returns, another process's
 * through LISTEN, and the database's version whenever the listening connection is down.
 */
describe('ReadModelVersion: what readers key kept answers on', () => {
  let url: string;
  let ds: DataSource;
  /** Another process writing to the same database. */
  let other: DataSource;
  const base = 'rmv';
  const options = () => ({ type: 'postgres' as const, url, schema: base, extra: { options: `-c search_path=${base}` } });

  beforeAll(async () => {
    url = await freshDatabase('rmversion');
    ds = new DataSource(options());
    await ds.initialize();
    other = new DataSource(options());
    await other.initialize();
    await ds.query(`CREATE SCHEMA ${base}`);
    await ds.query(`CREATE TABLE ${base}.projection_pointer (generation integer NOT NULL)`);
    await ds.query(`INSERT INTO ${base}.projection_pointer VALUES (1)`);
    await ds.query(`CREATE TABLE ${base}.read_model_version (consumer text PRIMARY KEY, version bigint NOT NULL)`);
    for (const sql of projectionTablesDdl(generationSchema(base, 1))) await ds.query(sql);
  });
  afterAll(async () => {
    await other?.destroy();
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  const change = (on: DataSource, rollback = false) =>
    on
      .transaction(async (m) => {
        await announceReadModelChange(m, base);
        if (rollback) throw new Error('rolled back');
      })
      .catch((err: Error) => {
        if (err.message !== 'rolled back') throw err;
      });

  it('moves with this process’s commits at once and another’s once notified, never with a rollback', async () => {
    const v = new ReadModelVersion(ds, base);
    expect(v.current()).toBeNull();
    v.start();
    try {
      const first = await waitFor(async () => v.current(), 'listening');

      await change(ds);
      // No wait: the commit has returned, so the next read must not be answered from before it.
      const mine = v.current();
      expect(mine).not.toBe(first);

      await change(other);
      await waitFor(async () => v.current() !== mine, 'another process’s change heard');

      // Once the notifications sent so far have landed (this process hears its own too), nothing else moves it.
      const pause = () => new Promise((r) => setTimeout(r, 300));
      await pause();
      const settled = v.current();
      await change(ds, true);
      await change(other, true);
      await other.query(`SELECT pg_notify($1, '')`, [`${readModelChannel(base)}_elsewhere`]);
      await pause();
      expect(v.current()).toBe(settled);
    } finally {
      v.stop();
    }
    expect(v.current()).toBeNull();
  });

  it('answers null while the listening connection is lost, and a new version once it listens again', async () => {
    const v = new ReadModelVersion(ds, base);
    v.start();
    try {
      const before = await waitFor(async () => v.current(), 'listening');
      const listeners = async () =>
        (await other.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`)) as Array<{
          pid: number;
        }>;
      const [listener] = await waitFor(async () => (await listeners()).length === 1 && listeners(), 'the listener');
      await other.query(`SELECT pg_terminate_backend($1)`, [listener.pid]);
      await waitFor(async () => v.current() === null, 'the loss noticed');
      // Changes made while nobody listened are not heard: the version after listening again is a new one.
      const after = await waitFor(async () => v.current(), 'listening again', 10_000);
      expect(after).not.toBe(before);
    } finally {
      v.stop();
    }
  });

  it('lets ReadModelService keep answers per version, reading the database’s version while not listening', async () => {
    const reads = new ReadModelService(ds, {} as CampaignCalendar);
    const count = (s: string) => `SELECT count(*)::int FROM "${s}".units`;
    const kept = () =>
      reads.keep(
        'count',
        () => reads.readOne<number>(count, []),
        () => 1,
      );
    const insert = (code: string) => ds.query(`INSERT INTO "${generationSchema(base, 1)}".units (code, revision) VALUES ($1, 1)`, [code]);

    // Not listening: the database's version, moved by the consumers' counters.
    expect((await kept()).data).toBe(0);
    await insert('A');
    expect((await kept()).data).toBe(0);
    await ds.query(`INSERT INTO ${base}.read_model_version VALUES ('projection', 1)`);
    expect((await kept()).data).toBe(1);

    reads.onApplicationBootstrap();
    try {
      await waitFor(async () => (await reads.currentVersion()).startsWith('mem:'), 'listening');
      await insert('B');
      expect((await kept()).data).toBe(2);
      await insert('C');
      expect((await kept()).data).toBe(2);
      await change(other);
      await waitFor(async () => (await kept()).data === 3, 'the change heard');
    } finally {
      reads.onModuleDestroy();
    }
  });
});
