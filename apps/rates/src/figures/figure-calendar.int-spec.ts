import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CohortSetV1, ReportAcceptedV1, TargetSetV1 } from '@app/contracts';
import { CampaignCalendar } from '@app/platform';
import { disposeService, EventInjector, settle, startService, type RunningService } from '@test/support/service-harness';
import { RESIDENTS_50 } from '@test/support/domain-fixtures';
import { ratesService } from '../main';
import { FigureFlusher } from './figure-flusher.service';
import { FigureRecomputeService } from './figure-recompute.service';

describe('rates: every timeline span within the campaign calendar', () => {
  let svc: RunningService;
  let events: EventInjector;
  let ds: DataSource;
  let flusher: FigureFlusher;

  beforeAll(async () => {
    // The background flusher waits a minute between flushes: the test flushes when it chooses.
    svc = await startService(ratesService, { env: { RATES_FLUSH_DEBOUNCE_MS: '60000' } });
    events = await EventInjector.open(svc.namespace);
    ds = svc.app.get(DataSource);
    flusher = svc.app.get(FigureFlusher);
    await settle(svc);
    await events.unit({ code: '84', type: 'province', level: 1 });
    await events.unit({ code: '842', type: 'district', adminParentCode: '84', accountableToCode: '84', level: 2 });
    await events.unit({ code: '29239', type: 'commune', adminParentCode: '842', accountableToCode: '842', level: 3 });
    await events.publish(TargetSetV1, RESIDENTS_50.targetId, RESIDENTS_50);
    await settle(svc);
    await flusher.flushOnce();
  }, 60_000);

  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  const span = async (table: string, where = 'true'): Promise<{ first: string; last: string }> =>
    (await ds.query(`SELECT min(date)::text AS first, max(date)::text AS last FROM ${table} WHERE ${where}`))[0];

  it('clamps what a stream and stored marks dated 0001-01-01 and 9999-12-31 reach, and computes the rest as usual', async () => {
    // What a replay of events accepted before the calendar was enforced (or a forged event) delivers.
    await events.publish(CohortSetV1, '29239', { orgUnitCode: '29239', cohort: 'residents', headcount: 5000, asOf: '9999-12-31' });
    await events.publish(CohortSetV1, '29239', { orgUnitCode: '29239', cohort: 'residents', headcount: 4000, asOf: '2020-08-01' });
    await events.publish(TargetSetV1, 'absurd', {
      ...RESIDENTS_50,
      targetId: 'absurd',
      deadline: '9999-12-30',
      campaignStart: '0001-01-01',
    });
    await events.publish(ReportAcceptedV1, '29239', {
      reportId: randomUUID(),
      orgUnitCode: '29239',
      cohort: 'residents',
      asOf: '2020-08-20',
      revision: 1,
      submittedAt: new Date().toISOString(),
      headcount: 4000,
      smartphoneHolders: 3000,
      installed: 1000,
      bluetoothOn: 500,
    });
    await settle(svc);
    // Marks stored by an earlier version (they survive restarts): from both ends of the calendar.
    await ds.query(
      `INSERT INTO rates_dirty (org_unit_code, cohort, from_date) VALUES ('29239', 'residents', '9999-12-31'), ('842', 'residents', '0001-01-01')`,
    );
    await flusher.flushOnce();

    const bounds = svc.app.get(CampaignCalendar).computableSpan();
    expect(bounds.from).toBe('2020-01-01');
    expect(Number((await ds.query(`SELECT count(*) AS n FROM rates_dirty`))[0].n)).toBe(0);
    // What consumers hold: the commune's own 9999 denominator changes no day of the calendar and nothing is published
    // past it; the commune's last change, like its district's, is its reporting window lapsing.
    expect(await span('rates_published_figures', `org_unit_code = '29239'`)).toEqual({ first: '2020-08-20', last: '2020-08-27' });
    expect(await span('rates_published_figures', `org_unit_code = '842'`)).toEqual({ first: '2020-08-20', last: '2020-08-27' });
    const figure = (
      await ds.query(
        `SELECT (payload->>'installed')::int AS installed, (payload->>'population')::int AS population FROM rates_published_figures
          WHERE org_unit_code = '29239' AND date = '2020-08-20'`,
      )
    )[0];
    expect(figure).toEqual({ installed: 1000, population: 4000 });
    // The absurd target's statuses run from the calendar's first day, not from year 1, and change no later than its last.
    const absurd = await span('rates_published_statuses', `target_id = 'absurd'`);
    expect(absurd.first).toBe(bounds.from);
    expect(absurd.last <= bounds.to).toBe(true);
    expect((await span('rates_published_statuses', `target_id = 'residents-50'`)).first).toBe('2020-08-04');
    expect((await span('rates_published_figures')).last <= bounds.to).toBe(true);
  });

  it('a flush told to stop throws at its next breath, and its transaction keeps the marks', async () => {
    await ds.query(`INSERT INTO rates_dirty (org_unit_code, cohort, from_date) VALUES ('29239', 'residents', '2020-08-20')`);
    const stop = new AbortController();
    stop.abort();
    const recompute = svc.app.get(FigureRecomputeService);
    await expect(
      ds.transaction(async (m) => {
        const marks: Array<{ unitCode: string; cohort: 'residents'; from: string }> = await m.query(
          `WITH taken AS (DELETE FROM rates_dirty RETURNING org_unit_code, cohort, from_date)
           SELECT org_unit_code AS "unitCode", cohort, from_date::text AS "from" FROM taken`,
        );
        return recompute.recompute(m, marks, [], { signal: stop.signal });
      }),
    ).rejects.toThrow(/abort/i);
    expect(await ds.query(`SELECT org_unit_code, from_date::text FROM rates_dirty`)).toEqual([
      { org_unit_code: '29239', from_date: '2020-08-20' },
    ]);
  });
});
