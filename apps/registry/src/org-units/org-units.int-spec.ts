import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { addDays, campaignToday } from '@app/domain';
import { streamNames } from '@app/messaging';
import { registryService } from '../main';
import { natsUrl, waitFor } from '@test/support/int-env';
import { disposeService, http, startService, type RunningService } from '@test/support/service-harness';

jest.setTimeout(60_000);

const UNITS_CSV = readFileSync(join(__dirname, '../../../../data/tra-vinh-units.csv'), 'utf8');
const csv = (svc: RunningService, body: string) =>
  http(svc, 'POST', '/v1/org-units/import', { raw: body, headers: { 'content-type': 'text/csv' } });

describe('registry org units on the real PostgreSQL and NATS', () => {
  let svc: RunningService;
  // The Trà Vinh units every test reads, imported before any runs (the first test checks what the import said).
  let imported: Awaited<ReturnType<typeof csv>>;
  /** A department of the accountability tree (no residents) of the test's own. */
  const department = (code: string) =>
    http(svc, 'PUT', `/v1/org-units/${code}`, { body: { name: `Sở ${code}`, type: 'department', bloc: 'state', accountableToCode: '84' } });

  beforeAll(async () => {
    svc = await startService(registryService);
    imported = await csv(svc, UNITS_CSV);
  });
  afterAll(async () => {
    if (svc) await disposeService(svc);
  });

  it('imports data/tra-vinh-units.csv: 116 units with the right administrative parents, one event each', async () => {
    const res = imported;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ units: 116, created: 116, updated: 0, unchanged: 0, eventsPublished: 116 });

    const all = await http(svc, 'GET', '/v1/org-units?limit=1000');
    expect(all.body.total).toBe(116);
    for (const [parent, n] of [
      ['84', 9],
      ['842', 10],
      ['849', 17],
    ] as const) {
      const children = await http(svc, 'GET', `/v1/org-units?parent=${parent}&tree=administrative&limit=50`);
      expect(children.status).toBe(200);
      expect(children.body.total).toBe(n);
      expect(children.body.items.every((u: { adminParentCode: string }) => u.adminParentCode === parent)).toBe(true);
    }
    const levels = await http(svc, 'GET', '/v1/org-units?level=3&limit=5&offset=100');
    expect(levels.body).toMatchObject({ total: 106, limit: 5, offset: 100 });
    expect(levels.body.items).toHaveLength(5);

    expect(await outboxTypes(svc)).toEqual(Array(116).fill('registry.orgunit.upserted'));
    expect(await publishedStreamCount(svc)).toBe(116);
  });

  it('a second import of the same file changes nothing and publishes nothing', async () => {
    const res = await csv(svc, UNITS_CSV);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ units: 116, created: 0, updated: 0, unchanged: 116, eventsPublished: 0 });
    expect(await outboxCount(svc)).toBe(116);
    await new Promise((r) => setTimeout(r, 300));
    expect(await publishedStreamCount(svc)).toBe(116);
  });

  it('shows a unit with its parents and children on both trees', async () => {
    const res = await http(svc, 'GET', '/v1/org-units/29236');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      code: '29236',
      name: 'Phường 4',
      type: 'commune',
      level: 3,
      adminParentCode: '842',
      accountableToCode: '842',
      active: true,
      revision: 1,
    });
    expect(res.body.parents.administrative.map((u: { code: string }) => u.code)).toEqual(['842', '84']);
    expect(res.body.parents.accountability.map((u: { code: string }) => u.code)).toEqual(['842', '84']);
    const district = await http(svc, 'GET', '/v1/org-units/842');
    expect(district.body.children.administrative).toHaveLength(10);
    expect(district.body.children.accountability).toHaveLength(10);
    expect((await http(svc, 'GET', '/v1/org-units/nope')).status).toBe(404);
  });

  describe('a bad file is refused whole, naming every bad line and its reason; nothing stored, nothing published', () => {
    const header = 'code,name,type,level,parent_code,unit_type,bloc,accountable_to_code\n';
    const cases: Array<[string, string, Array<[number, RegExp]>]> = [
      [
        'a cycle',
        header + 'NEW-1,Good new unit,,,,mass_org,front,84\nHOI-A,Hội A,,,,mass_org,front,HOI-B\nHOI-B,Hội B,,,,mass_org,front,HOI-A\n',
        [
          [3, /cycle on the accountability tree: HOI-A → HOI-B → HOI-A/],
          [4, /cycle on the accountability tree: HOI-B → HOI-A → HOI-B/],
        ],
      ],
      [
        'a missing parent',
        header + 'NEW-1,Good new unit,,,,mass_org,front,84\n99999,Xã Mới,Xã,3,999,,,\n',
        [[3, /parent_code: parent 999 does not exist/]],
      ],
      [
        'a wrong parent type',
        header + '99999,Xã Mới,Xã,3,84,,,\nNEW-1,Good new unit,,,,mass_org,front,84\n',
        [[2, /cannot have a province \(84\) as administrative parent/]],
      ],
      [
        'a duplicate code in one file',
        header + 'NEW-1,Good new unit,,,,mass_org,front,84\n99999,Xã Mới,Xã,3,842,,,\n99999,Xã Mới bis,Xã,3,842,,,\n',
        [[4, /duplicate code 99999 \(first on line 3\)/]],
      ],
      ['a malformed line', header + 'NEW-1,Good new unit,,,,mass_org,front,84\n99999,Xã Mới,Xã,3\n', [[3, /expected 8 fields .* found 4/]]],
    ];

    it.each(cases)('%s', async (_name, body, expected) => {
      const before = await outboxCount(svc);
      const res = await csv(svc, body);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.rejected.map((r: { line: number }) => r.line)).toEqual(expected.map(([line]) => line));
      expected.forEach(([line, reason], i) => {
        expect(res.body.rejected[i].reason).toMatch(reason);
        expect(res.body.errors[i]).toEqual({ field: `line ${line}`, message: expect.stringMatching(reason) });
      });
      expect(res.body.detail).toContain(`line ${expected[0][0]}`);
      const stored: unknown[] = await dataSourceOf(svc).query(
        `SELECT code FROM org_units WHERE code IN ('NEW-1', '99999', 'HOI-A', 'HOI-B')`,
      );
      expect(stored).toEqual([]);
      expect(await outboxCount(svc)).toBe(before);
    });

    it('a file that is not CSV at all is a 400, a JSON body a 415', async () => {
      expect((await csv(svc, 'code,nom\n1,x\n')).status).toBe(400);
      expect((await http(svc, 'POST', '/v1/org-units/import', { body: { code: '1' } })).status).toBe(415);
    });
  });

  it('imports parents listed after their children, and the optional columns', async () => {
    const res = await csv(
      svc,
      'code,name,type,level,parent_code,unit_type,bloc,accountable_to_code,head_name,head_title\n' +
        'DN-1,Công ty A,,,,enterprise,,KCN-T,,\n' +
        'KCN-T,Khu công nghiệp Thử,,,,industrial_park,,BQL-T,,\n' +
        'BQL-T,Ban Quản lý Khu kinh tế,,,,department,state,84,Nguyễn Văn B,Trưởng ban\n',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 3, eventsPublished: 3 });
    const board = await http(svc, 'GET', '/v1/org-units/BQL-T');
    expect(board.body).toMatchObject({
      type: 'department',
      bloc: 'state',
      level: null,
      adminParentCode: null,
      accountableToCode: '84',
      head: { name: 'Nguyễn Văn B', title: 'Trưởng ban' },
    });
    expect(board.body.children.accountability.map((u: { code: string }) => u.code)).toEqual(['KCN-T']);
  });

  it('PUT upserts: a real change bumps the revision and publishes; the same body again publishes nothing', async () => {
    const body = {
      name: 'Phường 4 (TP. Trà Vinh)',
      type: 'commune',
      adminParentCode: '842',
      head: { name: 'Trần Văn C', title: 'Chủ tịch UBND phường' },
    };
    const before = await outboxCount(svc);
    const first = await http(svc, 'PUT', '/v1/org-units/29236', { body });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'updated', revision: 2, accountableToCode: '842' });
    const again = await http(svc, 'PUT', '/v1/org-units/29236', { body });
    expect(again.body).toMatchObject({ outcome: 'unchanged', revision: 2 });
    expect(await outboxCount(svc)).toBe(before + 1);
    const created = await http(svc, 'PUT', '/v1/org-units/AP-1', { body: { name: 'Khóm 1', type: 'hamlet', adminParentCode: '29296' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ level: 4, revision: 1, accountableToCode: '29296' });
  });

  it('PUT refuses a head that is not an object (a list passed ValidateNested, which validates its items) with 400', async () => {
    for (const head of [[], ['x'], 'Trần Văn C', 7]) {
      const res = await http(svc, 'PUT', '/v1/org-units/29236', {
        body: { name: 'Phường 4', type: 'commune', adminParentCode: '842', head },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('head');
    }
  });

  it('PUT refuses a wrong parent type, a missing parent and a cycle with 422 naming the field', async () => {
    const wrong = await http(svc, 'PUT', '/v1/org-units/29236', { body: { name: 'Phường 4', type: 'commune', adminParentCode: '84' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual(
      expect.arrayContaining([{ field: 'adminParentCode', message: expect.stringContaining('cannot have a province') }]),
    );
    const missing = await http(svc, 'PUT', '/v1/org-units/TD-1', { body: { name: 'Tổ', type: 'enterprise', accountableToCode: 'NOPE' } });
    expect(missing.body.errors).toEqual([{ field: 'accountableToCode', message: 'parent NOPE does not exist' }]);
    await http(svc, 'PUT', '/v1/org-units/DOAN-A', { body: { name: 'Đoàn A', type: 'mass_org', bloc: 'front', accountableToCode: '84' } });
    await http(svc, 'PUT', '/v1/org-units/DOAN-B', {
      body: { name: 'Đoàn B', type: 'mass_org', bloc: 'front', accountableToCode: 'DOAN-A' },
    });
    const cycle = await http(svc, 'PUT', '/v1/org-units/DOAN-A', {
      body: { name: 'Đoàn A', type: 'mass_org', bloc: 'front', accountableToCode: 'DOAN-B' },
    });
    expect(cycle.status).toBe(422);
    expect(cycle.body.errors).toEqual([
      { field: 'accountableToCode', message: 'cycle on the accountability tree: DOAN-A → DOAN-B → DOAN-A' },
    ]);
    const invalid = await http(svc, 'PUT', '/v1/org-units/X', { body: { name: '', type: 'village', extra: 1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'name', 'type']);
  });

  it('retires a unit keeping its history, and refuses to retire one with active units under it', async () => {
    const busy = await http(svc, 'POST', '/v1/org-units/842/retire', { body: {} });
    expect(busy.status).toBe(422);
    // A hamlet of its own, the only unit under commune 29239.
    expect(
      (await http(svc, 'PUT', '/v1/org-units/AP-R', { body: { name: 'Khóm R', type: 'hamlet', adminParentCode: '29239' } })).status,
    ).toBe(201);
    const res = await http(svc, 'POST', '/v1/org-units/AP-R/retire', { body: { retiredOn: '2020-09-01' } });
    expect(res.body).toMatchObject({ outcome: 'retired', active: false, retiredOn: '2020-09-01', revision: 2 });
    expect((await outboxTypes(svc)).at(-1)).toBe('registry.orgunit.retired');
    const history: Array<{ revision: number; active: boolean }> = await dataSourceOf(svc).query(
      `SELECT revision, (state->>'active')::boolean AS active FROM org_unit_revisions WHERE code = 'AP-R' ORDER BY revision`,
    );
    expect(history).toEqual([
      { revision: 1, active: true },
      { revision: 2, active: false },
    ]);
    expect((await http(svc, 'GET', '/v1/org-units?parent=29239')).body.total).toBe(0);
    expect((await http(svc, 'GET', '/v1/org-units?parent=29239&includeRetired=true')).body.total).toBe(1);
    const underRetired = await http(svc, 'PUT', '/v1/org-units/AP-2', {
      body: { name: 'Khóm 2', type: 'hamlet', adminParentCode: 'AP-R' },
    });
    expect(underRetired.status).toBe(422);
  });

  it('sets cohort denominators versioned by asOf, publishing only real changes', async () => {
    expect((await department('SO-COHORTS')).status).toBe(201);
    const before = await outboxCount(svc);
    const set = await http(svc, 'PUT', '/v1/org-units/84/cohorts/residents', { body: { headcount: 1009168, asOf: '2019-04-01' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ changed: true });
    expect(
      (await http(svc, 'PUT', '/v1/org-units/84/cohorts/residents', { body: { headcount: 1009168, asOf: '2019-04-01' } })).body.changed,
    ).toBe(false);
    await http(svc, 'PUT', '/v1/org-units/84/cohorts/residents', { body: { headcount: 1010000, asOf: '2020-01-01' } });
    expect(await outboxCount(svc)).toBe(before + 2);
    const list = await http(svc, 'GET', '/v1/org-units/84/cohorts');
    expect(list.body).toEqual([
      { orgUnitCode: '84', cohort: 'residents', headcount: 1010000, asOf: '2020-01-01' },
      { orgUnitCode: '84', cohort: 'residents', headcount: 1009168, asOf: '2019-04-01' },
    ]);
    const wrongCohort = await http(svc, 'PUT', '/v1/org-units/SO-COHORTS/cohorts/residents', {
      body: { headcount: 10, asOf: '2020-08-01' },
    });
    expect(wrongCohort.status).toBe(422);
    const bad = await http(svc, 'PUT', '/v1/org-units/84/cohorts/residents', { body: { headcount: -1, asOf: '2020-02-30' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['asOf', 'headcount']);
    const alien = await http(svc, 'PUT', '/v1/org-units/84/cohorts/aliens', { body: { headcount: 1, asOf: '2020-02-01' } });
    expect(alien.status).toBe(400);
    expect(alien.body.errors.map((e: { field: string }) => e.field)).toEqual(['cohort']);
  });

  it('sets targets, checking cohorts against the tree and the metric against the cohorts', async () => {
    const target = {
      name: 'Residents 50%',
      metric: 'resident_rate',
      cohorts: ['residents'],
      tree: 'administrative',
      scopeUnitTypes: ['commune'],
      threshold: 0.5,
      deadline: '2020-08-20',
      reportingWindowDays: 7,
    };
    const created = await http(svc, 'PUT', '/v1/targets/residents-50', { body: target });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ targetId: 'residents-50', revision: 1, scopeLevels: [], campaignStart: null, threshold: 0.5 });
    expect((await http(svc, 'PUT', '/v1/targets/residents-50', { body: target })).body.outcome).toBe('unchanged');
    expect((await http(svc, 'PUT', '/v1/targets/residents-50', { body: { ...target, threshold: 0.6 } })).body).toMatchObject({
      outcome: 'updated',
      revision: 2,
    });
    const wrongTree = await http(svc, 'PUT', '/v1/targets/t2', {
      body: { ...target, metric: 'install_rate', cohorts: ['staff'], scopeUnitTypes: [] },
    });
    expect(wrongTree.status).toBe(422);
    expect(wrongTree.body.errors[0].field).toBe('cohorts');
    const wrongMetric = await http(svc, 'PUT', '/v1/targets/t3', {
      body: { ...target, metric: 'resident_rate', cohorts: ['staff'], tree: 'accountability', scopeUnitTypes: [] },
    });
    expect(wrongMetric.body.errors.map((e: { field: string }) => e.field)).toEqual(['metric']);
    expect((await http(svc, 'PUT', '/v1/targets/t4', { body: { ...target, threshold: 50 } })).status).toBe(400);
    expect((await http(svc, 'GET', '/v1/targets')).body.map((t: { targetId: string }) => t.targetId)).toEqual(['residents-50']);
  });

  it('keeps every date it is given on the campaign calendar (422 naming the field), judged in the campaign time zone', async () => {
    const today = campaignToday('Asia/Ho_Chi_Minh');
    expect((await department('SO-DATES')).status).toBe(201);
    const fields = (res: { body: { errors?: Array<{ field: string }> } }) => res.body.errors?.map((e) => e.field);
    const denominator = (asOf: string, cohort = 'residents', code = '84') =>
      http(svc, 'PUT', `/v1/org-units/${code}/cohorts/${cohort}`, { body: { headcount: 5000, asOf } });
    for (const asOf of ['9999-12-31', addDays(today, 1), '0001-01-01', '2009-12-31']) {
      const res = await denominator(asOf);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(fields(res)).toEqual(['asOf']);
    }
    // Every fault listed: a cohort the unit does not have and a date in the future.
    expect(fields(await denominator('9999-12-31', 'residents', 'SO-DATES'))).toEqual(['cohort', 'asOf']);
    expect((await denominator(today)).status).toBe(200);

    const target = {
      name: 'Members 100%',
      metric: 'install_rate',
      cohorts: ['staff'],
      tree: 'accountability',
      threshold: 1,
      deadline: '2020-08-30',
      reportingWindowDays: 7,
    };
    const absurd = await http(svc, 'PUT', '/v1/targets/absurd', {
      body: { ...target, deadline: '9999-12-31', campaignStart: '0001-01-01' },
    });
    expect(absurd.status).toBe(422);
    expect(fields(absurd)).toEqual(['deadline', 'campaignStart']);
    // A deadline may lie ahead (up to a year); a campaign start not before the configured one.
    expect((await http(svc, 'PUT', '/v1/targets/ahead', { body: { ...target, deadline: addDays(today, 300) } })).status).toBe(201);
    expect(fields(await http(svc, 'PUT', '/v1/targets/early', { body: { ...target, campaignStart: '2019-12-31' } }))).toEqual([
      'campaignStart',
    ]);
    // A published campaign start narrows the registry's own calendar, as every service's.
    expect((await http(svc, 'PUT', '/v1/targets/members', { body: { ...target, campaignStart: '2020-08-15' } })).status).toBe(201);
    await http(svc, 'PUT', '/v1/org-units/AP-3', { body: { name: 'Ấp 3', type: 'hamlet', adminParentCode: '29296' } });
    for (const retiredOn of ['2020-08-14', '9999-12-31']) {
      const res = await http(svc, 'POST', '/v1/org-units/AP-3/retire', { body: { retiredOn } });
      expect(res.status).toBe(422);
      expect(fields(res)).toEqual(['retiredOn']);
    }
    expect((await denominator('2019-04-01')).status).toBe(200);
    // Retired without a date: today on the province's calendar (UTC+7), not the server's.
    expect((await http(svc, 'POST', '/v1/org-units/AP-3/retire', { body: {} })).body).toMatchObject({
      outcome: 'retired',
      retiredOn: today,
    });
  });

  it('lets a portal key read its own subtree only, and an analyst read everything but write nothing', async () => {
    const portal = await http(svc, 'POST', '/v1/api-keys', { body: { role: 'portal', orgUnitCode: '842' } });
    expect(portal.status).toBe(201);
    const key = portal.body.key as string;
    expect((await http(svc, 'GET', '/v1/whoami', { key })).body).toMatchObject({ role: 'portal', orgUnitCode: '842' });
    expect((await http(svc, 'GET', '/v1/org-units/29236', { key })).status).toBe(200);
    expect((await http(svc, 'GET', '/v1/org-units/29296', { key })).status).toBe(403);
    const mine = await http(svc, 'GET', '/v1/org-units?limit=1000', { key });
    expect(mine.body.total).toBe(11);
    expect(
      (await http(svc, 'PUT', '/v1/org-units/29236', { key, body: { name: 'x', type: 'commune', adminParentCode: '842' } })).status,
    ).toBe(403);
    const analyst = (await http(svc, 'POST', '/v1/api-keys', { body: { role: 'analyst' } })).body.key as string;
    expect((await http(svc, 'GET', '/v1/org-units/29296', { key: analyst })).status).toBe(200);
    expect((await http(svc, 'PUT', '/v1/targets/x', { key: analyst, body: {} })).status).toBe(403);
    expect((await http(svc, 'GET', '/v1/org-units', { key: 'bz_unknown' })).status).toBe(401);
  });
});

function dataSourceOf(svc: RunningService): DataSource {
  return svc.runtime['dataSource'] as DataSource;
}

async function outboxCount(svc: RunningService): Promise<number> {
  const [{ n }]: Array<{ n: number }> = await dataSourceOf(svc).query(`SELECT count(*)::int AS n FROM outbox`);
  return n;
}

async function outboxTypes(svc: RunningService): Promise<string[]> {
  const rows: Array<{ type: string }> = await dataSourceOf(svc).query(`SELECT envelope->>'type' AS type FROM outbox ORDER BY seq`);
  return rows.map((r) => r.type);
}

/** Waits until the relay has published every outbox row, then returns how many messages the namespace's stream holds. */
async function publishedStreamCount(svc: RunningService): Promise<number> {
  await waitFor(async () => {
    const [{ n }]: Array<{ n: number }> = await dataSourceOf(svc).query(`SELECT count(*)::int AS n FROM outbox_pending`);
    return n === 0;
  }, 'the outbox to drain');
  const nc = await connect({ servers: natsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(streamNames(svc.namespace).events);
    return info.state.messages;
  } finally {
    await nc.close();
  }
}
