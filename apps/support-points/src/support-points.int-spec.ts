import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { waitFor } from '@test/support/int-env';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { supportPointsService } from './main';

interface CsvUnit {
  code: string;
  name: string;
  level: string;
  parent_code: string;
}

const UNITS: CsvUnit[] = parse(readFileSync(join(__dirname, '../../../data/tra-vinh-units.csv'), 'utf8'), {
  columns: true,
  skip_empty_lines: true,
});
const COMMUNES = UNITS.filter((u) => u.level === '3');
const communesOf = (district: string) => COMMUNES.filter((u) => u.parent_code === district).map((u) => u.code);

/** The Trà Vinh administrative tree as the registry publishes it, plus the operators of solution 4. */
async function loadTraVinh(events: EventInjector): Promise<void> {
  for (const u of UNITS) {
    const level = Number(u.level);
    const type = level === 1 ? 'province' : level === 2 ? 'district' : 'commune';
    await events.unit({ code: u.code, name: u.name, type, level, adminParentCode: u.parent_code || null });
  }
  await events.unit({ code: 'VNPT-TV', name: 'VNPT Trà Vinh', type: 'telecom', accountableToCode: null });
  await events.unit({ code: 'VIETTEL-TV', name: 'Viettel Trà Vinh', type: 'telecom' });
  await events.unit({ code: 'BUUDIEN-TV', name: 'Bưu điện tỉnh Trà Vinh', type: 'post_office' });
  // A VNPT branch answers to VNPT: the VNPT key manages its points too.
  await events.unit({ code: 'VNPT-TV-CK', name: 'VNPT Cầu Kè', type: 'telecom', accountableToCode: 'VNPT-TV' });
  await events.unit({ code: 'STTTT', name: 'Sở Thông tin và Truyền thông', type: 'department', accountableToCode: '84' });
}

