import type { DataSource } from 'typeorm';
import { createServiceDataSource, initializeAndMigrate } from '@app/persistence';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { RegistryReplica1764460800001, RegistryReplicaVersion1764460800002 } from './replica.migration';
import { ReplicaUnitScope } from './replica.auth';
import { ReplicaTree } from './replica.tree';

describe('ReplicaTree on the real PostgreSQL: same answers as the SQL, never older than the committed replica', () => {
  let url: string;
  let ds: DataSource;
  let other: DataSource;
  const version = async (on: DataSource = ds): Promise<string> => (await on.query(`SELECT ${ReplicaTree.VERSION_SQL} AS v`))[0].v;
  const upsert = (
    on: { query: DataSource['query'] },
    code: string,
    type: string,
    admin: string | null,
    accountable: string | null = null,
    revision = 1,
    active = true,
  ) =>
    on.query(
      `INSERT INTO replica_org_units (code, name, type, admin_parent_code, accountable_to_code, active, revision) VALUES ($1, $1, $2, $3, $4, $5, $6)
       ON CONFLICT (code) DO UPDATE SET type = EXCLUDED.type, admin_parent_code = EXCLUDED.admin_parent_code,
         accountable_to_code = EXCLUDED.accountable_to_code, active = EXCLUDED.active, revision = EXCLUDED.revision
       WHERE replica_org_units.revision < EXCLUDED.revision`,
      [code, type, admin, accountable, active, revision],
    );

  beforeAll(async () => {
    url = await freshDatabase('replicatree');
    const open = () =>
      createServiceDataSource({
        url,
        schema: 'svc',
        migrations: [RegistryReplica1764460800001, RegistryReplicaVersion1764460800002],
        poolSize: 4,
      });
    ds = open();
    await initializeAndMigrate(ds);
    other = open();
    await other.initialize();
  });
  afterAll(async () => {
    await other?.destroy();
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  it('describes every unit exactly as the recursive SQL of TableUnitScope does', async () => {
    await upsert(ds, 'P', 'province', null);
    await upsert(ds, 'D1', 'district', 'P');
    await upsert(ds, 'D2', 'district', 'P');
    await upsert(ds, 'DEPT', 'department', 'P');
    await upsert(ds, 'C1', 'commune', 'D1');
    await upsert(ds, 'S1', 'school', 'C1', 'DEPT');
    await upsert(ds, 'ORPHAN', 'commune', 'D-MISSING');
    await upsert(ds, 'X', 'commune', 'Y');
    await upsert(ds, 'Y', 'commune', 'X');
    for (let i = 0; i < 40; i++) await upsert(ds, `U${i}`, 'commune', i === 0 ? 'P' : `U${i - 1}`);
    const sql = new ReplicaUnitScope(ds);
    const tree = await new ReplicaTree(ds).current();
    const codes: Array<{ code: string }> = await ds.query(`SELECT code FROM replica_org_units`);
    for (const { code } of [...codes, { code: 'NOPE' }]) {
      expect({ code, d: await tree.describe(code) }).toEqual({ code, d: await sql.describe(code) });
      for (const root of ['P', 'D1', 'DEPT', 'C1', 'X', 'U5', 'U7', 'D-MISSING']) {
        expect({ code, root, w: await tree.isWithin(code, root) }).toEqual({ code, root, w: await sql.isWithin(code, root) });
      }
    }
  });

  it('raises the version once per committed transaction that changes units, at commit, and not for a no-op', async () => {
    const v0 = await version();
    await ds.transaction(async (m) => {
      await upsert(m, 'C9', 'commune', 'D1');
      await upsert(m, 'C10', 'commune', 'D1');
      // Not visible before the commit, to this transaction's neighbours.
      expect(await version(other)).toBe(v0);
    });
    const v1 = await version();
    expect(Number(v1)).toBe(Number(v0) + 1);
    await upsert(ds, 'C9', 'commune', 'D1', null, 1); // older revision: the replica keeps its row, nothing changes
    expect(await version()).toBe(v1);
    await ds
      .transaction(async (m) => {
        await upsert(m, 'C9', 'commune', 'D2', null, 2);
        throw Object.assign(new Error('rolled back'), { rollback: true });
      })
      .catch((e: { rollback?: boolean }) => expect(e.rollback).toBe(true));
    expect(await version()).toBe(v1);
  });

  it('serves the copy only while it is current: a committed move is seen by the next reader', async () => {
    const cache = new ReplicaTree(ds);
    const before = await cache.current();
    expect(await before.isWithin('C1', 'D1')).toBe(true);
    const loads = cache.loadCount;
    // Unchanged replica: the same copy, no load.
    expect(cache.at(await version())).toBe(before);
    expect(cache.loadCount).toBe(loads);

    // C1 moves from D1 to D2 in a transaction; while it is open, readers still get the old (committed) tree.
    const q = other.createQueryRunner();
    await q.startTransaction();
    await upsert(q.manager, 'C1', 'commune', 'D2', null, 5);
    expect(cache.at(await version())).toBe(before);
    await q.commitTransaction();
    await q.release();

    // Committed: the version read next no longer matches, so the copy is not served, and the reload has it.
    expect(cache.at(await version())).toBeNull();
    const after = await cache.current();
    expect(after.version).toBeGreaterThan(before.version);
    expect(await after.isWithin('C1', 'D1')).toBe(false);
    expect(await after.isWithin('C1', 'D2')).toBe(true);
    expect(await after.isWithin('S1', 'D2')).toBe(true);
  });

  it('sees a truncate and a retirement', async () => {
    const cache = new ReplicaTree(ds);
    expect((await cache.current()).describeNow('D2')?.active).toBe(true);
    await ds.query(`UPDATE replica_org_units SET active = false, revision = 9 WHERE code = 'D2'`);
    expect((await cache.current()).describeNow('D2')?.active).toBe(false);
    await ds.query(`TRUNCATE replica_org_units`);
    expect((await cache.current()).size).toBe(0);
  });
});
