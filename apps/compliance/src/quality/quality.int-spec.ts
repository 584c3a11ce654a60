import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CohortSetV1, QUALITY_RULES, ReportAcceptedV1, RosterImportedV1, type Cohort } from '@app/contracts';
import { streamNames } from '@app/messaging';
import { addDays } from '@app/domain';
import { natsUrl } from '@test/support/int-env';
import { explainedNodes, type Explained, type PlanNode } from '@test/support/query-plans';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { DataSource, type EntityManager } from 'typeorm';
import { complianceService } from '../main';
import { existingViolations, siblingReportsOf } from './quality.store';

const DAY0 = '2020-08-21';
const LAST = addDays(DAY0, 5);
const COMMUNES = ['29266', '29269', '29272', '29275', '29278', '29281'];

/**
 * Issue 20, must show: a commune's installed count falls between two reports, another's jumps tenfold, and an
 * enterprise reports 100 installed against a roster of 60. Exactly these three violations are raised (and
 * published), appear on the follow-up list (per scope: the DIC sees all, a commune's key its own) and in the
 * daily report; marking, commenting and resolving work and are published too.
 */
describe('data quality: rules as reports arrive, follow-ups, roster reconciliation', () => {
  let svc: RunningService;
  let registry: EventInjector;
  let intake: EventInjector;
  let workforce: EventInjector;
  let analystKey: string;
  let commune1Key: string;
  let commune3Key: string;
  let ezBoardKey: string;
  let n = 0;

  const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const report = (orgUnitCode: string, cohort: Cohort, asOf: string, c: [number, number, number, number], revision = 1) =>
    intake.publish(ReportAcceptedV1, orgUnitCode, {
      reportId: uuid(),
      orgUnitCode,
      cohort,
      asOf,
      revision,
      headcount: c[0],
      smartphoneHolders: c[1],
      installed: c[2],
      bluetoothOn: c[3],
      submittedAt: new Date().toISOString(),
    });

  /** The events compliance published on its own subjects (compliance.quality.*), by type. */
  const published = async (): Promise<Record<string, number>> => {
    const nc = await connect({ servers: natsUrl() });
    try {
      const jsm = await jetstreamManager(nc);
      const out: Record<string, number> = {};
      for (const type of ['violation-raised', 'follow-up-changed']) {
        const info = await jsm.streams.info(streamNames(svc.namespace).events, {
          subjects_filter: `${svc.namespace}.compliance.quality.${type}.v1`,
        });
        out[type] = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
      }
      return out;
    } finally {
      await nc.close();
    }
  };

  beforeAll(async () => {
    svc = await startService(complianceService);
    registry = await EventInjector.open(svc.namespace);
    intake = await EventInjector.open(svc.namespace);
    workforce = await EventInjector.open(svc.namespace);
    await registry.unit({ code: '84', name: 'Tỉnh Trà Vinh', type: 'province', level: 1 });
    await registry.unit({
      code: '844',
      name: 'Huyện Càng Long',
      type: 'district',
      level: 2,
      adminParentCode: '84',
      accountableToCode: '84',
    });
    for (const [i, code] of COMMUNES.entries())
      await registry.unit({ code, name: `Xã số ${i + 1}`, type: 'commune', level: 3, adminParentCode: '844', accountableToCode: '844' });
    await registry.unit({ code: 'KCN-LONGDUC', name: 'Khu công nghiệp Long Đức', type: 'industrial_park', accountableToCode: '84' });
    await registry.unit({ code: 'DN-1-1', name: 'Công ty TNHH Sản xuất 1.1', type: 'enterprise', accountableToCode: 'KCN-LONGDUC' });
    for (const [i, code] of COMMUNES.entries())
      await registry.publish(CohortSetV1, code, {
        orgUnitCode: code,
        cohort: 'residents',
        headcount: 10_000 + i * 1_000,
        asOf: '2019-04-01',
      });
    analystKey = await registry.key('analyst', null);
    commune1Key = await registry.key('portal', COMMUNES[0]);
    commune3Key = await registry.key('portal', COMMUNES[2]);
    ezBoardKey = await registry.key('ez_board', 'KCN-LONGDUC');
    await settle(svc);

    // Five days of ordinary progress in every commune: installs grow a little every day, each at its own pace.
    for (let d = 0; d < 5; d++)
      for (const [i, code] of COMMUNES.entries()) {
        const people = 10_000 + i * 1_000;
        const installed = 400 + i * 50 + d * (40 + i * 3);
        await report(code, 'residents', addDays(DAY0, d), [people, Math.round(people * 0.6), installed, Math.round(installed * 0.8)]);
      }
    // The enterprise's roster for the last day: 120 workers, 60 installed (counts only, as workforce publishes them).
    await workforce.publish(RosterImportedV1, 'DN-1-1', {
      importId: uuid(),
      enterpriseCode: 'DN-1-1',
      asOf: LAST,
      revision: 1,
      headcount: 120,
      smartphoneHolders: 110,
      installed: 60,
      bluetoothOn: 50,
      rowsAccepted: 120,
      rowsRejected: 0,
      joined: 120,
      left: 0,
      newlyInstalled: 60,
      newlyBluetoothOn: 50,
    });
    // The last day: commune 1 falls, commune 2 jumps tenfold, the others go on; the enterprise reports 100 installed.
    for (const [i, code] of COMMUNES.entries()) {
      const people = 10_000 + i * 1_000;
      const before = 400 + i * 50 + 4 * (40 + i * 3);
      const installed = i === 0 ? before - 150 : i === 1 ? before * 10 : before + 40 + i * 3;
      await report(code, 'residents', LAST, [people, Math.round(people * 0.6), installed, Math.round(installed * 0.8)]);
    }
    await report('DN-1-1', 'enterprise_workers', LAST, [120, 110, 100, 90]);
    await settle(svc);
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await intake?.close();
    await workforce?.close();
    if (svc) await disposeService(svc);
  });

  it('raises exactly the three violations, stored and published', async () => {
    const res = await http(svc, 'GET', '/v1/quality/follow-ups?lang=en', { key: analystKey });
    expect(res.status).toBe(200);
    const found = res.body.items.map((v: { rule: string; orgUnitCode: string; asOf: string; status: string }) => [
      v.orgUnitCode,
      v.rule,
      v.asOf,
      v.status,
    ]);
    expect(found.sort()).toEqual(
      [
        [COMMUNES[0], 'rate_drop', LAST, 'open'],
        [COMMUNES[1], 'outlier_jump', LAST, 'open'],
        ['DN-1-1', 'roster_mismatch', LAST, 'open'],
      ].sort(),
    );
    expect(res.body.total).toBe(3);
    const roster = res.body.items.find((v: { rule: string }) => v.rule === 'roster_mismatch');
    expect(roster).toMatchObject({
      reported: 100,
      expected: 60,
      measure: 'installed',
      unitName: 'Công ty TNHH Sản xuất 1.1',
      severity: 'warning',
    });
    expect(roster.message).toContain('100 installed reported, the roster for the same day has 60');
    await expect(published()).resolves.toEqual({ 'violation-raised': 3, 'follow-up-changed': 0 });
  });

  it('shows a unit key only its own subtree, in Vietnamese by default', async () => {
    const own = await http(svc, 'GET', '/v1/quality/follow-ups', { key: commune1Key });
    expect(own.status).toBe(200);
    expect(own.body.items.map((v: { orgUnitCode: string }) => v.orgUnitCode)).toEqual([COMMUNES[0]]);
    expect(own.body.items[0].ruleName).toBe('Tỷ lệ cài đặt giảm giữa hai lần báo cáo');
    const other = await http(svc, 'GET', '/v1/quality/follow-ups', { key: commune3Key });
    expect(other.body.total).toBe(0);
    expect((await http(svc, 'GET', `/v1/quality/follow-ups?unit=${COMMUNES[0]}`, { key: commune3Key })).status).toBe(403);
    // The EZ board sees (and may act on) its enterprises' roster reconciliation, nothing of the communes.
    const ez = await http(svc, 'GET', '/v1/quality/follow-ups?lang=en', { key: ezBoardKey });
    expect(ez.body.items.map((v: { orgUnitCode: string; rule: string }) => [v.orgUnitCode, v.rule])).toEqual([
      ['DN-1-1', 'roster_mismatch'],
    ]);
    const noted = await http(svc, 'POST', `/v1/quality/follow-ups/${ez.body.items[0].id}/comments`, {
      key: ezBoardKey,
      body: { body: 'Danh sách ngày 26/8 chưa cập nhật 40 công nhân mới cài đặt' },
    });
    expect(noted.status).toBe(201);
    expect(noted.body).toMatchObject({ status: 'open', comments: 1 });
  });

  it('lists the open follow-ups in the daily report, in both languages', async () => {
    const vi = await http(svc, 'GET', `/v1/daily-report?date=${LAST}&format=md`, { key: analystKey });
    expect(vi.status).toBe(200);
    expect(vi.text).toContain('Số liệu cần kiểm tra lại (theo dõi chất lượng số liệu)');
    expect(vi.text).toContain('3 trường hợp đang chờ xử lý');
    for (const name of ['Xã số 1', 'Xã số 2', 'Công ty TNHH Sản xuất 1.1']) expect(vi.text).toContain(name);
    const en = await http(svc, 'GET', `/v1/daily-report?date=${LAST}&format=md&lang=en`, { key: analystKey });
    expect(en.text).toContain('Figures to check (data-quality follow-ups)');
    expect(en.text).toContain('Does not match the worker roster');
    for (const format of ['pdf', 'docx']) {
      const doc = await http(svc, 'GET', `/v1/daily-report?date=${LAST}&format=${format}`, { key: analystKey });
      expect([format, doc.status]).toEqual([format, 200]);
    }
    const page = await http(svc, 'GET', `/dashboard?date=${LAST}`, { key: analystKey });
    expect(page.text).toContain('<section id="follow-ups">');
    expect(page.text).toContain('Không khớp với danh sách lao động');
  });

  it('lets the unit mark, comment and resolve; another unit may not; each change is published', async () => {
    // Counted from what was published before it (another test may have commented a follow-up already).
    await settle(svc);
    const before = await published();
    const openBefore = (await http(svc, 'GET', '/v1/quality/follow-ups', { key: analystKey })).body.total as number;
    const [v] = (await http(svc, 'GET', '/v1/quality/follow-ups', { key: commune1Key })).body.items;
    const marked = await http(svc, 'PATCH', `/v1/quality/follow-ups/${v.id}`, {
      key: commune1Key,
      body: { status: 'marked', comment: 'Đang kiểm tra lại với các ấp' },
    });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ status: 'marked', comments: 1 });
    expect(marked.body.history.map((c: { body: string }) => c.body)).toEqual(['Đang kiểm tra lại với các ấp']);
    expect((await http(svc, 'PATCH', `/v1/quality/follow-ups/${v.id}`, { key: commune3Key, body: { status: 'resolved' } })).status).toBe(
      404,
    );
    expect((await http(svc, 'PATCH', `/v1/quality/follow-ups/${v.id}`, { key: analystKey, body: { status: 'resolved' } })).status).toBe(
      403,
    );
    const comment = await http(svc, 'POST', `/v1/quality/follow-ups/${v.id}/comments`, {
      key: commune1Key,
      body: { body: 'Ấp 3 nhập nhầm' },
    });
    expect(comment.body.comments).toBe(2);
    const resolved = await http(svc, 'PATCH', `/v1/quality/follow-ups/${v.id}`, { body: { status: 'resolved' } });
    expect(resolved.body.status).toBe('resolved');
    const open = await http(svc, 'GET', '/v1/quality/follow-ups', { key: analystKey });
    expect(open.body.total).toBe(openBefore - 1);
    await settle(svc);
    await expect(published()).resolves.toEqual({ ...before, 'follow-up-changed': before['follow-up-changed'] + 3 });
  });

  it('documents the follow-up routes in OpenAPI', async () => {
    const doc = await http(svc, 'GET', '/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths).filter((p: string) => p.startsWith('/v1/quality/'))).toEqual(
      expect.arrayContaining(['/v1/quality/follow-ups', '/v1/quality/follow-ups/{id}', '/v1/quality/follow-ups/{id}/comments']),
    );
    expect(Object.keys(doc.body.paths['/v1/quality/follow-ups/{id}']).sort()).toEqual(['get', 'patch']);
  });

  it("answers many units' questions for their siblings in one statement, each as asked alone", async () => {
    const ds = svc.app.get(DataSource);
    const asked = [
      { unitCode: COMMUNES[1], cohort: 'residents' as Cohort, from: DAY0, to: LAST },
      { unitCode: COMMUNES[4], cohort: 'residents' as Cohort, from: addDays(DAY0, 3), to: LAST },
      { unitCode: 'DN-1-1', cohort: 'enterprise_workers' as Cohort, from: DAY0, to: LAST },
      { unitCode: 'NOT-A-UNIT', cohort: 'residents' as Cohort, from: DAY0, to: LAST },
      { unitCode: COMMUNES[1], cohort: 'residents' as Cohort, from: LAST, to: LAST },
    ];
    // What each question means, asked alone the plainest way: the siblings by the parent, then their reports.
    const alone = (q: (typeof asked)[number]) =>
      ds.query(
        `SELECT unit_code AS "unitCode", as_of::text AS "asOf", installed FROM quality_reports
          WHERE cohort = $2 AND as_of BETWEEN $3 AND $4 AND unit_code <> $1
            AND unit_code IN (SELECT s.code FROM replica_org_units s JOIN replica_org_units me ON me.code = $1
                               WHERE s.${q.cohort === 'residents' ? 'admin_parent_code' : 'accountable_to_code'} =
                                     me.${q.cohort === 'residents' ? 'admin_parent_code' : 'accountable_to_code'} AND s.active)
          ORDER BY unit_code, as_of`,
        [q.unitCode, q.cohort, q.from, q.to],
      );
    const together = await siblingReportsOf(ds.manager, asked);
    expect(together).toHaveLength(asked.length);
    for (const [i, q] of asked.entries())
      expect(together[i].map((r) => ({ unitCode: r.unitCode, asOf: r.asOf, installed: r.installed }))).toEqual(await alone(q));
    expect(together[0]).toHaveLength(5 * 6); // five other communes, six days each
    expect(together[1].map((r) => r.asOf).every((d) => d >= addDays(DAY0, 3))).toBe(true);
    expect(together[3]).toEqual([]);
    // Windows of one group apart from each other: each read as its own range, and each question answered as alone.
    const apart = [
      { unitCode: COMMUNES[1], cohort: 'residents' as Cohort, from: DAY0, to: DAY0 },
      { unitCode: COMMUNES[4], cohort: 'residents' as Cohort, from: LAST, to: LAST },
      { unitCode: COMMUNES[2], cohort: 'residents' as Cohort, from: addDays(DAY0, 2), to: addDays(DAY0, 2) },
    ];
    const answered = await siblingReportsOf(ds.manager, apart);
    for (const [i, q] of apart.entries()) {
      expect(answered[i].map((r) => ({ unitCode: r.unitCode, asOf: r.asOf, installed: r.installed }))).toEqual(await alone(q));
      expect(answered[i]).toHaveLength(5);
    }
  });

  it("reads a batch's stored violations through the report index, not every violation raised", async () => {
    const ds = svc.app.get(DataSource);
    const qr = ds.createQueryRunner();
    await qr.startTransaction();
    try {
      // 20,000 violations of 2,000 units over ten days (rolled back below), as after a minute of the pipeline
      // benchmark, and a batch of 1,000 reports: read as a join of the two sets, it was planned as a hash join over
      // every violation (before the (unit, cohort, day) index there was no other way).
      await qr.query(
        `INSERT INTO quality_violations (id, rule, severity, unit_code, cohort, as_of, value, "limit")
         SELECT gen_random_uuid(), ($1::text[])[1 + i % 5], 'warning', 'X' || (i % 2000), 'residents', date '2020-07-01' + i / 2000, 1, 1
           FROM generate_series(0, 19999) i`,
        [QUALITY_RULES],
      );
      await qr.query(`ANALYZE quality_violations`);
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        unitCode: `X${(i * 7) % 2000}`,
        cohort: 'residents' as Cohort,
        asOf: addDays('2020-07-01', i % 10),
      }));
      let plan: PlanNode[] = [];
      const explaining = {
        query: async (sql: string, params: unknown[]) => {
          plan = explainedNodes((await qr.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params)) as Explained);
          return [];
        },
      } as unknown as EntityManager;
      await existingViolations(explaining, batch, QUALITY_RULES);
      const read = plan.filter((n) => n['Relation Name'] === 'quality_violations');
      expect(read.length).toBeGreaterThan(0);
      expect(read.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      for (const n of read) expect(n['Actual Rows'] ?? 0).toBeLessThanOrEqual(batch.length);
      // And what it reads is each report's violations: (i * 7) % 2000 + 2000 × day, of rule i % 5.
      const stored = await existingViolations(qr.manager, batch, QUALITY_RULES);
      for (const r of batch) {
        const i = Number(r.unitCode.slice(1)) + 2000 * (Number(r.asOf.slice(-2)) - 1);
        expect(stored.get(`${r.unitCode}|residents|${r.asOf}`)!.map((v) => v.rule)).toEqual([QUALITY_RULES[i % 5]]);
      }
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  });

  it('clears a violation when a later revision of the report fixes the figure', async () => {
    const openBefore = (await http(svc, 'GET', '/v1/quality/follow-ups', { key: analystKey })).body.total as number;
    const before = 400 + 50 + 4 * 43;
    await report(COMMUNES[1], 'residents', LAST, [11_000, 6_600, before + 43, Math.round((before + 43) * 0.8)], 2);
    await settle(svc);
    const list = await http(svc, 'GET', '/v1/quality/follow-ups?status=cleared', { key: analystKey });
    expect(list.body.items.map((v: { orgUnitCode: string; rule: string }) => [v.orgUnitCode, v.rule])).toEqual([
      [COMMUNES[1], 'outlier_jump'],
    ]);
    expect((await http(svc, 'GET', '/v1/quality/follow-ups', { key: analystKey })).body.total).toBe(openBefore - 1);
  });
});