describe('support-points with the Trà Vinh units (real PostgreSQL and NATS)', () => {
  let svc: RunningService;
  let events: EventInjector;
  let ds: DataSource;
  const keys = {} as Record<'vnpt' | 'viettel' | 'post' | 'analyst' | 'portal845' | 'transport', string>;

  const [communeA] = communesOf('842');
  const [communeB, communeB2] = communesOf('844');
  const [communeC] = communesOf('845');

  async function counts(): Promise<{ points: number; periods: number; sessions: number; outbox: number }> {
    const [row] =
      await ds.query(`SELECT (SELECT count(*)::int FROM support_points) AS points, (SELECT count(*)::int FROM support_point_periods) AS periods,
      (SELECT count(*)::int FROM support_sessions) AS sessions, (SELECT count(*)::int FROM outbox) AS outbox`);
    return row;
  }

  async function expectNothingChanged(before: Awaited<ReturnType<typeof counts>>): Promise<void> {
    expect(await counts()).toEqual(before);
  }

  function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, field?: string): void {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  }

  type Answer = Awaited<ReturnType<typeof http>>;
  let scenario: { opened: Answer[]; closed: Answer };
  const openPoint = (id: string, key: string, operator: string, communeCode: string, openedOn: string) =>
    http(svc, 'PUT', `/v1/support-points/${id}`, {
      key,
      body: { operator, communeCode, address: `Điểm hỗ trợ ${id}`, openedOn, hours: '07:30-17:00' },
    });

  beforeAll(async () => {
    svc = await startService(supportPointsService);
    ds = svc.app.get(DataSource);
    events = await EventInjector.open(svc.namespace);
    await loadTraVinh(events);
    keys.vnpt = await events.key('telecom', 'VNPT-TV');
    keys.viettel = await events.key('telecom', 'VIETTEL-TV');
    keys.post = await events.key('telecom', 'BUUDIEN-TV');
    keys.analyst = await events.key('analyst', null);
    keys.portal845 = await events.key('portal', '845');
    keys.transport = await events.key('transport', '84');
    await settle(svc);
    // The points every test reads (the must-show scenario's): three communes, one of them closed on 26/08.
    scenario = {
      opened: [
        await openPoint('VNPT-A', keys.vnpt, 'VNPT-TV', communeA, '2020-08-20'),
        await openPoint('VIETTEL-B', keys.viettel, 'VIETTEL-TV', communeB, '2020-08-21'),
        await openPoint('BUUDIEN-C', keys.post, 'BUUDIEN-TV', communeC, '2020-08-22'),
      ],
      closed: await http(svc, 'POST', '/v1/support-points/VIETTEL-B/close', { key: keys.viettel, body: { date: '2020-08-26' } }),
    };
  }, 60_000);

  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  it('has the 116 Trà Vinh units (106 communes) in its replica', async () => {
    expect(UNITS).toHaveLength(116);
    expect(COMMUNES).toHaveLength(106);
    const [row] = await ds.query(`SELECT count(*)::int AS n FROM replica_org_units WHERE type = 'commune' AND active`);
    expect(row.n).toBe(106);
  });

  it('documents every endpoint in its OpenAPI document', async () => {
    const doc = await http(svc, 'GET', '/docs/json', { key: null });
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/support-points/{id}',
        '/v1/support-points/{id}/close',
        '/v1/support-points/{id}/reopen',
        '/v1/support-points/{id}/sessions',
        '/v1/support-points',
        '/v1/coverage',
      ]),
    );
  });

  it('must show: opening points in 3 communes and closing one leaves exactly 104 of 106 communes without an open point', async () => {
    // Opened and closed in beforeAll (the other tests read the same points): here, what each answer said.
    const expected = [
      ['VNPT-A', 'VNPT-TV', communeA, '2020-08-20'],
      ['VIETTEL-B', 'VIETTEL-TV', communeB, '2020-08-21'],
      ['BUUDIEN-C', 'BUUDIEN-TV', communeC, '2020-08-22'],
    ];
    for (const [i, [id, operator, communeCode, openedOn]] of expected.entries()) {
      expect(scenario.opened[i]!.status).toBe(201);
      expect(scenario.opened[i]!.body).toMatchObject({ id, operator, communeCode, openedOn, status: 'open', revision: 1, changed: true });
    }
    const { closed } = scenario;
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', revision: 2, periods: [{ openedOn: '2020-08-21', closedOn: '2020-08-26' }] });

    const after = await http(svc, 'GET', '/v1/coverage?date=2020-08-27', { key: keys.analyst });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ date: '2020-08-27', district: null, communes: 106, communesWithPoint: 2 });
    expect(after.body.communesWithoutPoint).toHaveLength(104);
    expect(after.body.communesWithoutPoint).toContain(communeB);
    expect(after.body.communesWithoutPoint).not.toContain(communeA);
    expect(after.body.communesWithoutPoint).not.toContain(communeC);

    // History answers any date: before the close all three were open; before any opening none.
    const during = await http(svc, 'GET', '/v1/coverage?date=2020-08-25', { key: keys.analyst });
    expect(during.body).toMatchObject({ communes: 106, communesWithPoint: 3 });
    expect(during.body.communesWithoutPoint).toHaveLength(103);
    const before = await http(svc, 'GET', '/v1/coverage?date=2020-08-19', { key: keys.analyst });
    expect(before.body.communesWithoutPoint).toHaveLength(106);
    const closingDay = await http(svc, 'GET', '/v1/coverage?date=2020-08-26', { key: keys.analyst });
    expect(closingDay.body.communesWithPoint).toBe(2);
  });

  it('coverage under a district shows a district chair where help is missing', async () => {
    const res = await http(svc, 'GET', '/v1/coverage?date=2020-08-27&district=844', { key: keys.analyst });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ district: '844', communes: communesOf('844').length, communesWithPoint: 0 });
    expect(res.body.communesWithoutPoint).toEqual([...communesOf('844')].sort());
    const cauKe = await http(svc, 'GET', '/v1/coverage?date=2020-08-27&district=845', { key: keys.analyst });
    expect(cauKe.body).toMatchObject({ communes: communesOf('845').length, communesWithPoint: 1 });
    expect(cauKe.body.communesWithoutPoint).not.toContain(communeC);
  });

  it('a portal key reads coverage and points of its own district only', async () => {
    const own = await http(svc, 'GET', '/v1/coverage?date=2020-08-27', { key: keys.portal845 });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ district: '845', communes: communesOf('845').length, communesWithPoint: 1 });
    expectProblem(await http(svc, 'GET', '/v1/coverage?date=2020-08-27&district=844', { key: keys.portal845 }), 403, 'district');
    const list = await http(svc, 'GET', '/v1/support-points', { key: keys.portal845 });
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual(['BUUDIEN-C']);
    expectProblem(await http(svc, 'GET', '/v1/support-points/VNPT-A', { key: keys.portal845 }), 403);
    expect((await http(svc, 'GET', '/v1/support-points/BUUDIEN-C', { key: keys.portal845 })).status).toBe(200);
    expectProblem(await http(svc, 'GET', '/v1/coverage', { key: keys.transport }), 403);
  });

  it('lists points by commune, district, operator and open-on date', async () => {
    const ids = async (query: string) => {
      const res = await http(svc, 'GET', `/v1/support-points${query}`, { key: keys.analyst });
      expect(res.status).toBe(200);
      return res.body.items.map((p: { id: string }) => p.id);
    };
    const byCommune = [
      ['VNPT-A', communeA],
      ['VIETTEL-B', communeB],
      ['BUUDIEN-C', communeC],
    ].sort((a, b) => a[1]!.localeCompare(b[1]!));
    expect(await ids('')).toEqual(byCommune.map(([id]) => id));
    expect(await ids(`?commune=${communeB}`)).toEqual(['VIETTEL-B']);
    expect(await ids('?district=845')).toEqual(['BUUDIEN-C']);
    expect(await ids('?district=84&operator=VNPT-TV')).toEqual(['VNPT-A']);
    expect(await ids('?openOn=2020-08-27')).toHaveLength(2);
    expect(await ids('?openOn=2020-08-27&operator=VIETTEL-TV')).toEqual([]);
    expect(await ids('?openOn=2020-08-21')).toHaveLength(2);
    const page = await http(svc, 'GET', '/v1/support-points?limit=1&offset=1', { key: keys.vnpt });
    expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.body.items).toHaveLength(1);
  });

  it('an update that changes nothing publishes nothing; a real change is the next revision and one event', async () => {
    const body = {
      operator: 'VNPT-TV',
      communeCode: communeA,
      address: 'Điểm hỗ trợ VNPT-A',
      openedOn: '2020-08-20',
      hours: '07:30-17:00',
    };
    const before = await counts();
    const same = await http(svc, 'PUT', '/v1/support-points/VNPT-A', { key: keys.vnpt, body });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ revision: 1, changed: false });
    await expectNothingChanged(before);
    const moved = await http(svc, 'PUT', '/v1/support-points/VNPT-A', { key: keys.vnpt, body: { ...body, address: 'Số 2 đường Lê Lợi' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ revision: 2, changed: true, address: 'Số 2 đường Lê Lợi', hours: '07:30-17:00' });
    expect((await counts()).outbox).toBe(before.outbox + 1);
  });

  it('keeps open and closed periods as history across close and reopen', async () => {
    const put = await http(svc, 'PUT', '/v1/support-points/BUUDIEN-A2', {
      key: keys.post,
      body: { operator: 'BUUDIEN-TV', communeCode: communeA, address: 'Bưu cục', openedOn: '2020-08-20' },
    });
    expect(put.status).toBe(201);
    expect(put.body.hours).toBeNull();
    expect((await http(svc, 'POST', '/v1/support-points/BUUDIEN-A2/close', { key: keys.post, body: { date: '2020-08-24' } })).status).toBe(
      200,
    );
    expectProblem(await http(svc, 'POST', '/v1/support-points/BUUDIEN-A2/close', { key: keys.post, body: { date: '2020-08-25' } }), 409);
    expectProblem(
      await http(svc, 'POST', '/v1/support-points/BUUDIEN-A2/reopen', { key: keys.post, body: { date: '2020-08-23' } }),
      422,
      'date',
    );
    const reopened = await http(svc, 'POST', '/v1/support-points/BUUDIEN-A2/reopen', { key: keys.post, body: { date: '2020-08-27' } });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'open',
      openedOn: '2020-08-20',
      revision: 3,
      periods: [
        { openedOn: '2020-08-20', closedOn: '2020-08-24' },
        { openedOn: '2020-08-27', closedOn: null },
      ],
    });
    const openIds = async (date: string) =>
      (await http(svc, 'GET', `/v1/support-points?operator=BUUDIEN-TV&commune=${communeA}&openOn=${date}`, { key: keys.analyst })).body
        .items.length;
    expect([await openIds('2020-08-23'), await openIds('2020-08-24'), await openIds('2020-08-26'), await openIds('2020-08-27')]).toEqual([
      1, 0, 0, 1,
    ]);
    expectProblem(await http(svc, 'POST', '/v1/support-points/BUUDIEN-A2/reopen', { key: keys.post, body: { date: '2020-08-28' } }), 409);

    const outbox: Array<{ subject: string; envelope: { type: string; key: string; data: Record<string, unknown> } }> = await ds.query(
      `SELECT subject, envelope FROM outbox WHERE envelope->'data'->>'pointId' = 'BUUDIEN-A2' ORDER BY seq`,
    );
    expect(outbox.map((o) => [o.envelope.type, o.envelope.data.revision])).toEqual([
      ['support.point.opened', 1],
      ['support.point.closed', 2],
      ['support.point.opened', 3],
    ]);
    expect(outbox[0]!.subject).toBe(`${svc.namespace}.support.point.opened.v1`);
    expect(outbox[1]!.envelope).toMatchObject({
      key: communeA,
      data: { pointId: 'BUUDIEN-A2', operatorCode: 'BUUDIEN-TV', communeCode: communeA, closedOn: '2020-08-24' },
    });
    expect(outbox[2]!.envelope.data).toMatchObject({ openedOn: '2020-08-27', address: 'Bưu cục', hours: null });
    // The relay publishes them to JetStream.
    await waitFor(async () => {
      const [r] = await ds.query(`SELECT count(*)::int AS n FROM outbox_pending`);
      return r.n === 0;
    }, 'the outbox to be relayed');
  });

  it('bad input gets 4xx problem+json naming the fields; nothing is stored or published', async () => {
    const before = await counts();
    const good = { operator: 'VNPT-TV', communeCode: communeB2, address: 'ấp 1', openedOn: '2020-08-22' };
    const cases: Array<[string, string, unknown, number, string]> = [
      ['PUT', '/v1/support-points/NEW-1', { ...good, communeCode: undefined }, 400, 'communeCode'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, openedOn: '2020-02-30' }, 400, 'openedOn'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, address: '' }, 400, 'address'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, hours: 8 }, 400, 'hours'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, extra: 1 }, 400, 'extra'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, communeCode: '844' }, 422, 'communeCode'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, communeCode: 'NOPE' }, 422, 'communeCode'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, operator: 'STTTT' }, 422, 'operator'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, operator: communeB }, 422, 'operator'],
      ['PUT', '/v1/support-points/NEW-1', { ...good, operator: 'MOBIFONE-TV' }, 422, 'operator'],
      ['PUT', '/v1/support-points/bad%20id!', good, 400, 'id'],
      ['POST', '/v1/support-points/VNPT-A/close', { date: '2020-08-19' }, 422, 'date'],
      ['POST', '/v1/support-points/VNPT-A/close', { date: 'tomorrow' }, 400, 'date'],
      ['POST', '/v1/support-points/VNPT-A/close', {}, 400, 'date'],
      ['POST', '/v1/support-points/VNPT-A/reopen', { date: '2020-08-30' }, 409, 'date'],
      ['POST', '/v1/support-points/NOPE/close', { date: '2020-08-30' }, 404, 'id'],
      ['GET', '/v1/support-points?limit=0', undefined, 400, 'limit'],
      ['GET', '/v1/support-points?openOn=2020-13-01', undefined, 400, 'openOn'],
      ['GET', '/v1/coverage?date=yesterday', undefined, 400, 'date'],
      ['GET', '/v1/coverage?district=999', undefined, 404, 'district'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const res = await http(svc, method, path, { key: keys.vnpt, body });
      try {
        expectProblem(res, status, field);
      } catch (err) {
        throw new Error(`${method} ${path} ${JSON.stringify(body)}: got ${res.status} ${res.text}\n${(err as Error).message}`);
      }
    }
    const malformed = await http(svc, 'PUT', '/v1/support-points/NEW-1', {
      key: keys.vnpt,
      raw: '{"operator": ',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(malformed, 400);
    await expectNothingChanged(before);
  });

  it('wrong scope gets 401/403 problem+json; nothing is stored or published', async () => {
    const before = await counts();
    const body = { operator: 'VNPT-TV', communeCode: communeB2, address: 'ấp 1', openedOn: '2020-08-22' };
    // Viettel may not open, close, reopen or re-home a VNPT point, nor take over one.
    expectProblem(await http(svc, 'PUT', '/v1/support-points/NEW-2', { key: keys.viettel, body }), 403);
    expectProblem(await http(svc, 'POST', '/v1/support-points/VNPT-A/close', { key: keys.viettel, body: { date: '2020-08-28' } }), 403);
    expectProblem(
      await http(svc, 'PUT', '/v1/support-points/VNPT-A', { key: keys.viettel, body: { ...body, operator: 'VIETTEL-TV' } }),
      403,
    );
    expectProblem(
      await http(svc, 'POST', '/v1/support-points/BUUDIEN-C/sessions', {
        key: keys.vnpt,
        body: { date: '2020-08-23', assisted: 1, installed: 1, bluetoothEnabled: 1 },
      }),
      403,
    );
    // Read-only and other roles.
    expectProblem(await http(svc, 'PUT', '/v1/support-points/NEW-2', { key: keys.analyst, body }), 403);
    expectProblem(await http(svc, 'PUT', '/v1/support-points/NEW-2', { key: keys.portal845, body }), 403);
    expectProblem(await http(svc, 'POST', '/v1/support-points/VNPT-A/close', { key: keys.analyst, body: { date: '2020-08-28' } }), 403);
    expectProblem(await http(svc, 'PUT', '/v1/support-points/NEW-2', { key: null, body }), 401);
    expectProblem(await http(svc, 'GET', '/v1/support-points', { key: 'bz_unknown' }), 401);
    await expectNothingChanged(before);

    // The VNPT key manages its branch's points (operator inside its subtree) and an admin manages all.
    const branch = await http(svc, 'PUT', '/v1/support-points/VNPT-CK-1', {
      key: keys.vnpt,
      body: { ...body, operator: 'VNPT-TV-CK', communeCode: communeC },
    });
    expect(branch.status).toBe(201);
    const admin = await http(svc, 'POST', '/v1/support-points/VNPT-CK-1/close', { body: { date: '2020-08-25' } });
    expect(admin.status).toBe(200);
  });
});
