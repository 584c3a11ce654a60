import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  FigureUpdatedV1,
  subjectOf,
  TargetSetV1,
  TargetStatusChangedV1,
  TargetStatusWithdrawnV1,
  type Cohort,
  type FigureUpdatedV1Data,
  type TargetStatus,
} from '@app/contracts';
import { makeEvent } from '@app/persistence';
import type { Principal } from '@app/platform';
import { natsUrl } from '@test/support/int-env';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { addDays, rankWorstFirst, STANDING_LABELS, statusSeverity } from '@app/domain';
import { revealsContacts } from '../common/contacts';
import { toFigure, type Figure } from '../common/figures';
import { paginate, sortOptions, sortRows } from '../common/listing';
import { figuresOf, ReadModelService } from '../common/read-model.service';
import { figureData, statusData } from '../../test/rates-events';
import { complianceService } from '../main';
import { standing, type UnitStatusRow } from './analytics-rows';
import { AnalyticsService } from './analytics.service';
import { TIMESERIES_SORT_KEYS, type LaggardsQueryDto, type TargetStatusesQueryDto, type UnitsQueryDto } from './dto/analytics-query.dto';

const D = '2020-08-21';
const D0 = '2020-08-19';

/**
 * The read paths answer from the units they are about (children, a unit, the statuses of a target). The
 * whole-snapshot computation (ReadModelService.loadSnapshot and the row builders, still used by the
 * dashboard and the daily report) is the reference: every list must come out the same, row for row.
 */
