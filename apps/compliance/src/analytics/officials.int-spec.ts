import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { ReportAcceptedV1, TargetSetV2, TargetStatusChangedV1, type TargetStatus } from '@app/contracts';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { statusData } from '../../test/rates-events';
import { complianceService } from '../main';

const DEADLINE = '2020-08-30';
const EVE = '2020-08-29';
const AFTER = '2020-08-31';
/** A day the reporting window made (statuses restated when it lapsed), after the last report. */
const WINDOW_DAY = '2020-09-05';

/**
 * What officials see of one target around its deadline (issue 16): due today with the units and people
 * short, breached the day after, each target's laggards worst first with their heads, parents and since
 * when, units not reporting, filters, names in both languages, heads' contacts masked but for admins and
 * analysts, and every full read recorded.
 */
describe('compliance: what officials see on the deadline day', () => {
  let svc: RunningService;
  let registry: EventInjector;
  let rates: EventInjector;
  let intake: EventInjector;
  let adminKey: string;
  let analystKey: string;
  let portalFederation: string;

  const status = (code: string, date: string, s: TargetStatus, value: number | null, gap: number) =>
    rates.publish(TargetStatusChangedV1, code, statusData('M100', code, date, s, value, 1, gap));
  const get = async (path: string, key: string, headers: Record<string, string> = {}) => {
    const res = await http(svc, 'GET', path, { key, headers });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body;
  };

  beforeAll(async () => {
    svc = await startService(complianceService);
    registry = await EventInjector.open(svc.namespace, 'registry');
    rates = await EventInjector.open(svc.namespace, 'rates');
    intake = await EventInjector.open(svc.namespace, 'intake');
    const head = (name: string, phone: string | null, email: string | null) => ({ name, title: 'Chủ tịch', phone, email });
    await registry.unit({
      code: 'TV',
      name: 'Tỉnh Trà Vinh',
      type: 'province',
      level: 1,
      head: head('Chủ tịch tỉnh', '+842943862123', null),
    });
    await registry.unit({
      code: 'LDLD',
      name: 'Liên đoàn Lao động tỉnh',
      type: 'mass_org',
      bloc: 'front',
      accountableToCode: 'TV',
      head: head('Nguyễn Văn Lao', '+84912345678', 'lao@travinh.example'),
    });
    await registry.unit({
      code: 'HND',
      name: 'Hội Nông dân tỉnh',
      type: 'mass_org',
      bloc: 'front',
      accountableToCode: 'TV',
      head: head('Trần Thị Nông', '+84987654321', 'nong@travinh.example'),
    });
    await registry.unit({ code: 'SGD', name: 'Sở Giáo dục và Đào tạo', type: 'department', bloc: 'state', accountableToCode: 'TV' });
    await registry.unit({
      code: 'THPT',
      name: 'Trường THPT Phạm Thái Bường',
      type: 'school',
      accountableToCode: 'SGD',
      head: head('Hiệu trưởng', null, null),
    });
    await registry.unit({
      code: 'E1',
      name: 'Công ty May Trà Vinh',
      type: 'enterprise',
      accountableToCode: 'LDLD',
      head: head('Giám đốc E1', '+84901234567', null),
    });
    await registry.unit({ code: 'E2', name: 'Công ty Thủy sản', type: 'enterprise', accountableToCode: 'LDLD' });
    await registry.unit({
      code: 'SILENT',
      name: 'Công ty Im Lặng',
      type: 'enterprise',
      accountableToCode: 'LDLD',
      head: head('Lê Văn Im', '+84911111111', null),
    });
    await registry.publish(TargetSetV2, 'M100', {
      targetId: 'M100',
      nameVi: '100% cán bộ, hội viên, người lao động bật Bluetooth đến ngày 30/8/2020',
      nameEn: '100% of staff, members and workers with Bluetooth on by 30/08/2020',
      metric: 'bluetooth_rate',
      cohorts: ['staff', 'students', 'association_members', 'enterprise_workers'],
      tree: 'accountability',
      scopeUnitTypes: [],
      scopeLevels: [],
      threshold: 1,
      deadline: DEADLINE,
      campaignStart: '2020-08-21',
      reportingWindowDays: 7,
      revision: 1,
    });
    adminKey = await registry.key('admin', null);
    analystKey = await registry.key('analyst', null);
    portalFederation = await registry.key('portal', 'LDLD');

    // The eve of the deadline, as rates judges it; on the deadline rates restates the short units at risk.
    for (const date of [EVE, DEADLINE]) {
      await status('E1', date, 'at_risk', 0.74, 31);
      await status('HND', date, 'at_risk', 0.87, 52);
      await status('THPT', date, 'at_risk', 0.91, 9);
      await status('LDLD', date, 'at_risk', 0.9, 33);
      await status('SGD', date, 'at_risk', 0.93, 9);
      await status('TV', date, 'at_risk', 0.95, 94);
    }
    await status('E2', EVE, 'met', 1, 0);
    await status('SILENT', '2020-08-21', 'no_data', null, 0);
    for (const code of ['E1', 'HND', 'THPT', 'LDLD', 'SGD', 'TV']) {
      const value = { E1: 0.74, HND: 0.87, THPT: 0.91, LDLD: 0.9, SGD: 0.93, TV: 0.95 }[code]!;
      await status(code, AFTER, 'breached', value, 1);
    }
    await status('SILENT', WINDOW_DAY, 'no_data', null, 0);
    // The last report of the campaign.
    await intake.publish(ReportAcceptedV1, 'E1', {
      reportId: randomUUID(),
      orgUnitCode: 'E1',
      cohort: 'enterprise_workers',
      asOf: EVE,
      revision: 1,
      submittedAt: '2020-08-29T09:00:00.000Z',
      headcount: 150,
      smartphoneHolders: 120,
      installed: 100,
      bluetoothOn: 89,
    });
    await settle(svc);
  }, 60_000);

  afterAll(async () => {
    for (const i of [registry, rates, intake]) await i?.close();
    if (svc) await disposeService(svc);
  });

  it('on the deadline day the target reads due today, with every unit and person short counted; the day after, breached', async () => {
    const on = await get(`/v1/summary?date=${DEADLINE}`, analystKey);
    expect(on.asOfEvent).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
    expect(on.targets).toEqual([
      expect.objectContaining({
        targetId: 'M100',
        name: '100% cán bộ, hội viên, người lao động bật Bluetooth đến ngày 30/8/2020',
        status: 'at_risk',
        standing: 'due_today',
        statusLabel: 'Đến hạn hôm nay, chưa đạt',
        dueToday: true,
        peopleShort: 94,
        units: 8,
        unitsShort: 6,
        unitsAtRisk: 6,
        unitsBreached: 0,
        unitsNoData: 1,
        unitsMet: 1,
      }),
    ]);
    const after = await get(`/v1/summary?date=${AFTER}`, analystKey);
    expect(after.targets[0]).toMatchObject({ standing: 'breached', dueToday: false, unitsShort: 6, unitsBreached: 6, unitsNoData: 1 });
    const eve = await get(`/v1/summary?date=${EVE}`, analystKey);
    expect(eve.targets[0]).toMatchObject({ standing: 'at_risk', unitsShort: 6, unitsAtRisk: 6 });
  });

  it('answers in English on ?lang=en or Accept-Language', async () => {
    const en = await get(`/v1/summary?date=${DEADLINE}&lang=en`, analystKey);
    expect(en.targets[0]).toMatchObject({
      name: '100% of staff, members and workers with Bluetooth on by 30/08/2020',
      statusLabel: 'Due today, not met',
    });
    const accepted = await get(`/v1/laggards?target=M100&date=${DEADLINE}`, analystKey, { 'accept-language': 'en-GB,en;q=0.9,vi;q=0.5' });
    expect(accepted.items[0]).toMatchObject({ typeLabel: 'Enterprise', statusLabel: 'Due today, not met' });
  });

  it("lists the target's own laggards worst first by the distance to its threshold, with heads, parents and since when", async () => {
    const body = await get(`/v1/laggards?target=M100&date=${DEADLINE}`, analystKey);
    expect(body.items.map((r: { orgUnitCode: string }) => r.orgUnitCode)).toEqual(['E1', 'HND', 'LDLD', 'THPT', 'SGD', 'TV']);
    expect(body.items[0]).toMatchObject({
      targetName: '100% cán bộ, hội viên, người lao động bật Bluetooth đến ngày 30/8/2020',
      name: 'Công ty May Trà Vinh',
      typeLabel: 'Doanh nghiệp',
      status: 'at_risk',
      standing: 'due_today',
      since: EVE,
      value: 0.74,
      gap: 31,
      head: { name: 'Giám đốc E1', title: 'Chủ tịch', phone: '0901 234 567', email: null, contactsMasked: false },
      parent: { code: 'LDLD', name: 'Liên đoàn Lao động tỉnh' },
    });
    const after = await get(`/v1/laggards?target=M100&date=${AFTER}`, analystKey);
    expect(after.items.map((r: { standing: string }) => r.standing)).toEqual(Array(6).fill('breached'));
    expect(after.items[0]).toMatchObject({ orgUnitCode: 'E1', since: AFTER, previousStatus: 'at_risk' });
    const csv = await http(svc, 'GET', `/v1/laggards?target=M100&date=${DEADLINE}&format=csv`, { key: analystKey });
    const rows = parse(csv.text, { bom: true, columns: true }) as Array<{ orgUnitCode: string; headPhone: string }>;
    expect(rows.map((r) => r.orgUnitCode)).toEqual(['E1', 'HND', 'LDLD', 'THPT', 'SGD', 'TV']);
    expect(rows[0].headPhone).toBe('0901 234 567');
  });

  it('names the units that should report and have not (status=no_data), with their heads', async () => {
    const body = await get(`/v1/laggards?status=no_data&date=${DEADLINE}`, analystKey);
    expect(body.items).toEqual([
      expect.objectContaining({
        orgUnitCode: 'SILENT',
        standing: 'no_data',
        statusLabel: 'Chưa báo cáo',
        head: expect.objectContaining({ name: 'Lê Văn Im' }),
      }),
    ]);
    const due = await get(`/v1/laggards?status=due_today&date=${DEADLINE}`, analystKey);
    expect(due.total).toBe(6);
    expect((await get(`/v1/laggards?status=due_today&date=${EVE}`, analystKey)).total).toBe(0);
  });

  it('filters by tree, subtree, bloc, level and type', async () => {
    const codes = async (q: string) =>
      (await get(`/v1/laggards?date=${DEADLINE}&${q}`, analystKey)).items.map((r: { orgUnitCode: string }) => r.orgUnitCode);
    expect(await codes('bloc=front')).toEqual(['HND', 'LDLD']);
    expect(await codes('level=1')).toEqual(['TV']);
    expect(await codes('within=LDLD')).toEqual(['E1', 'LDLD']);
    expect(await codes('type=school')).toEqual(['THPT']);
    expect(await codes('tree=administrative')).toEqual([]);
    expect((await http(svc, 'GET', `/v1/laggards?within=NOPE&date=${DEADLINE}`, { key: analystKey })).status).toBe(404);
  });

  it('opens on the latest campaign day with reports, not on a day the reporting window made', async () => {
    const body = await get('/v1/laggards?target=M100', analystKey);
    expect(body.date).toBe(EVE);
  });

  it("masks heads' contacts for a portal key and records every full read, which only admins may list", async () => {
    const before = (await get('/v1/contact-access', adminKey)).total;
    const masked = await get(`/v1/laggards?target=M100&date=${DEADLINE}`, portalFederation);
    expect(masked.items.map((r: { orgUnitCode: string }) => r.orgUnitCode)).toEqual(['E1', 'LDLD']);
    expect(masked.items[0].head).toEqual({
      name: 'Giám đốc E1',
      title: 'Chủ tịch',
      phone: '0901 *** *67',
      email: null,
      contactsMasked: true,
    });
    expect(masked.items[1].head).toMatchObject({ phone: '0912 *** *78', email: 'l***@travinh.example', contactsMasked: true });
    expect((await get('/v1/contact-access', adminKey)).total).toBe(before);

    await get(`/v1/laggards?target=M100&date=${DEADLINE}&format=csv`, analystKey);
    const record = await get('/v1/contact-access?limit=1', adminKey);
    expect(record.total).toBe(before + 1);
    expect(record.items[0]).toMatchObject({
      role: 'analyst',
      keyUnit: null,
      route: `GET /v1/laggards?target=M100&date=${DEADLINE}&format=csv`,
      units: 4,
      unitCodes: ['E1', 'HND', 'LDLD', 'TV'],
    });
    expect(record.items[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
    expect((await http(svc, 'GET', '/v1/contact-access', { key: analystKey })).status).toBe(403);
  });
});
