import { DataSource } from 'typeorm';
import {
  BUNDLE_MAX_ITEMS,
  CohortSetV1,
  OrgUnitRetiredV1,
  ReportAcceptedV1,
  RosterImportedV1,
  SupportSessionLoggedV1,
  TargetSetV1,
  TransportCheckedV1,
  type Cohort,
  type TargetSetV1Data,
} from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { FigureFlusher } from './figures/figure-flusher.service';
import { RESIDENTS_50 } from '@test/support/domain-fixtures';
import { ratesService } from './main';
import { StatusWithdrawals1765600001300 } from './migrations/1765600001300-StatusWithdrawals';
import { WithdrawStaleStatuses1765600001400 } from './migrations/1765600001400-WithdrawStaleStatuses';
import { PublishedTimelinesOnly1765500001200 } from './migrations/1765500001200-PublishedTimelinesOnly';

const residents50: TargetSetV1Data = RESIDENTS_50;
const staff100: TargetSetV1Data = {
  targetId: 'staff-100',
  name: 'Staff with Bluetooth on: 100% by 2020-08-30',
  metric: 'bluetooth_rate',
  cohorts: ['staff', 'enterprise_workers'],
  tree: 'accountability',
  scopeUnitTypes: [],
  scopeLevels: [],
  threshold: 1,
  deadline: '2020-08-30',
  campaignStart: null,
  reportingWindowDays: 3,
  revision: 1,
};

