import { Client } from 'pg';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { ADMIN_TREE, ancestorsCte, BOTH_TREES, subtreeSql, upwardClosureCte } from './tree-sql';

describe('tree SQL on the real PostgreSQL', () => {
  let url: string;
  let db: Client;
  const codes = async (sql: string, params: unknown[] = []) =>
    ((await db.query(sql, params)).rows as Array<{ code: string }>).map((r) => r.code).sort();

  beforeAll(async () => {
    url = await freshDatabase('treesql');
    db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`CREATE TABLE units (code text PRIMARY KEY, type text, admin_parent_code text, accountable_to_code text)`);
    // P ─ D1 ─ C1 ─ S1 (the school also answers to DEPT); P ─ DEPT; X ⇄ Y a cycle written by mistake.
    await db.query(`INSERT INTO units VALUES
      ('P','province',NULL,NULL), ('D1','district','P',NULL), ('C1','commune','D1',NULL), ('DEPT','department','P',NULL),
      ('S1','school','C1','DEPT'), ('G', NULL, 'P', NULL), ('X','commune','Y',NULL), ('Y','commune','X',NULL)`);
  });
  afterAll(async () => {
    await db?.end();
    if (url) await dropDatabase(url);
  });

  it('walks down one tree or both, the root included, with an extra condition on the units reached', async () => {
    expect(await codes(subtreeSql(`SELECT $1::text`, { table: 'units', parentColumns: ADMIN_TREE }), ['D1'])).toEqual(['C1', 'D1', 'S1']);
    expect(
      await codes(`SELECT DISTINCT code FROM (${subtreeSql(`SELECT 'DEPT'`, { table: 'units', parentColumns: BOTH_TREES })}) s`),
    ).toEqual(['DEPT', 'S1']);
    expect(
      await codes(
        `SELECT DISTINCT code FROM (${subtreeSql(`SELECT 'P'`, { table: 'units', parentColumns: ADMIN_TREE, where: 'u.type IS NOT NULL' })}) s`,
      ),
    ).toEqual(['C1', 'D1', 'DEPT', 'P', 'S1']);
  });

  it('walks up from several units at once, each with its own ancestors and depths', async () => {
    const rows = (
      await db.query(
        `WITH RECURSIVE ${ancestorsCte('up', `SELECT unnest($1::text[])`, { table: 'units', parentColumns: BOTH_TREES })}
         SELECT DISTINCT origin, code, depth FROM up ORDER BY origin, depth, code`,
        [['S1', 'D1']],
      )
    ).rows;
    expect(rows).toEqual([
      { origin: 'D1', code: 'P', depth: 1 },
      { origin: 'S1', code: 'C1', depth: 1 },
      { origin: 'S1', code: 'DEPT', depth: 1 },
      { origin: 'S1', code: 'D1', depth: 2 },
      { origin: 'S1', code: 'P', depth: 2 },
      { origin: 'S1', code: 'P', depth: 3 },
    ]);
  });

  it('ends on a cycle at the depth limit', async () => {
    expect(
      await codes(`SELECT DISTINCT code FROM (${subtreeSql(`SELECT 'X'`, { table: 'units', parentColumns: ADMIN_TREE, maxDepth: 5 })}) s`),
    ).toEqual(['X', 'Y']);
    const { rows } = await db.query(
      `WITH RECURSIVE ${ancestorsCte('up', `SELECT 'X'`, { table: 'units', parentColumns: ADMIN_TREE, maxDepth: 6 })} SELECT max(depth) AS d FROM up`,
    );
    expect(rows[0].d).toBe(6);
  });

  it('closes a set of units upward: the starts and every ancestor once, unknown starts kept, cycles ended', async () => {
    const closure = (walk: { table: string; parentColumns: readonly string[] }) =>
      `WITH RECURSIVE ${upwardClosureCte('up', `SELECT unnest($1::text[])`, walk)} SELECT code FROM up`;
    const rows = await db.query(closure({ table: 'units', parentColumns: BOTH_TREES }), [['S1', 'C1', 'NOPE']]);
    expect((rows.rows as Array<{ code: string }>).map((r) => r.code).sort()).toEqual(['C1', 'D1', 'DEPT', 'NOPE', 'P', 'S1']);
    expect(rows.rowCount).toBe(6);
    expect(await codes(closure({ table: 'units', parentColumns: ADMIN_TREE }), [['S1']])).toEqual(['C1', 'D1', 'P', 'S1']);
    expect(await codes(closure({ table: 'units', parentColumns: ADMIN_TREE }), [['X']])).toEqual(['X', 'Y']);
  });
});
