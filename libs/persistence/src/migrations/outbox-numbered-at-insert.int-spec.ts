import type { DataSource } from 'typeorm';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { createServiceDataSource, initializeAndMigrate } from '../data-source';
import { publishedHighWater } from '../outbox/outbox-sequence';
import { OutboxInbox1764460800000 } from './1764460800000-OutboxInbox';
import { EventSequences1796524800000 } from './1796524800000-EventSequences';
import { OutboxNumberedAtInsert1796860800000 } from './1796860800000-OutboxNumberedAtInsert';
import { EVENT_TABLE_MIGRATIONS } from './event-tables';

/** The rows an outbox holds when its service moves to numbering at insert: none lost, none renumbered. */
describe('OutboxNumberedAtInsert (migration) on the real PostgreSQL', () => {
  let dbUrl: string;
  const open: DataSource[] = [];
  const dataSource = async (migrations: Array<new () => unknown>): Promise<DataSource> => {
    const ds = createServiceDataSource({ url: dbUrl, schema: 'svc', migrations: migrations as never });
    await initializeAndMigrate(ds);
    open.push(ds);
    return ds;
  };

  beforeAll(async () => {
    dbUrl = await freshDatabase('outboxmig');
  });
  afterAll(async () => {
    for (const ds of open) await ds.destroy().catch(() => undefined);
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  });

  it("numbers the old relay's unnumbered rows in its order, and marks each subject below its first unpublished row", async () => {
    const before = await dataSource([OutboxInbox1764460800000, EventSequences1796524800000]);
    // Subject a: 1 published, 2 numbered but not published, 3 published (a late row the old relay sent first),
    // then two rows not numbered yet. Subject b: all published.
    const rows: Array<[string, string, number | null, boolean]> = [
      ['a', '00000000-0000-7000-8000-000000000001', 1, true],
      ['a', '00000000-0000-7000-8000-000000000002', 2, false],
      ['a', '00000000-0000-7000-8000-000000000003', null, false],
      ['b', '00000000-0000-7000-8000-000000000004', 1, true],
      ['a', '00000000-0000-7000-8000-000000000005', 3, true],
      ['b', '00000000-0000-7000-8000-000000000006', 2, true],
      ['a', '00000000-0000-7000-8000-000000000007', null, false],
    ];
    for (const [subject, id, n, published] of rows) {
      await before.query(
        `INSERT INTO outbox (event_id, subject, envelope, subject_seq, published_at)
         VALUES ($1::uuid, $2, jsonb_build_object('id', $1::text), $3, CASE WHEN $4 THEN now() END)`,
        [id, subject, n, published],
      );
    }
    await before.query(`INSERT INTO outbox_sequence (subject, last_seq) VALUES ('a', 3), ('b', 2)`);
    await before.destroy();

    const after = await dataSource(
      EVENT_TABLE_MIGRATIONS.slice(0, EVENT_TABLE_MIGRATIONS.indexOf(OutboxNumberedAtInsert1796860800000) + 1),
    );
    const numbered: Array<{ event_id: string; subject_seq: string }> = await after.query(
      `SELECT event_id, subject_seq FROM outbox WHERE subject = 'a' ORDER BY subject_seq`,
    );
    expect(numbered.map((r) => [r.event_id.slice(-1), Number(r.subject_seq)])).toEqual([
      ['1', 1],
      ['2', 2],
      ['5', 3],
      ['3', 4],
      ['7', 5],
    ]);
    expect(await publishedHighWater(after)).toEqual({ a: 1, b: 2 });
    // What the relay sends next: a's 2 onwards (3 again, under the same Nats-Msg-Id: a duplicate the stream drops).
    const pending: Array<{ subject_seq: string }> = await after.query(`SELECT subject_seq FROM outbox_pending ORDER BY seq`);
    expect(pending.map((r) => Number(r.subject_seq))).toEqual([2, 4, 3, 5]);
    expect(await after.query(`SELECT subject, last_seq::int AS n FROM outbox_sequence ORDER BY subject`)).toEqual([
      { subject: 'a', n: 5 },
      { subject: 'b', n: 2 },
    ]);

    // Down again: the rows up to each mark are the published ones, every row keeps its number.
    await after.undoLastMigration({ transaction: 'each' });
    const undone: Array<{ subject: string; subject_seq: number; published: boolean }> = await after.query(
      `SELECT subject, subject_seq::int, published_at IS NOT NULL AS published FROM outbox ORDER BY subject, subject_seq`,
    );
    expect(undone.map((r) => `${r.subject}${r.subject_seq}${r.published ? '+' : '-'}`)).toEqual([
      'a1+',
      'a2-',
      'a3-',
      'a4-',
      'a5-',
      'b1+',
      'b2+',
    ]);
  });
});