describe('rates service: figures, roll-ups, statuses and events from the stream', () => {
  let svc: RunningService;
  let events: EventInjector;
  let ds: DataSource;

  const idle = async (s: RunningService = svc) => {
    await settle(s);
    await s.app.get(FigureFlusher).whenIdle();
  };
  const report = (orgUnitCode: string, cohort: Cohort, asOf: string, counts: [number, number, number, number], revision = 1) =>
    events.publish(ReportAcceptedV1, orgUnitCode, {
      reportId: randomUUID(),
      orgUnitCode,
      cohort,
      asOf,
      revision,
      submittedAt: new Date().toISOString(),
      headcount: counts[0],
      smartphoneHolders: counts[1],
      installed: counts[2],
      bluetoothOn: counts[3],
    });

  /** Flush transactions counted so far on the service's /metrics (bz_rates_flush_batch_seconds). */
  async function flushTransactions(): Promise<number> {
    const res = await http(svc, 'GET', '/metrics');
    expect(res.status).toBe(200);
    const line = /^bz_rates_flush_batch_seconds_count (\d+)$/m.exec(res.text);
    expect(line).not.toBeNull();
    return Number(line![1]);
  }

  /**
   * Rates' outbox as the events it stands for (`o`: seq, its place in its row `at`, type, key, data): a bundle of
   * figures or status changes (FiguresUpdatedV1, TargetStatusesChangedV1) is its items, each as the event of its own it
   * would be, keyed by its unit; every other row is its event.
   */
  const OUTBOX_EVENTS = `(
    SELECT seq, 0 AS at, envelope->>'type' AS type, envelope->>'key' AS key, envelope->'data' AS data FROM outbox
     WHERE envelope->>'type' NOT IN ('rates.figures.updated', 'rates.target.statuses-changed')
    UNION ALL
    SELECT seq, i.at, 'rates.figure.updated', i.item->>'orgUnitCode', i.item FROM outbox,
           json_array_elements(envelope->'data'->'figures') WITH ORDINALITY AS i(item, at)
     WHERE envelope->>'type' = 'rates.figures.updated'
    UNION ALL
    SELECT seq, i.at, 'rates.target.status-changed', i.item->>'orgUnitCode', i.item FROM outbox,
           json_array_elements(envelope->'data'->'statuses') WITH ORDINALITY AS i(item, at)
     WHERE envelope->>'type' = 'rates.target.statuses-changed'
  ) o`;

  // What consumers hold on a day: the latest publication on or before it (rates keeps no other copy).
  const figure = async (unit: string, cohort: Cohort, date: string) =>
    (
      await ds.query(
        `SELECT p->>'tree' AS tree, (p->>'headcount')::int AS headcount, (p->>'smartphoneHolders')::int AS smartphone_holders,
                (p->>'installed')::int AS installed, (p->>'bluetoothOn')::int AS bluetooth_on, (p->>'installRate')::float8 AS install_rate,
                (p->>'bluetoothRate')::float8 AS bluetooth_rate, (p->>'population')::int AS population,
                (p->>'populationRate')::float8 AS population_rate, (p->>'reportingUnits')::int AS reporting_units,
                (p->>'expectedUnits')::int AS expected_units
         FROM (SELECT payload AS p FROM rates_published_figures WHERE org_unit_code = $1 AND cohort = $2 AND date <= $3 ORDER BY date DESC LIMIT 1) f`,
        [unit, cohort, date],
      )
    )[0];
  const status = async (target: string, unit: string, date: string) =>
    (
      await ds.query(
        `SELECT p->>'status' AS status, (p->>'value')::float8 AS value, (p->>'gap')::int AS gap, (p->>'reporting')::bool AS reporting,
                (p->>'reportingUnits')::int AS reporting_units, p->>'forecastDate' AS forecast_date
         FROM (SELECT payload AS p FROM rates_published_statuses WHERE target_id = $1 AND org_unit_code = $2 AND date <= $3 ORDER BY date DESC LIMIT 1) s`,
        [target, unit, date],
      )
    )[0];
  const outbox = async (type: string, key?: string): Promise<Array<{ data: Record<string, any>; seq: string }>> =>
    (
      await ds.query(`SELECT seq, data FROM ${OUTBOX_EVENTS} WHERE type = $1 AND ($2::text IS NULL OR key = $2) ORDER BY seq, at`, [
        type,
        key ?? null,
      ])
    ).map((r: { seq: string; data: Record<string, any> }) => r);

  beforeAll(async () => {
    svc = await startService(ratesService, { env: { RATES_FIGURE_WINDOW_DAYS: '3', RATES_FLUSH_DEBOUNCE_MS: '100' } });
    events = await EventInjector.open(svc.namespace);
    ds = svc.app.get(DataSource);
    await idle(); // the stream and the durable consumers exist
    // Administrative tree 84 → districts → communes; accountability: the department and an enterprise answer to the province.
    await events.unit({ code: '84', type: 'province', level: 1 });
    await events.unit({ code: '842', type: 'district', adminParentCode: '84', accountableToCode: '84', level: 2 });
    await events.unit({ code: '844', type: 'district', adminParentCode: '84', accountableToCode: '84', level: 2 });
    await events.unit({ code: '27001', type: 'commune', adminParentCode: '842', accountableToCode: '842', level: 3 });
    await events.unit({ code: '27002', type: 'commune', adminParentCode: '842', accountableToCode: '842', level: 3 });
    await events.unit({ code: '27003', type: 'commune', adminParentCode: '844', accountableToCode: '844', level: 3 });
    await events.unit({ code: 'SO-TTTT', type: 'department', accountableToCode: '84' });
    await events.unit({ code: 'ENT1', type: 'enterprise', accountableToCode: '84' });
    await events.publish(CohortSetV1, '84', { orgUnitCode: '84', cohort: 'residents', headcount: 1_000_000, asOf: '2019-04-01' });
    await events.publish(TargetSetV1, residents50.targetId, residents50);
    await events.publish(TargetSetV1, staff100.targetId, staff100);
    // Residents of the province sum to 67,800 installed (19/08/2020).
    await report('27001', 'residents', '2020-08-19', [300_000, 200_000, 30_000, 20_000]);
    await report('27002', 'residents', '2020-08-19', [400_000, 250_000, 27_800, 15_000]);
    await report('27003', 'residents', '2020-08-19', [300_000, 150_000, 10_000, 9_000]);
    // Staff of a department and of a commune: accountability tree only.
    await report('SO-TTTT', 'staff', '2020-08-19', [120, 110, 100, 90]);
    await report('27001', 'staff', '2020-08-19', [20, 20, 20, 20]);
    await idle();
  }, 60_000);

  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  it('computes the directive’s worked check end to end: 6.78% of the population, and the 50% target breached on 2020-08-21', async () => {
    expect(await figure('84', 'residents', '2020-08-19')).toMatchObject({
      tree: 'administrative',
      installed: 67_800,
      population: 1_000_000,
      population_rate: 0.0678,
    });
    expect(await status('residents-50', '84', '2020-08-20')).toMatchObject({ status: 'at_risk' });
    expect(await status('residents-50', '84', '2020-08-21')).toMatchObject({ status: 'breached', value: 0.0678, gap: 432_200 });
    const changes = await outbox('rates.target.status-changed', '84');
    expect(changes.map((c) => c.data)).toContainEqual(
      expect.objectContaining({
        targetId: 'residents-50',
        orgUnitCode: '84',
        date: '2020-08-21',
        status: 'breached',
        previousStatus: 'at_risk',
        threshold: 0.5,
      }),
    );
    const figureEvents = await outbox('rates.figure.updated', '84');
    expect(figureEvents.map((e) => e.data)).toContainEqual(
      expect.objectContaining({
        orgUnitCode: '84',
        cohort: 'residents',
        tree: 'administrative',
        date: '2020-08-19',
        installed: 67_800,
        population: 1_000_000,
        populationRate: 0.0678,
      }),
    );
    // The read endpoint (analyst/admin) answers as of any later day: the figure holds.
    const res = await http(svc, 'GET', '/v1/figures?unit=84&cohort=residents&date=2020-09-30');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orgUnitCode: '84', date: '2020-09-30', installed: 67_800, populationRate: 0.0678 });
  });

  it('never adds staff of a department and residents of a commune together', async () => {
    // The province's staff: the department's 120 and the commune's 20 (through its district); no resident in it.
    expect(await figure('84', 'staff', '2020-08-19')).toMatchObject({ tree: 'accountability', headcount: 140, installed: 120 });
    expect(await figure('842', 'staff', '2020-08-19')).toMatchObject({ tree: 'accountability', headcount: 20 });
    expect(await figure('84', 'residents', '2020-08-19')).toMatchObject({ headcount: 1_000_000 });
    const trees: Array<{ cohort: string; tree: string }> = await ds.query(
      `SELECT DISTINCT cohort, tree FROM rates_published_figures ORDER BY cohort`,
    );
    expect(trees).toEqual([
      { cohort: 'residents', tree: 'administrative' },
      { cohort: 'staff', tree: 'accountability' },
    ]);
  });

  it('shows a unit that stops reporting as not reporting once the window passes, never as zero', async () => {
    // The department's staff figure window is 3 days: reporting on 19–21/08, not from 22/08.
    expect(await figure('SO-TTTT', 'staff', '2020-08-21')).toMatchObject({ reporting_units: 1, installed: 100 });
    expect(await figure('SO-TTTT', 'staff', '2020-08-22')).toMatchObject({ reporting_units: 0, installed: 100, bluetooth_rate: 90 / 110 });
    expect(await status('staff-100', 'SO-TTTT', '2020-08-21')).toMatchObject({ status: 'at_risk', reporting: true });
    expect(await status('staff-100', 'SO-TTTT', '2020-08-22')).toMatchObject({ status: 'no_data', reporting: false, value: 90 / 110 });
    const res = await http(svc, 'GET', '/v1/figures?unit=SO-TTTT&cohort=staff&date=2020-08-25');
    expect(res.body).toMatchObject({ reportingUnits: 0, installed: 100 });
  });

  it('counts a roster import as the enterprise’s enterprise_workers report; support sessions and passenger checks are not rates’ business', async () => {
    await events.publish(RosterImportedV1, 'ENT1', {
      importId: randomUUID(),
      enterpriseCode: 'ENT1',
      asOf: '2020-08-20',
      revision: 1,
      headcount: 50,
      smartphoneHolders: 40,
      installed: 30,
      bluetoothOn: 20,
      rowsAccepted: 50,
      rowsRejected: 0,
      joined: 50,
      left: 0,
      newlyInstalled: 30,
      newlyBluetoothOn: 20,
    });
    await events.publish(SupportSessionLoggedV1, '27001', {
      pointId: 'VNPT-1',
      operatorCode: 'VNPT',
      communeCode: '27001',
      date: '2020-08-20',
      revision: 1,
      assisted: 500,
      installed: 400,
      bluetoothEnabled: 300,
    });
    // On the workforce lane with the rosters: acked unread, like every event rates has no handler for.
    await events.publish(TransportCheckedV1, 'HUB1', {
      hubCode: 'HUB1',
      date: '2020-08-20',
      revision: 1,
      passengersChecked: 900,
      alreadyInstalled: 300,
      installedOnSite: 200,
      refused: 10,
    });
    await idle();
    expect(await figure('84', 'enterprise_workers', '2020-08-20')).toMatchObject({ tree: 'accountability', headcount: 50, installed: 30 });
    expect(await figure('27001', 'residents', '2020-08-20')).toMatchObject({ installed: 30_000 });
    expect(await ds.query(`SELECT to_regclass('rates_support_sessions') AS s, to_regclass('rates_transport_checks') AS t`)).toEqual([
      { s: null, t: null },
    ]);
  });

  it('changes only the dates from a late report on, and publishes only when a figure actually changes', async () => {
    const before: Array<Record<string, unknown>> = await ds.query(
      `SELECT org_unit_code, cohort, date::text, payload FROM rates_published_figures WHERE date >= '2020-08-19' ORDER BY 1, 2, 3`,
    );
    const [{ max: lastSeq }] = await ds.query(`SELECT coalesce(max(seq), 0) AS max FROM outbox`);
    await report('27002', 'residents', '2020-08-15', [400_000, 240_000, 12_000, 6_000]);
    await idle();
    // Days before the late report: now a figure (the commune's 15/08 report); from 19/08 its later report wins again.
    expect(await figure('842', 'residents', '2020-08-15')).toMatchObject({ installed: 12_000 });
    expect(await figure('842', 'residents', '2020-08-18')).toMatchObject({ installed: 12_000 });
    expect(await figure('842', 'residents', '2020-08-14')).toBeUndefined();
    const after: Array<Record<string, unknown>> = await ds.query(
      `SELECT org_unit_code, cohort, date::text, payload FROM rates_published_figures WHERE date >= '2020-08-19' ORDER BY 1, 2, 3`,
    );
    expect(after).toEqual(before);
    const published: Array<{ date: string; orgUnitCode: string }> = (
      await ds.query(`SELECT data FROM ${OUTBOX_EVENTS} WHERE seq > $1 AND type = 'rates.figure.updated'`, [lastSeq])
    ).map((r: { data: { date: string; orgUnitCode: string } }) => r.data);
    expect(published.length).toBeGreaterThan(0);
    expect(published.every((d) => d.date >= '2020-08-15' && d.date < '2020-08-19')).toBe(true);
    expect(new Set(published.map((d) => d.orgUnitCode))).toEqual(new Set(['27002', '842', '84']));

    // The same report delivered again (a new event id, same report version) changes nothing and publishes nothing.
    const [{ max: seq2 }] = await ds.query(`SELECT coalesce(max(seq), 0) AS max FROM outbox`);
    const [row] = await ds.query(`SELECT report_id FROM rates_reports WHERE org_unit_code = '27002' AND as_of = '2020-08-15'`);
    await events.publish(ReportAcceptedV1, '27002', {
      reportId: row.report_id,
      orgUnitCode: '27002',
      cohort: 'residents',
      asOf: '2020-08-15',
      revision: 1,
      submittedAt: new Date().toISOString(),
      headcount: 400_000,
      smartphoneHolders: 240_000,
      installed: 12_000,
      bluetoothOn: 6_000,
    });
    await idle();
    expect(await ds.query(`SELECT count(*)::int AS n FROM outbox WHERE seq > $1`, [seq2])).toEqual([{ n: 0 }]);
  });

  it('coalesces a burst: many corrections of one commune publish a handful of district updates, not one per event', async () => {
    const [{ max: lastSeq }] = await ds.query(`SELECT coalesce(max(seq), 0) AS max FROM outbox`);
    const transactionsBefore = await flushTransactions();
    for (let rev = 2; rev <= 41; rev++) await report('27001', 'staff', '2020-08-19', [20, 20, 20, 20 - (rev % 7)], rev);
    await idle();
    // Each flush transaction is timed on /metrics (what an operator reads to see how long a mark waits): a few here, not 40.
    const transactions = (await flushTransactions()) - transactionsBefore;
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(transactions).toBeLessThan(40);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM ${OUTBOX_EVENTS} WHERE seq > $1 AND type = 'rates.figure.updated' AND key = '842' AND data->>'date' = '2020-08-19'`,
      [lastSeq],
    );
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThan(10);
    // The latest revision (41) wins: 20 − (41 mod 7) = 14 with Bluetooth on.
    expect(await figure('842', 'staff', '2020-08-19')).toMatchObject({ bluetooth_on: 14 });
  });

  it('recomputes exactly what a move and a retirement change', async () => {
    // 27003 moves from district 844 to 842 (revision 2).
    await events.unit({ code: '27003', type: 'commune', adminParentCode: '842', accountableToCode: '842', level: 3, revision: 2 });
    await idle();
    expect(await figure('842', 'residents', '2020-08-19')).toMatchObject({ installed: 67_800, expected_units: 4 });
    // What consumers hold for the emptied district: nothing, stated (an empty figure), not its old sums.
    expect(await figure('844', 'residents', '2020-08-19')).toMatchObject({
      installed: 0,
      headcount: 0,
      reporting_units: 0,
      expected_units: 0,
    });
    expect(await figure('84', 'residents', '2020-08-19')).toMatchObject({ installed: 67_800 });
    const gone = await outbox('rates.figure.updated', '844');
    expect(gone[gone.length - 1].data).toMatchObject({ installed: 0, reportingUnits: 0 });
    // Nor does it have a status against the residents' target any more, on any day: it was withdrawn where it had one.
    const statusDays: Array<{ date: string }> = await ds.query(
      `SELECT date::text FROM rates_published_statuses WHERE target_id = 'residents-50' AND org_unit_code = '844' ORDER BY date`,
    );
    expect(statusDays.length).toBeGreaterThan(0);
    for (const { date } of statusDays) expect(await status('residents-50', '844', date)).toMatchObject({ status: null });
    expect((await outbox('rates.target.status-withdrawn', '844')).map((e) => e.data)).toContainEqual({
      targetId: 'residents-50',
      orgUnitCode: '844',
      date: statusDays[0].date,
      previousStatus: 'no_data',
    });

    // The department retires on 21/08: its staff stop counting from that day on.
    await events.publish(OrgUnitRetiredV1, 'SO-TTTT', { code: 'SO-TTTT', retiredOn: '2020-08-21', revision: 2 });
    await idle();
    expect(await figure('84', 'staff', '2020-08-20')).toMatchObject({ headcount: 140 });
    expect(await figure('84', 'staff', '2020-08-21')).toMatchObject({ headcount: 20 });
    // Its status against the staff target stands up to the day before and is withdrawn on the day it retired.
    expect(await status('staff-100', 'SO-TTTT', '2020-08-20')).toMatchObject({ status: 'at_risk' });
    expect(await status('staff-100', 'SO-TTTT', '2020-08-21')).toMatchObject({ status: null });
    expect(await status('staff-100', 'SO-TTTT', '2020-09-30')).toMatchObject({ status: null });
    // Each day a status had been published on from then is told again (a consumer holds the latest publication on or
    // before a day), the first with the status it held the day before.
    const withdrawn = (await outbox('rates.target.status-withdrawn', 'SO-TTTT')).map((e) => e.data);
    expect(withdrawn[0]).toEqual({ targetId: 'staff-100', orgUnitCode: 'SO-TTTT', date: '2020-08-21', previousStatus: 'at_risk' });
    expect(withdrawn.every((w) => w.date >= '2020-08-21')).toBe(true);
    const [{ n: left }] = await ds.query(
      `SELECT count(*)::int AS n FROM rates_published_statuses WHERE org_unit_code = 'SO-TTTT' AND date >= '2020-08-21' AND NOT payload ? 'withdrawn'`,
    );
    expect(left).toBe(0);
  });

  it('withdraws, once upgraded, the statuses a deployment before withdrawals still held for units that retired or moved away', async () => {
    // What such a deployment published: on each day a withdrawal now holds, the status published that day before it
    // (as its event told it), and no row on a day that only a withdrawal has (the code before StatusWithdrawals had none).
    const withdrawnRows = async (): Promise<string[]> =>
      (
        await ds.query(
          `SELECT target_id || '/' || org_unit_code || '/' || date::text AS k FROM rates_published_statuses WHERE payload ? 'withdrawn' ORDER BY 1`,
        )
      ).map((r: { k: string }) => r.k);
    const withdrawn = await withdrawnRows();
    expect(withdrawn.length).toBeGreaterThan(1);
    await ds.query(
      `UPDATE rates_published_statuses p
          SET payload = (SELECT o.data::jsonb - 'previousStatus' FROM ${OUTBOX_EVENTS}
                          WHERE o.type = 'rates.target.status-changed' AND o.data->>'targetId' = p.target_id
                            AND o.key = p.org_unit_code AND o.data->>'date' = p.date::text
                          ORDER BY o.seq DESC, o.at DESC LIMIT 1)
        WHERE payload ? 'withdrawn' AND EXISTS (
          SELECT 1 FROM ${OUTBOX_EVENTS} WHERE o.type = 'rates.target.status-changed' AND o.data->>'targetId' = p.target_id
             AND o.key = p.org_unit_code AND o.data->>'date' = p.date::text)`,
    );
    await ds.query(`DELETE FROM rates_published_statuses WHERE payload ? 'withdrawn'`);
    // The stale statuses: the retired department still at risk long after it retired, the emptied district still told.
    expect((await status('staff-100', 'SO-TTTT', '2020-09-30')).status).not.toBeNull();
    expect((await status('residents-50', '844', '2020-09-30')).status).not.toBeNull();
    const before = (await outbox('rates.target.status-withdrawn')).length;
    const statusEventsBefore = (await outbox('rates.target.status-changed')).length;
    const q = ds.createQueryRunner();
    try {
      await new WithdrawStaleStatuses1765600001400().up(q);
    } finally {
      await q.release();
    }
    await idle();
    // The next flush re-evaluated every target: each withdrawal is where it was, and told to consumers again.
    expect(await withdrawnRows()).toEqual(withdrawn);
    expect(await status('staff-100', 'SO-TTTT', '2020-08-20')).toMatchObject({ status: 'at_risk' });
    expect(await status('staff-100', 'SO-TTTT', '2020-09-30')).toMatchObject({ status: null });
    expect(await status('residents-50', '844', '2020-09-30')).toMatchObject({ status: null });
    const told = (await outbox('rates.target.status-withdrawn'))
      .slice(before)
      .map((e) => `${e.data.targetId}/${e.data.orgUnitCode}/${e.data.date}`);
    expect(told.sort()).toEqual(withdrawn);
    // Nothing else moved: no status of any other unit was published again.
    expect((await outbox('rates.target.status-changed')).length).toBe(statusEventsBefore);
  });

  it("publishes a flush's figures and status changes as a few bundles, not an event each", async () => {
    const rows: Array<{ type: string; items: number }> = await ds.query(
      `SELECT envelope->>'type' AS type, json_array_length(coalesce(envelope->'data'->'figures', envelope->'data'->'statuses'))::int AS items
         FROM outbox WHERE envelope->>'type' LIKE 'rates.%' AND envelope->>'type' <> 'rates.target.status-withdrawn'`,
    );
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['rates.figures.updated', 'rates.target.statuses-changed']));
    expect(rows.every((r) => r.items >= 1 && r.items <= BUNDLE_MAX_ITEMS)).toBe(true);
    // Far fewer events than items: the figures and statuses of this suite's flushes went out in bundles.
    const items = rows.reduce((a, r) => a + r.items, 0);
    expect(items).toBeGreaterThan(rows.length * 3);
    expect(items).toBe((await outbox('rates.figure.updated')).length + (await outbox('rates.target.status-changed')).length);
  });

  it('keeps only what it published: the migration drops the stored copy, and down gives it back from the publications', async () => {
    const exists = async (table: string) => (await ds.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [table]))[0].e as boolean;
    expect(await exists('rates_figures')).toBe(false);
    expect(await exists('rates_target_statuses')).toBe(false);
    const migration = new PublishedTimelinesOnly1765500001200();
    // Withdrawn statuses (the department retired, district 844 emptied) go first: the stored copy had no such rows.
    const withdrawals = new StatusWithdrawals1765600001300();
    const q = ds.createQueryRunner();
    try {
      const withdrawn: Array<{ target_id: string; org_unit_code: string; date: string; payload: object }> = await ds.query(
        `SELECT target_id, org_unit_code, date::text, payload FROM rates_published_statuses WHERE payload ? 'withdrawn'`,
      );
      expect(withdrawn.length).toBeGreaterThan(0);
      await withdrawals.down(q);
      await migration.down(q);
      // Each publication a row again, with the values it published.
      const [published] = await ds.query(
        `SELECT (SELECT count(*)::int FROM rates_published_figures) AS figures, (SELECT count(*)::int FROM rates_published_statuses) AS statuses`,
      );
      const [restored] = await ds.query(
        `SELECT (SELECT count(*)::int FROM rates_figures) AS figures, (SELECT count(*)::int FROM rates_target_statuses) AS statuses`,
      );
      expect(restored).toEqual(published);
      expect(published.figures).toBeGreaterThan(0);
      expect(
        await ds.query(
          `SELECT count(*)::int AS n FROM rates_figures f JOIN rates_published_figures p USING (org_unit_code, cohort, tree, date)
            WHERE f.installed = (p.payload->>'installed')::int AND f.install_rate IS NOT DISTINCT FROM (p.payload->>'installRate')::float8
              AND f.reporting_units = (p.payload->>'reportingUnits')::int`,
        ),
      ).toEqual([{ n: published.figures }]);
      expect(
        await ds.query(
          `SELECT count(*)::int AS n FROM rates_target_statuses s JOIN rates_published_statuses p USING (target_id, org_unit_code, date)
            WHERE s.status = p.payload->>'status' AND s.forecast_date IS NOT DISTINCT FROM (p.payload->>'forecastDate')::date`,
        ),
      ).toEqual([{ n: published.statuses }]);
      await migration.up(q);
      await withdrawals.up(q);
      // Down took them away (the code before them read every publication as an evaluation); the later tests want them.
      for (const w of withdrawn)
        await ds.query(`INSERT INTO rates_published_statuses (target_id, org_unit_code, date, payload) VALUES ($1, $2, $3, $4)`, [
          w.target_id,
          w.org_unit_code,
          w.date,
          w.payload,
        ]);
    } finally {
      await q.release();
    }
    expect(await exists('rates_figures')).toBe(false);
    expect(await exists('rates_target_statuses')).toBe(false);
  });

  it('rebuilds from the stream to identical figures and statuses', async () => {
    // What consumers hold, day by day: each timeline's publications where its value changes (a figure's in every field,
    // a status's in what its events are about), an empty figure or a withdrawn status being none. The history of
    // publications itself differs: the live service published figures and statuses and then their emptying or
    // withdrawal for units that moved away or retired, where the rebuild, which sees those units' whole history at
    // once, has nothing to publish.
    type Published = { key: string; date: string; payload: Record<string, unknown> };
    // `fields`: what a value is made of (null: the whole payload but its day).
    const held = (rows: Published[], fields: readonly string[] | null) => {
      const out: Array<{ key: string; date: string; value: string }> = [];
      let key: string | null = null;
      let value: string | null = null;
      for (const r of rows) {
        if (r.key !== key) [key, value] = [r.key, null];
        const empty = r.payload.headcount === 0 && r.payload.expectedUnits === 0 && r.payload.reportingUnits === 0;
        const parts = fields ? fields.map((f) => r.payload[f]) : Object.entries(r.payload).filter(([f]) => f !== 'date');
        const none = (empty && 'installed' in r.payload) || r.payload.withdrawn === true;
        const v = none ? null : JSON.stringify(parts);
        // From nothing to nothing is no change; from a value to none is one (consumers stop holding it).
        if (v !== value) out.push({ key: r.key, date: r.date, value: v ?? 'none' });
        value = v;
      }
      return out;
    };
    const snapshot = async (d: DataSource) => ({
      figures: held(
        await d.query(
          `SELECT org_unit_code || '|' || cohort || '|' || tree AS key, date::text, payload FROM rates_published_figures ORDER BY 1, 2`,
        ),
        null,
      ),
      statuses: held(
        await d.query(`SELECT target_id || '|' || org_unit_code AS key, date::text, payload FROM rates_published_statuses ORDER BY 1, 2`),
        ['status', 'forecastDate', 'reporting', 'reportingUnits', 'expectedUnits'],
      ),
    });
    const before = await snapshot(ds);
    expect(before.figures.length).toBeGreaterThan(10);
    expect(before.statuses.length).toBeGreaterThan(5);
    const { rebuildRates } = await import('./rebuild');
    const { loadConfig } = await import('@app/platform');
    const { RatesConfig } = await import('./rates.config');
    const { databaseUrl, namespace } = svc;
    await svc.close();
    await rebuildRates(
      loadConfig(RatesConfig, {
        DATABASE_URL: databaseUrl,
        NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
        EVENTS_NAMESPACE: namespace,
      }),
    );
    svc = await startService(ratesService, {
      databaseUrl,
      namespace,
      env: { RATES_FIGURE_WINDOW_DAYS: '3', RATES_FLUSH_DEBOUNCE_MS: '100' },
    });
    ds = svc.app.get(DataSource);
    await idle();
    const after = await snapshot(ds);
    expect(after.figures).toEqual(before.figures);
    // District 844 left the targets' scope when its only commune moved away, and the department retired: consumers were
    // told they have no status any more (withdrawn), as the rebuild, which never saw them in scope, tells them nothing.
    expect(after.statuses).toEqual(before.statuses);
  }, 60_000);
});
