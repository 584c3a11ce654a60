import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { createServiceDataSource, initializeAndMigrate } from './data-source';
import { OutboxInbox1764460800000 } from './migrations/1764460800000-OutboxInbox';

/** A migration slow enough that replicas starting together are all inside it at once without the lock. */
class SlowTable1764460900100 implements MigrationInterface {
  name = 'SlowTable1764460900100';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`SELECT pg_sleep(0.3)`);
    await q.query(`CREATE TABLE slow_table (id integer PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE slow_table`);
  }
}

describe('initializeAndMigrate on the real PostgreSQL', () => {
  let dbUrl: string;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    dbUrl = await freshDatabase('migrate');
  });
  afterAll(async () => {
    for (const ds of sources) await ds.destroy().catch(() => undefined);
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  });

  it('lets replicas that start together migrate one schema: all succeed, each migration runs once', async () => {
    const replicas = Array.from({ length: 4 }, (_, i) =>
      createServiceDataSource({
        url: dbUrl,
        schema: 'svc',
        migrations: [OutboxInbox1764460800000, SlowTable1764460900100],
        poolSize: 2,
        applicationName: `replica-${i}`,
      }),
    );
    sources.push(...replicas);
    const results = await Promise.allSettled(replicas.map((ds) => initializeAndMigrate(ds)));
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
    const applied: Array<{ name: string }> = await replicas[0].query(`SELECT name FROM svc.migrations ORDER BY id`);
    expect(applied.map((r) => r.name)).toEqual(['OutboxInbox1764460800000', 'SlowTable1764460900100']);
    // The lock is released: a later start (a restart) goes through at once.
    await initializeAndMigrate(replicas[0]);
  });
});
