import { DataSource } from 'typeorm';
import { disposeService, startService, type RunningService } from '@test/support/service-harness';
import { FigureFlusher } from '../figures/figure-flusher.service';
import { ratesService } from '../main';
import { ReportsLatestVersion1765400001100 } from '../migrations/1765400001100-ReportsLatestVersion';
import { RatesInputsService } from './rates-inputs.service';

/** rates_reports keeps one version a day, the one its sums take, whatever the order its versions arrive in. */
describe('rates: one report version a day', () => {
  let svc: RunningService;
  let ds: DataSource;
  let inputs: RatesInputsService;

  beforeAll(async () => {
    svc = await startService(ratesService, { env: { RATES_FLUSH_DEBOUNCE_MS: '60000' } });
    ds = svc.app.get(DataSource);
    inputs = svc.app.get(RatesInputsService);
    // No background flush: the marks stay where the test reads them.
    await svc.app.get(FigureFlusher).stopLoop();
  }, 60_000);

  afterAll(async () => {
    if (svc) await disposeService(svc);
  });

  beforeEach(async () => {
    await ds.query(`DELETE FROM rates_reports; DELETE FROM rates_dirty`);
  });

  const report = (revision: number, reportId: string, installed: number, asOf = '2020-08-10') => ({
    report: {
      unitCode: 'C1',
      cohort: 'residents' as const,
      asOf,
      revision,
      reportId,
      headcount: 1000,
      smartphoneHolders: 800,
      installed,
      bluetoothOn: 0,
    },
    source: 'intake' as const,
  });
  const stored = async () =>
    (await ds.query(
      `SELECT as_of::text AS "asOf", revision, report_id AS "reportId", installed FROM rates_reports ORDER BY as_of`,
    )) as Array<{
      asOf: string;
      revision: number;
      reportId: string;
      installed: number;
    }>;
  const marks = async () => Number((await ds.query(`SELECT count(*) AS n FROM rates_dirty`))[0].n);

  it('keeps the highest revision, in any order and any batching, and marks only what changed the day', async () => {
    await inputs.recordReports(ds.manager, [report(2, 'b', 200)]);
    expect(await marks()).toBe(1);
    // An older revision arriving late changes nothing and marks nothing.
    await inputs.recordReports(ds.manager, [report(1, 'a', 100)]);
    expect(await stored()).toEqual([{ asOf: '2020-08-10', revision: 2, reportId: 'b', installed: 200 }]);
    expect(await marks()).toBe(1);
    // A redelivery of the same version: nothing.
    await inputs.recordReports(ds.manager, [report(2, 'b', 200)]);
    expect(await marks()).toBe(1);
    // A newer revision replaces the row; in one batch with an older one, the batch's best wins.
    await inputs.recordReports(ds.manager, [report(4, 'd', 400), report(3, 'c', 300), report(1, 'a', 100, '2020-08-11')]);
    expect(await stored()).toEqual([
      { asOf: '2020-08-10', revision: 4, reportId: 'd', installed: 400 },
      { asOf: '2020-08-11', revision: 1, reportId: 'a', installed: 100 },
    ]);
    expect(await marks()).toBe(3);
    // Two versions tied on revision: the greater report id (and counts) wins, whichever came first.
    await inputs.recordReports(ds.manager, [report(4, 'e', 50)]);
    await inputs.recordReports(ds.manager, [report(4, 'a', 900)]);
    expect((await stored())[0]).toEqual({ asOf: '2020-08-10', revision: 4, reportId: 'e', installed: 50 });
  });

  it('the migration keeps, of every day stored with several versions, the one its sums took', async () => {
    const migration = new ReportsLatestVersion1765400001100();
    const q = ds.createQueryRunner();
    try {
      // The table as it was: every revision a row.
      await migration.down(q);
      await ds.query(
        `INSERT INTO rates_reports (org_unit_code, cohort, as_of, revision, report_id, source, headcount, smartphone_holders, installed, bluetooth_on)
         VALUES ('C1', 'residents', '2020-08-10', 1, 'a', 'intake', 1000, 800, 100, 0), ('C1', 'residents', '2020-08-10', 3, 'c', 'intake', 1000, 800, 300, 0),
                ('C1', 'residents', '2020-08-10', 2, 'b', 'intake', 1000, 800, 200, 0), ('C1', 'residents', '2020-08-11', 1, 'x', 'intake', 1000, 800, 110, 0),
                ('C2', 'residents', '2020-08-10', 5, 'y', 'intake', 1000, 800, 500, 0)`,
      );
      await migration.up(q);
    } finally {
      await q.release();
    }
    expect(await stored()).toEqual([
      { asOf: '2020-08-10', revision: 3, reportId: 'c', installed: 300 },
      { asOf: '2020-08-10', revision: 5, reportId: 'y', installed: 500 },
      { asOf: '2020-08-11', revision: 1, reportId: 'x', installed: 110 },
    ]);
    // The day is the key now: a second row for it is refused.
    await expect(
      ds.query(
        `INSERT INTO rates_reports (org_unit_code, cohort, as_of, revision, report_id, source, headcount, smartphone_holders, installed, bluetooth_on)
         VALUES ('C1', 'residents', '2020-08-10', 9, 'z', 'intake', 1, 1, 1, 0)`,
      ),
    ).rejects.toThrow(/duplicate key/);
  });
});