describe('compliance analytics: narrow read paths agree with the whole snapshot', () => {
  let svc: RunningService;
  let registry: EventInjector;
  let rates: EventInjector;
  let raw: NatsConnection;
  let analystKey: string;
  let portal901: string;
  let portal9011: string;

  const figure = (orgUnitCode: string, cohort: Cohort, date: string, c: Partial<FigureUpdatedV1Data>) =>
    rates.publish(FigureUpdatedV1, orgUnitCode, figureData(orgUnitCode, cohort, date, c));
  const thresholdOf = (targetId: string) => (targetId === 'R50' ? 0.5 : 1);
  const status = (targetId: string, code: string, date: string, s: TargetStatus, value: number | null, gap: number) =>
    rates.publish(TargetStatusChangedV1, code, statusData(targetId, code, date, s, value, thresholdOf(targetId), gap));

  beforeAll(async () => {
    svc = await startService(complianceService);
    registry = await EventInjector.open(svc.namespace, 'registry');
    rates = await EventInjector.open(svc.namespace, 'rates');
    raw = await connect({ servers: natsUrl() });

    // An inactive province with a smaller code than the live one: the summary is about the live one.
    await registry.unit({ code: '09', type: 'province', name: 'Tỉnh cũ', level: 1, active: false });
    await registry.unit({
      code: '90',
      type: 'province',
      name: 'Tỉnh mới',
      level: 1,
      head: { name: 'Chủ tịch', title: 'Chủ tịch UBND tỉnh' },
    });
    for (const [code, name] of [
      ['901', 'Huyện Ánh'],
      ['902', 'Huyện Bình'],
      ['903', 'Huyện Châu'],
    ]) {
      await registry.unit({
        code,
        type: 'district',
        name,
        level: 2,
        adminParentCode: '90',
        accountableToCode: '90',
        head: { name: `Trưởng ${code}`, title: 'Chủ tịch UBND huyện' },
      });
    }
    for (const [code, parent, name] of [
      ['9011', '901', 'Xã Đông'],
      ['9012', '901', 'Xã Tây'],
      ['9013', '901', 'Xã Nam'],
      ['9014', '901', 'Xã Bắc'],
      ['9021', '902', 'Xã Ấp'],
      ['9022', '902', 'Xã Ân'],
    ]) {
      await registry.unit({ code, type: 'commune', name, level: 3, adminParentCode: parent, accountableToCode: parent });
    }
    await registry.unit({
      code: '9031',
      type: 'commune',
      name: 'Xã Cũ',
      level: 3,
      adminParentCode: '903',
      accountableToCode: '903',
      active: false,
    });
    // In 901's subtree only through the accountability tree.
    await registry.unit({
      code: 'SCH1',
      type: 'school',
      name: 'Trường Đông',
      accountableToCode: '9011',
      head: { name: 'Hiệu trưởng', title: 'Hiệu trưởng' },
    });
    await registry.unit({ code: 'SCH2', type: 'school', name: 'Trường Ấp', accountableToCode: '9021' });
    await registry.unit({ code: 'DEP1', type: 'department', name: 'Sở', accountableToCode: '90' });
    await registry.publish(TargetSetV1, 'R50', {
      targetId: 'R50',
      name: 'Dân 50%',
      metric: 'resident_rate',
      cohorts: ['residents'],
      tree: 'administrative',
      scopeUnitTypes: [],
      scopeLevels: [],
      threshold: 0.5,
      deadline: '2020-08-20',
      campaignStart: null,
      reportingWindowDays: 7,
      revision: 1,
    });
    await registry.publish(TargetSetV1, 'S100', {
      targetId: 'S100',
      name: 'Cán bộ 100%',
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
    portal901 = await registry.key('portal', '901');
    portal9011 = await registry.key('portal', '9011');

    // Residents: ties in the install rate (9011, 9012), a unit without population (9013: null rates), one without a figure (9014).
    await figure('90', 'residents', D, { population: 10_000, smartphoneHolders: 6_000, installed: 2_000, bluetoothOn: 1_000 });
    await figure('90', 'staff', D, { headcount: 100, smartphoneHolders: 90, installed: 80, bluetoothOn: 70 });
    for (const [code, pop, holders, installed] of [
      ['901', 4_000, 2_400, 1_500],
      ['902', 3_000, 1_800, 400],
      ['903', 3_000, 1_800, 100],
      ['9011', 1_000, 600, 300],
      ['9012', 1_000, 600, 300],
      ['9021', 1_500, 900, 200],
      ['9022', 1_500, 900, 800],
    ] as Array<[string, number, number, number]>) {
      await figure(code, 'residents', D0, {
        population: pop,
        smartphoneHolders: holders,
        installed: Math.floor(installed / 2),
        bluetoothOn: 0,
      });
      await figure(code, 'residents', D, {
        population: pop,
        smartphoneHolders: holders,
        installed,
        bluetoothOn: Math.floor(installed / 2),
      });
    }
    await figure('9013', 'residents', D, { headcount: 900, smartphoneHolders: 500, installed: 450, bluetoothOn: 400, population: null });
    await figure('SCH1', 'staff', D, { headcount: 40, smartphoneHolders: 40, installed: 30, bluetoothOn: 20 });
    await figure('SCH2', 'staff', D, { headcount: 30, smartphoneHolders: 30, installed: 30, bluetoothOn: 30 });
    await figure('9011', 'staff', D, { headcount: 20, smartphoneHolders: 20, installed: 5, bluetoothOn: 5 });

    // Statuses with a history: since and previousStatus come from the sequence.
    await status('R50', '90', D0, 'at_risk', 0.1, 4_000);
    await status('R50', '90', D, 'breached', 0.2, 3_000);
    await status('R50', '901', D, 'breached', 0.375, 500);
    await status('R50', '902', D0, 'breached', 0.06, 1_300);
    await status('R50', '902', D, 'breached', 0.13, 1_100);
    await status('R50', '903', D, 'breached', 0.03, 1_400);
    await status('R50', '9011', D0, 'at_risk', 0.15, 350);
    await status('R50', '9011', D, 'breached', 0.3, 200);
    await status('R50', '9012', D0, 'breached', 0.15, 350);
    await status('R50', '9012', D, 'breached', 0.3, 200);
    await status('R50', '9021', D, 'breached', 0.13, 550);
    await status('R50', '9022', D0, 'at_risk', 0.26, 350);
    await status('R50', '9022', D, 'met', 0.53, 0);
    await status('S100', 'SCH1', D, 'at_risk', 0.75, 10);
    await status('S100', 'SCH2', D, 'met', 1, 0);
    await status('S100', '9011', D, 'breached', 0.25, 15);
    await settle(svc);
  }, 60_000);

  afterAll(async () => {
    for (const i of [registry, rates]) await i?.close();
    await raw?.close();
    if (svc) await disposeService(svc);
  });

  const principal = (key: string): Principal =>
    key === analystKey
      ? { keyId: 'a', role: 'analyst', orgUnitCode: null }
      : { keyId: 'p', role: 'portal', orgUnitCode: key === portal901 ? '901' : '9011' };
  const snapshot = (date: string) => svc.app.get(ReadModelService).snapshot(date);
  const analytics = () => svc.app.get(AnalyticsService);
  const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

  it('lists units (children, types, levels, statuses; every sort; pages) exactly as the whole snapshot does', async () => {
    const queries: Array<[string, UnitsQueryDto]> = [
      [analystKey, { parent: '901', sort: 'installRate' }],
      [analystKey, { parent: '901', sort: '-installRate' }],
      [analystKey, { parent: '901', sort: 'populationRate', limit: 2, offset: 1 }],
      [analystKey, { parent: '901', sort: '-name' }],
      [analystKey, { parent: '901', sort: 'status' }],
      [analystKey, { parent: '901', sort: '-gap' }],
      [analystKey, { parent: '90', sort: 'value' }],
      [analystKey, { parent: '90', tree: 'accountability', cohort: 'staff', sort: 'installed' }],
      [analystKey, { parent: '9011', tree: 'accountability', cohort: 'staff' }],
      [analystKey, { parent: '903' }],
      [analystKey, { type: 'commune', sort: 'value' }],
      [analystKey, { type: 'commune', status: 'breached', sort: '-code' }],
      [analystKey, { type: 'school', target: 'S100', sort: 'status' }],
      [analystKey, { level: 3, sort: 'name', limit: 3, offset: 2 }],
      [analystKey, { sort: 'bluetoothRate' }],
      [analystKey, { type: 'province' }],
      [portal901, { type: 'commune', sort: 'installRate' }],
      [portal901, { type: 'school', cohort: 'staff' }],
      [portal901, { sort: 'name' }],
      [portal901, { parent: '902' }],
      [portal9011, { sort: 'code' }],
      [portal9011, { parent: '901' }],
      // Every sort the database orders by itself, both ways, with pages.
      ...(
        ['code', 'name', 'level', 'headcount', 'smartphoneHolders', 'installed', 'bluetoothOn', 'installRate', 'bluetoothRate'] as const
      ).flatMap((k): Array<[string, UnitsQueryDto]> => [
        [analystKey, { sort: k }],
        [analystKey, { sort: `-${k}`, limit: 3, offset: 1 }],
      ]),
      ...(['population', 'populationRate', 'reportingUnits'] as const).flatMap((k): Array<[string, UnitsQueryDto]> => [
        [analystKey, { type: 'commune', sort: k }],
        [analystKey, { parent: '90', sort: `-${k}` }],
      ]),
      [analystKey, { parent: '90', sort: 'name' }],
      [portal901, { sort: '-installRate', limit: 2, offset: 2 }],
    ];
    for (const [key, q] of queries) {
      const params = new URLSearchParams({ date: D, ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) });
      const res = await http(svc, 'GET', `/v1/units?${params}`, { key });
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
      const s = await snapshot(D);
      const p = principal(key);
      const reference = paginate(
        analytics().unitRows(s, q, analytics().visible(s, p), undefined, revealsContacts(p)),
        q.limit ?? 50,
        q.offset ?? 0,
      );
      expect({ q, body: res.body }).toEqual({ q, body: json({ date: D, asOfEvent: s.asOfEvent, ...reference }) });
    }
    // Pages of two, read one after the other, make the whole list.
    const whole = await http(svc, 'GET', `/v1/units?date=${D}&sort=-installRate&limit=100`, { key: analystKey });
    const pages: unknown[] = [];
    for (let offset = 0; offset < (whole.body as { total: number }).total; offset += 2)
      pages.push(
        ...(await http(svc, 'GET', `/v1/units?date=${D}&sort=-installRate&limit=2&offset=${offset}`, { key: analystKey })).body.items,
      );
    expect(pages.length).toBeGreaterThan(4);
    expect(pages).toEqual(whole.body.items);
    // What the portal scope means, spelled out: the district, its communes, the school answering to one of them.
    const scoped = await http(svc, 'GET', `/v1/units?date=${D}&sort=code&limit=100`, { key: portal901 });
    expect(scoped.body.items.map((r: { code: string }) => r.code)).toEqual(['901', '9011', '9012', '9013', '9014', 'SCH1']);
    const other = await http(svc, 'GET', `/v1/units?date=${D}&parent=902`, { key: portal901 });
    expect(other.body).toMatchObject({ total: 0, items: [] });
  });

  it('answers first reads of many parents at once in shared statements, each with its own page (an unknown parent a 404 of its own)', async () => {
    // A day no read has asked about: nothing kept for it, every read below a miss.
    const day = addDays(D, 1);
    const s = await snapshot(day);
    const p = principal(analystKey);
    const reads = jest.spyOn(svc.app.get(ReadModelService), 'readOne');
    const queries: UnitsQueryDto[] = ['90', '901', '902', '903', 'NOPE', '9011'].flatMap((parent) => [
      { parent, sort: '-installRate' },
      { parent, sort: 'name', limit: 2, offset: 1 },
      { parent, tree: 'accountability' },
    ]);
    // Called at once, as a hundred readers' requests arrive: more than the statements run at once for one filter.
    const answers = await Promise.allSettled(
      queries.map((q) =>
        analytics().units(q, day, { principal: p, route: 'GET /v1/units', lang: 'vi' }, { limit: q.limit ?? 50, offset: q.offset ?? 0 }),
      ),
    );
    const parentsRead = reads.mock.calls.map(([, params]) => params.find((v) => Array.isArray(v)) as string[]);
    reads.mockRestore();
    queries.forEach((q, i) => {
      const a = answers[i];
      if (q.parent === 'NOPE') return expect({ q, a }).toMatchObject({ q, a: { status: 'rejected', reason: { status: 404 } } });
      const reference = paginate(analytics().unitRows(s, q, null, undefined, revealsContacts(p)), q.limit ?? 50, q.offset ?? 0);
      const body = a.status === 'fulfilled' ? (JSON.parse(a.value.json().toString()) as unknown) : a.reason;
      expect({ q, body }).toEqual({ q, body: json({ date: day, asOfEvent: s.asOfEvent, ...reference }) });
    });
    expect(answers.filter((a) => a.status === 'fulfilled' && a.value.page.total > 0).length).toBeGreaterThan(6);
    // Fewer statements than pages: the reads that came while their filter's statements were running went together.
    expect(parentsRead.flat().sort()).toEqual(queries.map((q) => q.parent).sort());
    expect(parentsRead.length).toBeLessThan(queries.length);
    expect(parentsRead.some((parents) => parents.length > 1)).toBe(true);
  });

  it('sorts and pages time series in the database exactly as sorting the figures held each day would, for every sort', async () => {
    const from = addDays(D0, -2);
    const to = addDays(D, 2);
    const keys = {
      date: (f: Figure) => f.date,
      installRate: (f: Figure) => f.installRate,
      bluetoothRate: (f: Figure) => f.bluetoothRate,
      populationRate: (f: Figure) => f.populationRate,
      installed: (f: Figure) => f.installed,
    };
    for (const unit of ['9011', '9013', '90']) {
      // The reference: each day's whole snapshot gives the figures holding that day.
      const held: Figure[] = [];
      for (let day = from; day <= to; day = addDays(day, 1)) {
        for (const f of figuresOf(await snapshot(day), unit)) held.push(toFigure({ ...f, date: day }));
      }
      expect(held.length).toBeGreaterThanOrEqual(3);
      for (const sort of [undefined, ...sortOptions(TIMESERIES_SORT_KEYS)]) {
        const params = new URLSearchParams({ unit, from, to, ...(sort ? { sort } : {}) });
        const res = await http(svc, 'GET', `/v1/timeseries?${params}`, { key: analystKey });
        const expected = sortRows(held, sort, keys, (f) => `${f.date}|${f.cohort}|${f.tree}`);
        expect({ unit, sort, body: res.body }).toMatchObject({ unit, sort, body: { total: expected.length, items: json(expected) } });
        // Pages of three, read one after the other, make the whole list.
        const pages: unknown[] = [];
        for (let offset = 0; offset < expected.length; offset += 3) {
          const page = await http(svc, 'GET', `/v1/timeseries?${params}&limit=3&offset=${offset}`, { key: analystKey });
          pages.push(...(page.body as { items: unknown[] }).items);
        }
        expect({ unit, sort, pages }).toEqual({ unit, sort, pages: json(expected) });
      }
    }
  });

  it('shows one unit as the whole snapshot does: parents, children on both trees, targets with since and previous status', async () => {
    for (const code of ['90', '901', '9011', 'SCH1', '9031', '09']) {
      const res = await http(svc, 'GET', `/v1/units/${code}?date=${D}`, { key: analystKey });
      expect({ code, status: res.status }).toEqual({ code, status: 200 });
      const s = await snapshot(D);
      const u = s.units.get(code)!;
      expect({ code, figures: res.body.figures }).toEqual({ code, figures: json(figuresOf(s, code).map(toFigure)) });
      expect({ code, targets: res.body.targets }).toEqual({
        code,
        targets: json(
          s.targets.map((t) => {
            const st = standing(s, t, code);
            return {
              targetId: t.targetId,
              name: t.nameVi,
              threshold: t.threshold,
              deadline: t.deadline,
              ...st,
              statusLabel: STANDING_LABELS.vi[st.standing],
            };
          }),
        ),
      });
      expect(res.body.accountableTo?.code ?? null).toBe(
        u.accountableToCode && s.units.has(u.accountableToCode) ? u.accountableToCode : null,
      );
      expect(res.body.adminParent?.code ?? null).toBe(u.adminParentCode && s.units.has(u.adminParentCode) ? u.adminParentCode : null);
      const kids = [...s.units.values()].filter((c) => c.adminParentCode === code || c.accountableToCode === code).map((c) => c.code);
      expect(
        [...res.body.children.administrative, ...res.body.children.accountability].map((c: { code: string }) => c.code).sort(),
      ).toEqual(
        [
          ...[...s.units.values()].filter((c) => c.adminParentCode === code),
          ...[...s.units.values()].filter((c) => c.accountableToCode === code),
        ]
          .map((c) => c.code)
          .sort(),
      );
      expect(kids.every((k) => s.units.has(k))).toBe(true);
    }
    const commune = await http(svc, 'GET', `/v1/units/9011?date=${D}`, { key: analystKey });
    expect(commune.body.children.accountability.map((c: { code: string }) => c.code)).toEqual(['SCH1']);
    expect(commune.body.targets).toEqual([
      expect.objectContaining({ targetId: 'R50', status: 'breached', since: D, previousStatus: 'at_risk', value: 0.3 }),
      expect.objectContaining({ targetId: 'S100', status: 'breached', since: D, value: 0.25, gap: 15 }),
    ]);
    const unchanged = await http(svc, 'GET', `/v1/units/9012?date=${D}`, { key: analystKey });
    expect(unchanged.body.targets[0]).toMatchObject({ status: 'breached', since: D0, previousStatus: null });
    expect((await http(svc, 'GET', `/v1/units/SCH1?date=${D}`, { key: portal901 })).status).toBe(200);
    expect((await http(svc, 'GET', `/v1/units/SCH2?date=${D}`, { key: portal901 })).status).toBe(403);
  });

  it('lists laggards and target statuses exactly as the whole snapshot does, for analysts and portal keys', async () => {
    const laggards: Array<[string, LaggardsQueryDto]> = [
      [analystKey, {}],
      [analystKey, { target: 'R50', type: 'commune' }],
      [analystKey, { sort: '-gap', limit: 3, offset: 1 }],
      [analystKey, { status: 'at_risk' }],
      [portal901, {}],
      [portal9011, { sort: 'name' }],
    ];
    for (const [key, q] of laggards) {
      const params = new URLSearchParams({ date: D, ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) });
      const res = await http(svc, 'GET', `/v1/laggards?${params}`, { key });
      const s = await snapshot(D);
      const p = principal(key);
      const reference = paginate(
        analytics().laggardRows(s, q, analytics().visible(s, p), revealsContacts(p)),
        q.limit ?? 50,
        q.offset ?? 0,
      );
      expect({ q, body: res.body }).toEqual({ q, body: json({ date: D, asOfEvent: s.asOfEvent, ...reference }) });
    }
    const statuses: Array<[string, string, TargetStatusesQueryDto]> = [
      [analystKey, 'R50', {}],
      [analystKey, 'R50', { sort: 'since', type: 'commune' }],
      [analystKey, 'S100', { status: 'met' }],
      [portal901, 'R50', { sort: '-value' }],
      [portal901, 'S100', {}],
    ];
    for (const [key, id, q] of statuses) {
      const params = new URLSearchParams({ date: D, ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) });
      const res = await http(svc, 'GET', `/v1/targets/${id}/statuses?${params}`, { key });
      const s = await snapshot(D);
      const t = s.targets.find((x) => x.targetId === id)!;
      const p = principal(key);
      const all = analytics().statusRows(s, t, q, analytics().visible(s, p), false, revealsContacts(p));
      const rows = q.sort
        ? sortRows(
            all,
            q.sort,
            {
              code: (r: UnitStatusRow) => r.orgUnitCode,
              name: (r) => r.name,
              status: (r) => statusSeverity(r.status),
              value: (r) => r.value,
              gap: (r) => r.gap,
              since: (r) => r.since,
            },
            (r) => r.orgUnitCode,
          )
        : rankWorstFirst(all.map((row) => ({ ...row, code: row.orgUnitCode, row }))).map((x) => x.row);
      expect({ id, q, body: res.body }).toEqual({
        id,
        q,
        body: json({
          date: D,
          asOfEvent: s.asOfEvent,
          targetId: t.targetId,
          name: t.nameVi,
          nameVi: t.nameVi,
          nameEn: t.nameEn,
          threshold: t.threshold,
          deadline: t.deadline,
          ...paginate(rows, 50, 0),
        }),
      });
    }
    const mine = await http(svc, 'GET', `/v1/targets/S100/statuses?date=${D}`, { key: portal901 });
    expect(mine.body.items.map((r: { orgUnitCode: string }) => r.orgUnitCode).sort()).toEqual(['9011', 'SCH1']);
  });

  it('sums up from the live province, and a new event changes the summary even when it is older than the checkpoint', async () => {
    const summary = async () => {
      const res = await http(svc, 'GET', `/v1/summary?date=${D}`, { key: analystKey });
      expect(res.status).toBe(200);
      const s = await snapshot(D);
      expect(res.body).toEqual(json({ date: D, asOfEvent: s.asOfEvent, targets: analytics().summarize(s) }));
      return res;
    };
    const first = await summary();
    expect(first.body.targets.map((t: { rootUnit: string; unitsBreached: number }) => [t.rootUnit, t.unitsBreached])).toEqual([
      ['90', 7],
      ['90', 1],
    ]);
    expect((await summary()).text).toBe(first.text);

    // An event that occurred before everything applied so far: the checkpoint (and asOfEvent) stays where
    // it was, the answer must not (9013 had no status: now breached).
    const late = makeEvent(TargetStatusChangedV1, 'rates', '9013', statusData('R50', '9013', D, 'breached', null, thresholdOf('R50'), 0), {
      occurredAt: new Date('2020-08-01T00:00:00.000Z'),
    });
    await jetstream(raw).publish(subjectOf(svc.namespace, TargetStatusChangedV1), JSON.stringify(late), { msgID: late.id });
    await settle(svc);
    const afterLate = await summary();
    expect(afterLate.body.asOfEvent).toBe(first.body.asOfEvent);
    expect(afterLate.body.targets[0].unitsBreached).toBe(8);

    // A newer event: 9022 falls back to breached.
    await status('R50', '9022', D, 'breached', 0.45, 75);
    await settle(svc);
    const afterNew = await summary();
    expect(afterNew.body.asOfEvent).not.toBe(first.body.asOfEvent);
    expect(afterNew.body.targets[0].unitsBreached).toBe(9);
    // Another date is its own answer.
    const earlier = await http(svc, 'GET', `/v1/summary?date=${D0}`, { key: analystKey });
    expect(earlier.body.targets[0]).toMatchObject({ rootUnit: '90', status: 'at_risk', unitsBreached: 2 });
  });
  it('takes a withdrawn status as none from its day (the unit merged away): not counted, not shown, its history kept', async () => {
    const summaryOn = async (date: string) => {
      const res = await http(svc, 'GET', `/v1/summary?date=${date}`, { key: analystKey });
      expect(res.status).toBe(200);
      // The whole snapshot (the dashboard's and the daily report's reads) agrees.
      const s = await snapshot(date);
      expect(res.body.targets).toEqual(json(analytics().summarize(s)));
      return res.body.targets[0] as { unitsBreached: number };
    };
    const r50 = async (code: string, date: string) => {
      const res = await http(svc, 'GET', `/v1/units/${code}?date=${date}`, { key: analystKey });
      expect(res.status).toBe(200);
      return (res.body.targets as Array<{ targetId: string; status: string | null; since: string | null }>).find(
        (t) => t.targetId === 'R50',
      )!;
    };
    const breachedOnD = (await summaryOn(D)).unitsBreached;
    const breachedOnD0 = (await summaryOn(D0)).unitsBreached;
    expect(await r50('9012', D)).toMatchObject({ status: 'breached', since: D0 });
    // 9012 merges into a neighbour on D: rates empties its figure and withdraws its status from that day.
    await figure('9012', 'residents', D, { headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0, population: null });
    await rates.publish(TargetStatusWithdrawnV1, '9012', { targetId: 'R50', orgUnitCode: '9012', date: D, previousStatus: 'breached' });
    await settle(svc);
    expect((await summaryOn(D)).unitsBreached).toBe(breachedOnD - 1);
    expect((await summaryOn(D0)).unitsBreached).toBe(breachedOnD0);
    // Its page holds no status from rates any more: what its (empty) figure says, no data, since no day.
    expect(await r50('9012', D)).toMatchObject({ status: 'no_data', since: null, previousStatus: null });
    expect(await r50('9012', D0)).toMatchObject({ status: 'breached', since: D0 });
    // Its district's children and the target's list no longer show it with a status on D.
    const children = await http(svc, 'GET', `/v1/units?parent=901&date=${D}`, { key: analystKey });
    const row = children.body.items.find((u: { code: string }) => u.code === '9012');
    expect(JSON.stringify(row)).not.toContain('breached');
    const listed = await http(svc, 'GET', `/v1/targets/R50/statuses?date=${D}`, { key: analystKey });
    expect(listed.body.items.map((r: { orgUnitCode: string }) => r.orgUnitCode)).not.toContain('9012');
    // Given one again later (the merger undone), it counts from that day, its status since then.
    const D1 = addDays(D, 1);
    await status('R50', '9012', D1, 'breached', 0.35, 150);
    await settle(svc);
    expect(await r50('9012', D1)).toMatchObject({ status: 'breached', since: D1, previousStatus: null });
    expect(await r50('9012', D)).toMatchObject({ status: 'no_data', since: null });
    expect((await summaryOn(D1)).unitsBreached).toBe(breachedOnD);
  });
});
