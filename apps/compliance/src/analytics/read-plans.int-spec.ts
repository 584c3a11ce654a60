import { DataSource } from 'typeorm';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { explainedNodes, type Explained } from '@test/support/query-plans';
import { projectionTablesDdl } from '../projection/projection.schema';
import { summaryQuery } from './reads/summary.read';
import { timeseriesQuery } from './reads/timeseries.read';
import { unitQuery } from './reads/unit.read';
import { unitsQuery, type UnitsData } from './reads/units.read';

/**
 * The read routes' statements on a national-sized generation (100,000 units, four targets, two
 * statuses each): it reads the province through the type index, the province's figures and statuses
 * through their primary keys, and the units by status from the per-day counts, never the statuses of
 * every unit.
 */
describe('read routes: one statement whose work does not grow with the registry', () => {
  let url: string;
  let ds: DataSource;
  const schema = 'plan_g1';
  const s = `"${schema}"`;

  beforeAll(async () => {
    url = await freshDatabase('summaryplan');
    ds = new DataSource({ type: 'postgres', url });
    await ds.initialize();
    for (const sql of projectionTablesDdl(schema)) await ds.query(sql);
    await ds.query(`INSERT INTO ${s}.units (code, name, type, level, revision) VALUES ('P', 'Tỉnh', 'province', 1, 1)`);
    await ds.query(
      `INSERT INTO ${s}.units (code, name, type, level, admin_parent_code, revision)
       SELECT 'U' || i, 'Xã ' || i, 'commune', 3, 'D' || (i % 6250), 1 FROM generate_series(1, 100000) i`,
    );
    await ds.query(
      `INSERT INTO ${s}.targets (target_id, name, metric, cohorts, tree, scope_unit_types, scope_levels, threshold, deadline, reporting_window_days, revision)
       SELECT 'T' || t, 'Chỉ tiêu ' || t, 'installRate', '{residents}', 'administrative', '{commune}', '{3}', 0.5, '2020-08-30', 7, 1
       FROM generate_series(1, 4) t`,
    );
    await ds.query(
      `INSERT INTO ${s}.target_statuses (target_id, org_unit_code, date, status, threshold, gap, event_occurred_at, event_id)
       SELECT 'T' || t, u.code, date '2020-08-01' + k * 5, (ARRAY['on_track','at_risk','breached','met'])[1 + (k + t) % 4], 0.5, 10, now(), gen_random_uuid()
       FROM ${s}.units u, generate_series(1, 4) t, generate_series(0, 1) k`,
    );
    await ds.query(
      `INSERT INTO ${s}.figures (org_unit_code, cohort, tree, date, headcount, smartphone_holders, installed, bluetooth_on, reporting_units,
         expected_units, event_occurred_at, event_id)
       SELECT u.code, 'residents', 'administrative', date '2020-08-01' + k, 100, 80, 40, 20, 1, 1, now(), gen_random_uuid()
       FROM ${s}.units u, generate_series(0, 2) k`,
    );
    await ds.query(
      `INSERT INTO ${s}.status_count_deltas (target_id, date, status, delta)
       SELECT 'T' || t, date '2020-08-01' + d, st, 1 FROM generate_series(1, 4) t, generate_series(0, 30) d,
         unnest(ARRAY['on_track','at_risk','breached','met','no_data']) st`,
    );
    for (const t of ['units', 'targets', 'target_statuses', 'figures', 'status_count_deltas']) await ds.query(`ANALYZE ${s}.${t}`);
  }, 120_000);
  afterAll(async () => {
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  it('GET /v1/summary scans no table of units, statuses or figures and reads a bounded number of rows from each', async () => {
    const q = summaryQuery('2020-08-21');
    const all = explainedNodes(
      (await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT (${q.data(schema)}) AS data`, q.params)) as Explained,
    );
    const read = (table: string) => all.filter((n) => n['Relation Name'] === table);
    for (const table of ['units', 'target_statuses', 'figures']) {
      expect(read(table).length).toBeGreaterThan(0);
      expect(read(table).filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      // The province's rows only (its type index, its statuses' and figures' keys): a handful, not 100,000.
      for (const n of read(table)) expect(n['Actual Rows'] ?? 0).toBeLessThan(100);
    }
    expect(read('status_count_deltas').length).toBeGreaterThan(0);
  });

  it.each(['date', '-installRate', 'populationRate', '-installed'])(
    "GET /v1/timeseries?sort=%s steps down the figures primary key once per day and series, and sorts only that unit's days",
    async (sort) => {
      const q = timeseriesQuery({ unit: 'U777', sort }, '2020-08-30', '2020-08-01', { limit: 10, offset: 5 });
      const all = explainedNodes(
        (await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT (${q.data(schema)}) AS data`, q.params)) as Explained,
      );
      const figures = all.filter((n) => n['Relation Name'] === 'figures');
      expect(figures.length).toBeGreaterThan(0);
      expect(figures.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      for (const n of figures) expect(n['Actual Rows'] ?? 0).toBeLessThan(100);
      // 30 days x 1 series held, sorted in memory: bounded by the range asked for (at most 366 days).
      for (const n of all.filter((x) => x['Node Type'] === 'Sort' || x['Node Type'] === 'Incremental Sort'))
        expect(n['Actual Rows'] ?? 0).toBeLessThanOrEqual(30);
    },
  );

  it.each([
    ['installRate', ['D77']],
    ['-name', ['D77']],
    ['code', ['D77']],
    ['-populationRate', ['D77']],
    ['installRate', ['D77', 'D78', 'D79', 'D80']],
  ])(
    "GET /v1/units?parent=&sort=%s reads each parent's children (%j) through the parent index and one figure each, sorts only them",
    async (sort, parents) => {
      const q = unitsQuery(
        { date: '2020-08-21', cohort: 'residents', tree: 'administrative', scopeRoot: null, page: { sort, limit: 5, offset: 5 } },
        parents,
      );
      const all = explainedNodes(
        (await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT (${q.data(schema)}) AS data`, q.params)) as Explained,
      );
      for (const table of ['units', 'figures', 'target_statuses']) {
        const read = all.filter((n) => n['Relation Name'] === table);
        expect(read.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
        for (const n of read) expect(n['Actual Rows'] ?? 0).toBeLessThan(100);
      }
      for (const n of all.filter((x) => x['Node Type'] === 'Sort' || x['Node Type'] === 'Incremental Sort'))
        expect(n['Actual Rows'] ?? 0).toBeLessThanOrEqual(16);
    },
  );

  it.each([
    ['a national generation', schema],
    ['a province-sized generation whose targets were never analysed', 'plan_small'],
  ])('GET /v1/units/{code} reads its statuses and figures through their primary keys, on %s', async (_, at) => {
    if (at === 'plan_small') {
      // What the pipeline benchmark's probes met: ~28,000 status rows, one target the planner guessed to be 240 (a
      // table never analysed), and the unit's statuses, read as a set, filtered out of a scan of every status row.
      for (const sql of projectionTablesDdl(at)) await ds.query(sql);
      await ds.query(
        `INSERT INTO "${at}".targets (target_id, name, metric, cohorts, tree, scope_unit_types, scope_levels, threshold, deadline, reporting_window_days, revision)
         VALUES ('T1', 'Chỉ tiêu', 'installRate', '{residents}', 'administrative', '{commune}', '{3}', 0.5, '2020-08-30', 7, 1)`,
      );
      await ds.query(
        `INSERT INTO "${at}".units (code, name, type, level, revision) SELECT 'U' || i, 'Xã ' || i, 'commune', 3, 1 FROM generate_series(1, 1000) i`,
      );
      await ds.query(
        `INSERT INTO "${at}".target_statuses (target_id, org_unit_code, date, status, threshold, gap, event_occurred_at, event_id)
         SELECT 'T1', 'U' || i, date '2020-08-01' + k, (ARRAY['on_track','at_risk'])[1 + k % 2], 0.5, 10, now(), gen_random_uuid()
         FROM generate_series(1, 1000) i, generate_series(0, 27) k`,
      );
      for (const t of ['units', 'target_statuses']) await ds.query(`ANALYZE "${at}".${t}`);
    }
    const q = unitQuery('U777', '2020-08-21', '2020-08-07');
    const plan = explainedNodes((await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT (${q.data(at)}) AS data`, q.params)) as Explained);
    for (const table of ['units', 'figures', 'target_statuses']) {
      const read = plan.filter((n) => n['Relation Name'] === table);
      expect(read.length).toBeGreaterThan(0);
      expect(read.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      for (const n of read) expect(n['Actual Rows'] ?? 0).toBeLessThan(100);
    }
  });

  it('GET /v1/units: the pages of several parents read in one statement are those read one parent at a time, in the order asked', async () => {
    const read = async (parents: string[]) => {
      const q = unitsQuery(
        {
          date: '2020-08-21',
          cohort: 'residents',
          tree: 'administrative',
          scopeRoot: null,
          page: { sort: '-installRate', limit: 5, offset: 0 },
        },
        parents,
      );
      const [row] = (await ds.query(`SELECT (${q.data(schema)}) AS data`, q.params)) as Array<{ data: UnitsData }>;
      return row.data;
    };
    const parents = ['D6', 'D5', 'nowhere', 'D6'];
    const together = await read(parents);
    const alone = await Promise.all(parents.map((p) => read([p])));
    expect(together.pages).toEqual(alone.map((a) => a.pages[0]));
    expect(together.targets).toEqual(alone[0].targets);
    expect(
      together.pages.map((p) => [p.total, p.units.length, p.units.every((u) => u.adminParentCode === parents[together.pages.indexOf(p)])]),
    ).toEqual([
      [16, 5, true],
      [16, 5, true],
      [0, 0, true],
      [16, 5, true],
    ]);
    expect(together.pages[0].figures.length).toBe(5);
    expect(together.pages[0].statuses.length).toBe(5);
  });
});
