import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { DataSource } from 'typeorm';
import {
  ActivityRecordedV1,
  FigureUpdatedV1,
  RosterImportedV1,
  SupportPointClosedV1,
  SupportPointOpenedV1,
  SupportSessionLoggedV1,
  TargetSetV1,
  TargetStatusChangedV1,
  TransportCheckedV1,
  subjectOf,
  type EventContract,
  type ServiceName,
} from '@app/contracts';
import { makeEvent } from '@app/persistence';
import { natsUrl } from '@test/support/int-env';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { figureData, statusData } from '../test/rates-events';
import { complianceService } from './main';
import { rebuildCompliance } from './rebuild';

const D = '2020-08-21';
const D0 = '2020-08-19';

/** The nine district-level units of Trà Vinh, as the registry imports them (data/tra-vinh-units.csv). */
const DISTRICTS = readFileSync(join(__dirname, '../../../data/tra-vinh-units.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','))
  .filter((c) => c[3] === '2')
  .map(([code, name]) => ({ code, name }));

const rate = (n: number, d: number | null) => (d ? n / d : null);

/** Each district's resident figure on D: installs grow with the district's index, populations differ. */
const districtFigure = (i: number) => {
  const population = 100_000 + i * 1_000;
  const installed = 20_000 + i * 7_000;
  return { population, installed, smartphoneHolders: Math.round(population * 0.6), bluetoothOn: Math.round(installed * 0.8) };
};

describe('compliance: read model, analytics API and daily report', () => {
  let svc: RunningService;
  let registry: EventInjector;
  let rates: EventInjector;
  let intake: EventInjector;
  let support: EventInjector;
  let workforce: EventInjector;
  let raw: NatsConnection;
  let analystKey: string;
  let adminKey: string;
  let portalKey: string;

  /** Publishes with a chosen occurredAt, to deliver a newer event before an older one. */
  const publishAt = async <D extends object>(source: ServiceName, contract: EventContract<string, D>, key: string, data: D, at: string) => {
    const e = makeEvent(contract, source, key, data, { occurredAt: new Date(at) });
    await jetstream(raw).publish(subjectOf(svc.namespace, contract), JSON.stringify(e), { msgID: e.id });
    return e;
  };

  const figure = figureData;
  const status = statusData;

  beforeAll(async () => {
    svc = await startService(complianceService);
    registry = await EventInjector.open(svc.namespace, 'registry');
    rates = await EventInjector.open(svc.namespace, 'rates');
    intake = await EventInjector.open(svc.namespace, 'intake');
    support = await EventInjector.open(svc.namespace, 'support-points');
    workforce = await EventInjector.open(svc.namespace, 'workforce');
    raw = await connect({ servers: natsUrl() });

    // Registry: the province, its nine districts (real names), three communes, a telecom and a bus station.
    await registry.unit({
      code: '84',
      name: 'Tỉnh Trà Vinh',
      type: 'province',
      level: 1,
      head: { name: 'Đồng Văn Lâm', title: 'Chủ tịch UBND tỉnh' },
    });
    for (const d of DISTRICTS) {
      await registry.unit({
        code: d.code,
        name: d.name,
        type: 'district',
        level: 2,
        adminParentCode: '84',
        accountableToCode: '84',
        head: {
          name: `Trưởng ${d.code}`,
          title: `Chủ tịch UBND ${d.name}`,
          // One district head with contacts: the daily report names them in full to the keys that may read them.
          ...(d.code === '844' ? { phone: '+84912345844', email: 'truong.844@travinh.example' } : {}),
        },
      });
    }
    await registry.unit({
      code: '29266',
      name: 'Thị trấn Càng Long',
      type: 'commune',
      level: 3,
      adminParentCode: '844',
      accountableToCode: '844',
    });
    await registry.unit({ code: '29269', name: 'Xã Mỹ Cẩm', type: 'commune', level: 3, adminParentCode: '844', accountableToCode: '844' });
    await registry.unit({ code: '29236', name: 'Phường 4', type: 'commune', level: 3, adminParentCode: '842', accountableToCode: '842' });
    await registry.unit({ code: 'VNPT-TV', name: 'VNPT Trà Vinh', type: 'telecom', accountableToCode: '84' });
    await registry.unit({
      code: 'BX-TV',
      name: 'Bến xe khách Trà Vinh',
      type: 'transport_hub',
      accountableToCode: '84',
      head: { name: 'Lê Văn Bến', title: 'Giám đốc' },
    });
    await registry.publish(TargetSetV1, 'T50', {
      targetId: 'T50',
      name: 'Người dân cài đặt 50%',
      metric: 'resident_rate',
      cohorts: ['residents'],
      tree: 'administrative',
      scopeUnitTypes: ['province', 'district'],
      scopeLevels: [],
      threshold: 0.5,
      deadline: '2020-08-20',
      campaignStart: '2020-08-01',
      reportingWindowDays: 7,
      revision: 1,
    });
    await registry.publish(TargetSetV1, 'T100', {
      targetId: 'T100',
      name: 'Cán bộ cài đặt 100%',
      metric: 'install_rate',
      cohorts: ['staff'],
      tree: 'accountability',
      scopeUnitTypes: [],
      scopeLevels: [],
      threshold: 1,
      deadline: '2020-08-30',
      campaignStart: null,
      reportingWindowDays: 7,
      revision: 1,
    });
    analystKey = await registry.key('analyst', null);
    adminKey = await registry.key('admin', null);
    portalKey = await registry.key('portal', '844');

    // Rates: the province's residents on D0 and D, its staff on D, each district on D.
    await rates.publish(
      FigureUpdatedV1,
      '84',
      figure('84', 'residents', D0, {
        population: 1_000_000,
        smartphoneHolders: 600_000,
        installed: 67_800,
        bluetoothOn: 50_000,
        reportingUnits: 5,
        expectedUnits: 10,
      }),
    );
    await rates.publish(
      FigureUpdatedV1,
      '84',
      figure('84', 'residents', D, {
        population: 1_000_000,
        smartphoneHolders: 600_000,
        installed: 300_000,
        bluetoothOn: 240_000,
        reportingUnits: 9,
        expectedUnits: 10,
      }),
    );
    await rates.publish(
      FigureUpdatedV1,
      '84',
      figure('84', 'staff', D, {
        headcount: 5_000,
        smartphoneHolders: 4_500,
        installed: 3_000,
        bluetoothOn: 2_500,
        reportingUnits: 3,
        expectedUnits: 4,
      }),
    );
    for (const [i, d] of DISTRICTS.entries()) {
      const f = districtFigure(i);
      if (d.code === '844') continue; // below: delivered out of order
      await rates.publish(FigureUpdatedV1, d.code, figure(d.code, 'residents', D, f));
      const r = f.installed / f.population;
      await rates.publish(
        TargetStatusChangedV1,
        d.code,
        status('T50', d.code, D, r >= 0.5 ? 'met' : 'breached', r, 0.5, Math.max(0, Math.ceil(0.5 * f.population) - f.installed)),
      );
    }
    // 844 on D: the newer figure (a recount) arrives before the older one and must still win.
    const f844 = districtFigure(DISTRICTS.findIndex((d) => d.code === '844'));
    await publishAt('rates', FigureUpdatedV1, '844', figure('844', 'residents', D, f844), '2020-08-21T20:00:00.000Z');
    await publishAt(
      'rates',
      FigureUpdatedV1,
      '844',
      figure('844', 'residents', D, { ...f844, installed: 1, bluetoothOn: 0 }),
      '2020-08-21T10:00:00.000Z',
    );
    await rates.publish(TargetStatusChangedV1, '844', status('T50', '844', D, 'breached', f844.installed / f844.population, 0.5, 0));
    await rates.publish(TargetStatusChangedV1, '84', status('T50', '84', D0, 'at_risk', 0.0678, 0.5, 432_200));
    await rates.publish(TargetStatusChangedV1, '84', {
      ...status('T50', '84', D, 'breached', 0.3, 0.5, 200_000),
      previousStatus: 'at_risk' as const,
      reporting: true,
      reportingUnits: 9,
      expectedUnits: 10,
    });

    // Support points: one open in Thị trấn Càng Long, one in Phường 4 closed the day before.
    await support.publish(SupportPointOpenedV1, 'P1', {
      pointId: 'P1',
      operatorCode: 'VNPT-TV',
      communeCode: '29266',
      address: 'Bưu điện Càng Long',
      openedOn: '2020-08-15',
      hours: null,
      revision: 1,
    });
    await support.publish(SupportPointClosedV1, 'P2', {
      pointId: 'P2',
      operatorCode: 'VNPT-TV',
      communeCode: '29236',
      closedOn: '2020-08-20',
      revision: 2,
    });
    await support.publish(SupportPointOpenedV1, 'P2', {
      pointId: 'P2',
      operatorCode: 'VNPT-TV',
      communeCode: '29236',
      address: 'Phường 4',
      openedOn: '2020-08-15',
      hours: null,
      revision: 1,
    });
    await support.publish(SupportSessionLoggedV1, 'P1', {
      pointId: 'P1',
      operatorCode: 'VNPT-TV',
      communeCode: '29266',
      date: D,
      revision: 1,
      assisted: 40,
      installed: 30,
      bluetoothEnabled: 25,
    });
    await support.publish(SupportSessionLoggedV1, 'P1', {
      pointId: 'P1',
      operatorCode: 'VNPT-TV',
      communeCode: '29266',
      date: '2020-08-20',
      revision: 1,
      assisted: 10,
      installed: 8,
      bluetoothEnabled: 8,
    });

    // Intake: broadcasts (the correction of Mỹ Cẩm arrives first), door to door.
    const activity = { revision: 1, submittedAt: '2020-08-21T12:00:00.000Z', date: D, kind: 'broadcast' as const };
    await intake.publish(ActivityRecordedV1, '29266', {
      ...activity,
      activityId: '01890000-0000-7000-8000-000000000001',
      orgUnitCode: '29266',
      sessionsAired: 3,
      sessionsWithStartAnnouncement: 3,
      sessionsWithEndAnnouncement: 3,
      supportLocationsAnnounced: true,
    });
    await intake.publish(ActivityRecordedV1, '29269', {
      ...activity,
      revision: 2,
      submittedAt: '2020-08-21T13:00:00.000Z',
      activityId: '01890000-0000-7000-8000-000000000002',
      orgUnitCode: '29269',
      sessionsAired: 2,
      sessionsWithStartAnnouncement: 2,
      sessionsWithEndAnnouncement: 1,
      supportLocationsAnnounced: false,
    });
    await intake.publish(ActivityRecordedV1, '29269', {
      ...activity,
      activityId: '01890000-0000-7000-8000-000000000002',
      orgUnitCode: '29269',
      sessionsAired: 2,
      sessionsWithStartAnnouncement: 2,
      sessionsWithEndAnnouncement: 2,
      supportLocationsAnnounced: false,
    });
    await intake.publish(ActivityRecordedV1, '29266', {
      revision: 1,
      submittedAt: '2020-08-21T12:00:00.000Z',
      date: D,
      kind: 'door_to_door',
      activityId: '01890000-0000-7000-8000-000000000003',
      orgUnitCode: '29266',
      householdsVisited: 120,
      householdsReminded: 110,
    });

    // Workforce: a bus station's checks, an enterprise roster.
    await workforce.publish(TransportCheckedV1, 'BX-TV', {
      hubCode: 'BX-TV',
      date: D,
      revision: 1,
      passengersChecked: 200,
      alreadyInstalled: 120,
      installedOnSite: 30,
      refused: 5,
    });
    await workforce.publish(RosterImportedV1, 'DN-1', {
      importId: '01890000-0000-7000-8000-0000000000aa',
      enterpriseCode: 'DN-1',
      asOf: D,
      revision: 1,
      headcount: 50,
      smartphoneHolders: 45,
      installed: 40,
      bluetoothOn: 38,
      rowsAccepted: 50,
      rowsRejected: 0,
      joined: 50,
      left: 0,
      newlyInstalled: 40,
      newlyBluetoothOn: 38,
    });
    await settle(svc);
  }, 60_000);

  afterAll(async () => {
    for (const i of [registry, rates, intake, support, workforce]) await i?.close();
    await raw?.close();
    if (svc) await disposeService(svc);
  });

  it('sums up each target from the figures: value, status, people still to install, units breached', async () => {
    const res = await http(svc, 'GET', `/v1/summary?date=${D}`, { key: analystKey });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-as-of-event')).toBe(res.body.asOfEvent);
    expect(Date.parse(res.body.asOfEvent)).toBeGreaterThan(0);
    const breachedDistricts = DISTRICTS.filter((_, i) => districtFigure(i).installed / districtFigure(i).population < 0.5).length;
    expect(res.body.targets).toEqual([
      expect.objectContaining({ targetId: 'T100', value: 3000 / 4500, threshold: 1, status: 'at_risk', gap: 1500, unitsBreached: 0 }),
      expect.objectContaining({
        targetId: 'T50',
        value: 300_000 / 1_000_000,
        threshold: 0.5,
        status: 'breached',
        gap: 200_000,
        unitsBreached: breachedDistricts + 1,
      }),
    ]);
    // The directive's own check: 67,800 of 1,000,000 is 6.78%.
    const before = await http(svc, 'GET', `/v1/summary?date=${D0}`, { key: analystKey });
    expect(before.body.targets[1]).toMatchObject({ value: 0.0678, status: 'at_risk', gap: 432_200 });
  });

  it('lists the districts worst first with figures computed from the same inputs, newest figure winning', async () => {
    const res = await http(svc, 'GET', `/v1/units?date=${D}&type=district&sort=populationRate&limit=100`, { key: analystKey });
    expect(res.status).toBe(200);
    const expected = DISTRICTS.map((d, i) => ({ code: d.code, name: d.name, ...districtFigure(i) }))
      .map((d) => ({ ...d, populationRate: d.installed / d.population }))
      .sort((a, b) => a.populationRate - b.populationRate || (a.code < b.code ? -1 : 1));
    expect(res.body.total).toBe(9);
    expect(res.body.items.map((r: { code: string }) => r.code)).toEqual(expected.map((d) => d.code));
    for (const [i, row] of (res.body.items as Array<Record<string, any>>).entries()) {
      const e = expected[i];
      expect(row.name).toBe(e.name);
      expect(row.figure).toEqual({
        orgUnitCode: e.code,
        cohort: 'residents',
        tree: 'administrative',
        date: D,
        headcount: e.population,
        smartphoneHolders: e.smartphoneHolders,
        installed: e.installed,
        bluetoothOn: e.bluetoothOn,
        installRate: rate(e.installed, e.smartphoneHolders),
        bluetoothRate: rate(e.bluetoothOn, e.smartphoneHolders),
        population: e.population,
        populationRate: e.installed / e.population,
        reportingUnits: 1,
        expectedUnits: 1,
      });
      expect(row).toMatchObject({
        targetId: 'T50',
        value: e.installed / e.population,
        gap: Math.max(0, Math.ceil(0.5 * e.population) - e.installed),
        status: e.populationRate >= 0.5 ? 'met' : 'breached',
      });
    }
    const page = await http(svc, 'GET', `/v1/units?date=${D}&type=district&sort=-name&limit=2&offset=1`, { key: analystKey });
    expect(page.body).toMatchObject({ total: 9, limit: 2, offset: 1 });
    expect(page.body.items).toHaveLength(2);
  });

  it('exports the district list as CSV with a BOM, a header row and the Vietnamese names', async () => {
    const res = await fetch(`${svc.url}/v1/units?date=${D}&type=district&sort=code&format=csv`, {
      headers: { authorization: `Bearer ${analystKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['code', 'name', 'type']);
    expect(lines).toHaveLength(1 + DISTRICTS.length);
    const sorted = [...DISTRICTS].sort((a, b) => (a.code < b.code ? -1 : 1));
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2))).toEqual(sorted.map((d) => [d.code, d.name]));
    expect(lines.join('\n')).toContain('Huyện Càng Long');
  });

  it('shows a unit: figures, head, the unit it answers to, children on both trees, targets and history', async () => {
    const res = await http(svc, 'GET', `/v1/units/844?date=${D}`, { key: analystKey });
    expect(res.status).toBe(200);
    const f = f844();
    expect(res.body).toMatchObject({
      code: '844',
      name: 'Huyện Càng Long',
      type: 'district',
      head: { name: 'Trưởng 844', title: 'Chủ tịch UBND Huyện Càng Long' },
      accountableTo: { code: '84', name: 'Tỉnh Trà Vinh' },
    });
    expect(res.body.figures).toEqual([
      expect.objectContaining({ cohort: 'residents', installed: f.installed, populationRate: f.installed / f.population }),
    ]);
    expect(res.body.children.administrative.map((c: { code: string }) => c.code)).toEqual(['29266', '29269']);
    expect(res.body.children.accountability.map((c: { code: string }) => c.code)).toEqual(['29266', '29269']);
    expect(res.body.targets.find((t: { targetId: string }) => t.targetId === 'T50')).toMatchObject({
      status: 'breached',
      value: f.installed / f.population,
    });
    const province = await http(svc, 'GET', `/v1/units/84?date=${D}`, { key: analystKey });
    expect(province.body.history.map((h: { date: string; cohort: string }) => `${h.date} ${h.cohort}`)).toEqual([
      `${D0} residents`,
      `${D} residents`,
      `${D} staff`,
    ]);
    expect(province.body.children.administrative).toHaveLength(9);
  });

  it('gives a day-by-day time series, each day the figure holding that day', async () => {
    const res = await http(svc, 'GET', `/v1/timeseries?unit=84&cohort=residents&from=2020-08-18&to=2020-08-22`, { key: analystKey });
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((f: { date: string; installed: number; populationRate: number }) => [f.date, f.installed, f.populationRate]),
    ).toEqual([
      ['2020-08-19', 67_800, 0.0678],
      ['2020-08-20', 67_800, 0.0678],
      ['2020-08-21', 300_000, 0.3],
      ['2020-08-22', 300_000, 0.3],
    ]);
  });

  it('lists the laggards with their heads, worst first, and the statuses of a target', async () => {
    const res = await http(svc, 'GET', `/v1/laggards?target=T50&date=${D}&limit=100`, { key: analystKey });
    expect(res.status).toBe(200);
    const below = [
      { code: '84', value: 0.3, gap: 200_000 },
      ...DISTRICTS.map((d, i) => ({
        code: d.code,
        value: districtFigure(i).installed / districtFigure(i).population,
        gap: Math.max(0, Math.ceil(0.5 * districtFigure(i).population) - districtFigure(i).installed),
      })),
    ]
      .filter((r) => r.value < 0.5)
      .sort((a, b) => a.value - b.value);
    expect(res.body.items.map((r: { orgUnitCode: string; value: number; gap: number }) => [r.orgUnitCode, r.value, r.gap])).toEqual(
      below.map((b) => [b.code, b.value, b.gap]),
    );
    expect(res.body.items.find((r: { orgUnitCode: string }) => r.orgUnitCode === '84')).toMatchObject({
      reporting: true,
      reportingUnits: 9,
      expectedUnits: 10,
      previousStatus: 'at_risk',
      since: D,
    });
    expect(res.body.items[0].head).toMatchObject({ name: expect.any(String), title: expect.stringContaining('Chủ tịch UBND') });
    const met = await http(svc, 'GET', `/v1/targets/T50/statuses?status=met&date=${D}`, { key: analystKey });
    expect(met.body.items.map((r: { orgUnitCode: string }) => r.orgUnitCode).sort()).toEqual(
      DISTRICTS.filter((_, i) => districtFigure(i).installed / districtFigure(i).population >= 0.5)
        .map((d) => d.code)
        .sort(),
    );
  });

  it('reports support coverage by district and operator, activity compliance and transport hubs', async () => {
    const cov = await http(svc, 'GET', `/v1/support-coverage?date=${D}&limit=100`, { key: analystKey });
    expect(cov.status).toBe(200);
    expect(cov.body.totals).toMatchObject({
      communes: 3,
      communesWithPoint: 1,
      coverage: 1 / 3,
      points: 1,
      assistedOnDate: 40,
      installedOnDate: 30,
      assistedToDate: 50,
      installedToDate: 38,
    });
    expect(cov.body.items.find((r: { code: string }) => r.code === '844')).toMatchObject({
      communes: 2,
      communesWithPoint: 1,
      coverage: 0.5,
      communesWithoutPoint: ['29269'],
    });
    expect(cov.body.items.find((r: { code: string }) => r.code === '842')).toMatchObject({
      communes: 1,
      communesWithPoint: 0,
      coverage: 0,
    });
    const ops = await http(svc, 'GET', `/v1/support-coverage?date=${D}&by=operator`, { key: analystKey });
    expect(ops.body.items).toEqual([
      expect.objectContaining({ code: 'VNPT-TV', name: 'VNPT Trà Vinh', points: 1, communesWithPoint: 1, assistedOnDate: 40 }),
    ]);
    const act = await http(svc, 'GET', `/v1/activity-compliance?date=${D}&kind=broadcast`, { key: analystKey });
    expect(act.status).toBe(200);
    expect(
      act.body.items.map((r: { orgUnitCode: string; broadcastCompliant: boolean | null }) => [r.orgUnitCode, r.broadcastCompliant]),
    ).toEqual([
      ['29236', null],
      ['29266', true],
      ['29269', false],
    ]);
    expect(act.body.totals).toMatchObject({ communes: 3, communesBroadcasting: 2, communesBroadcastCompliant: 1, householdsVisited: 120 });
    const compliant = await http(svc, 'GET', `/v1/activity-compliance?date=${D}&complies=true`, { key: analystKey });
    expect(compliant.body.items).toEqual([
      expect.objectContaining({ orgUnitCode: '29266', householdsVisited: 120, householdsReminded: 110 }),
    ]);
    const tr = await http(svc, 'GET', `/v1/transport?date=${D}`, { key: analystKey });
    expect(tr.body.items).toEqual([
      expect.objectContaining({
        hubCode: 'BX-TV',
        passengersChecked: 200,
        installedOnSite: 30,
        refused: 5,
        installedShare: 150 / 200,
        headName: 'Lê Văn Bến',
      }),
    ]);
  });

  it('renders the daily report in Vietnamese (HTML) and English (Markdown)', async () => {
    const vi = await http(svc, 'GET', `/v1/daily-report?date=${D}`, { key: analystKey });
    expect(vi.status).toBe(200);
    expect(vi.headers.get('content-type')).toContain('text/html');
    expect(vi.text).toContain('Báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày 21/08/2020');
    expect(vi.text).toContain('30,00%');
    expect(vi.text).toContain('Không đạt');
    expect(vi.text).toContain('Huyện Càng Long');
    expect(vi.text).toContain('6,78%'); // what changed since the day before
    const en = await http(svc, 'GET', `/v1/daily-report?date=${D}&lang=en&format=md`, { key: analystKey });
    expect(en.status).toBe(200);
    expect(en.headers.get('content-type')).toContain('text/markdown');
    expect(en.text).toMatch(/^# Bluezone installation report for 21\/08\/2020/);
    expect(en.text).toContain('| Rank | Unit |');
    expect(en.text).toContain('30.00%');
    expect(en.text).toContain('Breached');
  });

  it("lists the daily report's units below target under each target in turn, the target named once above them", async () => {
    const md = (await http(svc, 'GET', `/v1/daily-report?date=${D}&format=md`, { key: analystKey })).text;
    const s5 = md.slice(md.indexOf('## 5\\.'), md.indexOf('## 6\\.'));
    expect(s5).toContain('### 5\\.1. Chỉ tiêu “Người dân cài đặt 50%”');
    expect(s5).toMatch(/\d+ đơn vị chưa đạt chỉ tiêu này:/);
    expect(s5).toContain('| Đơn vị | Người đứng đầu | Chịu trách nhiệm trước | Kết quả | Số người cần cài thêm | Tình trạng |');
    const row = s5.split('\n').find((l) => l.startsWith('| Huyện Càng Long |'));
    expect(row).toBeDefined();
    expect(row).not.toContain('Người dân cài đặt 50%');
  });

  it("names the districts' heads in the daily report with their contacts in full, as the laggards, and records the read", async () => {
    const before = (await http(svc, 'GET', '/v1/contact-access', { key: adminKey })).body.total as number;
    const md = await http(svc, 'GET', `/v1/daily-report?date=${D}&format=md`, { key: analystKey });
    expect(md.status).toBe(200);
    // The districts' ranking (section 4): Càng Long's head with phone and e-mail as entered, not masked.
    const row = md.text.split('\n').find((l) => l.includes('Huyện Càng Long') && l.includes('Trưởng 844'));
    expect(row).toContain('0912 345 844');
    expect(row).toContain('truong.844@travinh.example');
    expect(md.text).not.toContain('0912 *** *44');
    const record = await http(svc, 'GET', '/v1/contact-access?limit=1', { key: adminKey });
    expect(record.body.total).toBe(before + 1);
    expect(record.body.items[0]).toMatchObject({ role: 'analyst', route: `GET /v1/daily-report?date=${D}&format=md` });
    expect(record.body.items[0].unitCodes).toContain('844');
  });

  it('answers unknown units 404 and impossible dates, bad filters and sorts 400, as problem+json', async () => {
    const cases: Array<[string, number, string]> = [
      ['/v1/units/NOPE', 404, 'code'],
      [`/v1/units?parent=NOPE&date=${D}`, 404, 'parent'],
      ['/v1/timeseries?unit=NOPE', 404, 'unit'],
      ['/v1/targets/NOPE/statuses', 404, 'id'],
      ['/v1/summary?date=2020-02-30', 400, 'date'],
      ['/v1/units?date=2020-13-01', 400, 'date'],
      ['/v1/units?type=planet', 400, 'type'],
      ['/v1/units?cohort=aliens', 400, 'cohort'],
      ['/v1/units?sort=bogus', 400, 'sort'],
      ['/v1/units?limit=0', 400, 'limit'],
      ['/v1/units?color=red', 400, 'color'],
      ['/v1/laggards?sort=height', 400, 'sort'],
      ['/v1/timeseries', 400, 'unit'],
      ['/v1/timeseries?unit=84&from=2020-08-22&to=2020-08-01', 400, 'from'],
      ['/v1/daily-report?lang=fr', 400, 'lang'],
      ['/v1/activity-compliance?kind=dancing', 400, 'kind'],
    ];
    for (const [path, statusCode, field] of cases) {
      const res = await http(svc, 'GET', path, { key: analystKey });
      expect({ path, status: res.status }).toEqual({ path, status: statusCode });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // The first day there is: its 90 days of history and its day before are no dates PostgreSQL reads (a 500, found by the fuzz suite).
    for (const path of ['/v1/units/84?date=0001-01-01', '/v1/daily-report?date=0001-01-01&format=md'])
      expect({ path, status: (await http(svc, 'GET', path, { key: analystKey })).status }).toEqual({ path, status: 200 });
    // The last day there is: the day after it has a five-digit year, which sorts before it as a string (the daily report's
    // days were counted that way and never ended: the process grew an array until it died, found by the fuzz suite).
    for (const path of ['/v1/daily-report?date=9999-12-31&format=md', '/v1/daily-report?date=9999-12-31&format=docx', '/?date=9999-12-31'])
      expect({ path, status: (await http(svc, 'GET', path, { key: analystKey })).status }).toEqual({ path, status: 200 });
  });

  it('lets analysts read everything, portal keys only their subtree, and nobody without a key', async () => {
    expect((await http(svc, 'GET', `/v1/units/844?date=${D}`, { key: portalKey })).status).toBe(200);
    expect((await http(svc, 'GET', `/v1/units/29266?date=${D}`, { key: portalKey })).status).toBe(200);
    expect((await http(svc, 'GET', `/v1/units/845?date=${D}`, { key: portalKey })).status).toBe(403);
    const list = await http(svc, 'GET', `/v1/units?date=${D}&type=district`, { key: portalKey });
    expect(list.body.items.map((r: { code: string }) => r.code)).toEqual(['844']);
    expect((await http(svc, 'GET', `/v1/summary?date=${D}`, { key: portalKey })).status).toBe(403);
    expect((await http(svc, 'GET', `/v1/summary?date=${D}`, { key: null })).status).toBe(401);
  });

  it('keeps documented tables analysts can query through a read-only role, and shows its lag on /metrics', async () => {
    const ds = svc.app.get(DataSource);
    const [priv] = await ds.query(
      `SELECT has_schema_privilege('bz_analyst', 'compliance_read', 'USAGE') AS usage,
              has_table_privilege('bz_analyst', 'compliance_read.figures', 'SELECT') AS sel,
              has_table_privilege('bz_analyst', 'compliance_read.figures', 'INSERT') AS ins`,
    );
    expect(priv).toEqual({ usage: true, sel: true, ins: false });
    const [roster] = await ds.query(`SELECT headcount, installed FROM compliance_read.roster_imports WHERE enterprise_code = 'DN-1'`);
    expect(roster).toEqual({ headcount: 50, installed: 40 });
    const metrics = await http(svc, 'GET', '/metrics');
    expect(metrics.text).toMatch(/bz_projection_last_event_occurred_timestamp_seconds\{projection="compliance"\} \d/);
    expect(metrics.text).toContain('bz_consumer_lag_messages{consumer="compliance-projection"}');
  });

  it('rebuilds into a fresh generation and switches to it, answering byte for byte the same', async () => {
    const paths = [
      `/v1/summary?date=${D}`,
      `/v1/units?date=${D}&type=district&sort=populationRate`,
      `/v1/units?date=${D}&type=district&format=csv`,
      `/v1/units/84?date=${D}`,
      `/v1/units/844?date=${D}`,
      `/v1/laggards?date=${D}`,
      `/v1/targets/T50/statuses?date=${D}`,
      `/v1/timeseries?unit=84&from=2020-08-18&to=2020-08-22`,
      `/v1/support-coverage?date=${D}`,
      `/v1/activity-compliance?date=${D}`,
      `/v1/transport?date=${D}`,
      `/v1/daily-report?date=${D}`,
      `/v1/daily-report?date=${D}&lang=en&format=md`,
    ];
    const before = await Promise.all(paths.map((p) => http(svc, 'GET', p, { key: analystKey })));
    const result = await rebuildCompliance({
      databaseUrl: svc.databaseUrl,
      natsUrl: natsUrl(),
      namespace: svc.namespace,
      schema: 'compliance',
      timeoutMs: 30_000,
    });
    expect(result).toMatchObject({ previous: 1, generation: 2 });
    const after = await Promise.all(paths.map((p) => http(svc, 'GET', p, { key: analystKey })));
    // The style nonce of an HTML page is new on every answer, by design; everything else is the same.
    const content = (text: string) => text.replace(/ nonce="[^"]+"/g, ' nonce=""');
    for (const [i, p] of paths.entries()) {
      expect({ p, text: content(after[i].text) }).toEqual({ p, text: content(before[i].text) });
      expect(after[i].headers.get('x-as-of-event')).toBe(before[i].headers.get('x-as-of-event'));
    }
    // The live consumer now writes into the new generation.
    await rates.publish(
      FigureUpdatedV1,
      '845',
      figure('845', 'residents', '2020-08-22', { population: 10, smartphoneHolders: 10, installed: 9, bluetoothOn: 9 }),
    );
    await settle(svc);
    const unit = await http(svc, 'GET', `/v1/units/845?date=2020-08-22`, { key: analystKey });
    expect(unit.body.figures[0]).toMatchObject({ date: '2020-08-22', installed: 9, populationRate: 0.9 });
    const [{ generation }] = await svc.app.get(DataSource).query(`SELECT generation FROM projection_pointer`);
    expect(generation).toBe(2);
  }, 60_000);

  function f844() {
    return districtFigure(DISTRICTS.findIndex((d) => d.code === '844'));
  }
});
