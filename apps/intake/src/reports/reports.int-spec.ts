import { DataSource } from 'typeorm';
import { TargetSetV1 } from '@app/contracts';
import { intakeService } from '../main';
import { reportBody } from '../../test/report-fixture';
import { http, settle, useService } from '@test/support/service-harness';

// Intake on the real PostgreSQL and NATS. The registry service is never started: every unit and key
// reaches intake as a registry event, which is also why intake keeps accepting reports when the registry is down.
describe('intake: POST /v1/reports and GET /v1/reports', () => {
  const fx = useService(intakeService, async (events) => {
    await events.unit({ code: '84', type: 'province', level: 1 });
    await events.unit({ code: '842', type: 'district', adminParentCode: '84', level: 2 });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842', level: 3 });
    await events.unit({ code: '29239', type: 'commune', adminParentCode: '842', level: 3 });
    await events.unit({ code: 'H29236A', type: 'hamlet', adminParentCode: '29236', level: 4 });
    await events.unit({ code: 'SO_TTTT', type: 'department', accountableToCode: '84', level: 2 });
    await events.unit({ code: 'OLD1', type: 'commune', adminParentCode: '842', active: false });
    const portal29236 = await events.key('portal', '29236');
    const portal842 = await events.key('portal', '842');
    const analyst = await events.key('analyst', null);
    return { portal29236, portal842, analyst };
  });
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
    fx.svc.app.get(DataSource).query(sql, params);

  const body = reportBody;

  const outboxCount = async () => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM outbox`))[0].n);

  // Each test reports on days of its own (2020-08-10 … 08-16, 08-20 … 08-26), so none depends on what another posted.
  it('accepts a valid report with 202 {reportId, revision: 1} and records intake.report.accepted in the outbox', async () => {
    const b = body({ asOf: '2020-08-10' });
    const res = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ reportId: expect.any(String), revision: 1 });
    const rows = await q<{ envelope: { type: string; key: string; data: Record<string, unknown> } }>(
      `SELECT envelope FROM outbox WHERE envelope->'data'->>'reportId' = $1`,
      [res.body.reportId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].envelope).toMatchObject({
      type: 'intake.report.accepted',
      key: '29236',
      data: { ...b, reportId: res.body.reportId, revision: 1 },
    });
  });

  it('treats the same report sent again without a key as a no-op returning the existing receipt', async () => {
    const b = body({ asOf: '2020-08-11' });
    const first = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b });
    const before = await outboxCount();
    const again = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await outboxCount()).toBe(before);
  });

  it('stores a correction as the next revision and lists every revision', async () => {
    const b = body({ asOf: '2020-08-12' });
    expect((await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b })).body.revision).toBe(1);
    const fix = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: { ...b, installed: 520, bluetoothOn: 460 } });
    expect(fix.status).toBe(202);
    expect(fix.body.revision).toBe(2);
    const list = await http(fx.svc, 'GET', '/v1/reports?unit=29236&cohort=residents&from=2020-08-12&to=2020-08-12', {
      key: fx.world.portal29236,
    });
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((r: { revision: number; latest: boolean; installed: number }) => [r.revision, r.latest, r.installed]),
    ).toEqual([
      [1, false, 500],
      [2, true, 520],
    ]);
    // Going back to the first figures is a correction too: it is not the latest report any more.
    const back = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b });
    expect(back.body.revision).toBe(3);
  });

  it('honours Idempotency-Key: same body → same answer and no new event; other body → 422', async () => {
    const b = body({ asOf: '2020-08-26' });
    const headers = { 'idempotency-key': 'portal-upload-0001' };
    const first = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b, headers });
    expect(first.status).toBe(202);
    const count = await outboxCount();
    const again = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b, headers });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await outboxCount()).toBe(count);
    const other = await http(fx.svc, 'POST', '/v1/reports', {
      key: fx.world.portal29236,
      body: { ...b, installed: 1, bluetoothOn: 0 },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(other.body.errors[0].field).toBe('Idempotency-Key');
    expect(other.body.detail).toMatch(/^Idempotency-Key portal-upload-0001 đã được dùng cho một yêu cầu khác/);
    expect(other.body.detail).toContain('was already used with a different request');
    expect(await outboxCount()).toBe(count);
    // The same key on another route is another request; a malformed key is 400.
    const activity = { orgUnitCode: '29236', kind: 'family_help', date: '2020-08-26', installsHelped: 3 };
    expect((await http(fx.svc, 'POST', '/v1/activities', { key: fx.world.portal29236, body: activity, headers })).status).toBe(202);
    const bad = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b, headers: { 'idempotency-key': 'a b' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringContaining('1 to 200 visible ASCII characters') }]);
  });

  it('never makes two revisions from concurrent identical submissions (with or without a key)', async () => {
    const b = body({ asOf: '2020-08-20' });
    const plain = await Promise.all(
      Array.from({ length: 12 }, () => http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: b })),
    );
    expect(plain.map((r) => r.status)).toEqual(Array(12).fill(202));
    expect(new Set(plain.map((r) => `${r.body.reportId}/${r.body.revision}`)).size).toBe(1);
    const keyed = { ...b, asOf: '2020-08-21' };
    const withKey = await Promise.all(
      Array.from({ length: 12 }, () =>
        http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: keyed, headers: { 'idempotency-key': 'same-key-race' } }),
      ),
    );
    expect(withKey.map((r) => r.status)).toEqual(Array(12).fill(202));
    expect(new Set(withKey.map((r) => r.body.reportId)).size).toBe(1);
    const rows = await q<{ as_of: string; n: string }>(
      `SELECT as_of::text, count(*) AS n FROM reports WHERE as_of IN ('2020-08-20','2020-08-21') GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { as_of: '2020-08-20', n: '1' },
      { as_of: '2020-08-21', n: '1' },
    ]);
    // Concurrent different corrections: each gets its own revision, none is lost.
    const diff = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        http(fx.svc, 'POST', '/v1/reports', {
          key: fx.world.portal29236,
          body: body({ asOf: '2020-08-22', installed: 100 + i, bluetoothOn: 0 }),
        }),
      ),
    );
    expect(diff.map((r) => r.body.revision).sort((a: number, b: number) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps a portal key to its own subtree: 29236 may report for its hamlet, not for 29239 (403)', async () => {
    const other = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: body({ orgUnitCode: '29239' }) });
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    const hamlet = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal29236, body: body({ orgUnitCode: 'H29236A' }) });
    expect(hamlet.status).toBe(202);
    const district = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: body({ orgUnitCode: '29239' }) });
    expect(district.status).toBe(202);
  });

  it('lets an fx.world.analyst read everything and write nothing (403)', async () => {
    const write = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.analyst, body: body({ asOf: '2020-08-24' }) });
    expect(write.status).toBe(403);
    const batch = await http(fx.svc, 'POST', '/v1/reports/batch', { key: fx.world.analyst, body: { reports: [body()] } });
    expect(batch.status).toBe(403);
    const activity = await http(fx.svc, 'POST', '/v1/activities', {
      key: fx.world.analyst,
      body: { orgUnitCode: '29236', kind: 'family_help', date: '2020-08-24', installsHelped: 1 },
    });
    expect(activity.status).toBe(403);
    for (const orgUnitCode of ['29236', 'H29236A', '29239'])
      expect(
        (await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: body({ orgUnitCode, asOf: '2020-08-14' }) })).status,
      ).toBe(202);
    const all = await http(fx.svc, 'GET', '/v1/reports?limit=1000&from=2020-08-14&to=2020-08-14', { key: fx.world.analyst });
    expect(all.status).toBe(200);
    expect(new Set(all.body.items.map((r: { orgUnitCode: string }) => r.orgUnitCode))).toEqual(new Set(['29236', 'H29236A', '29239']));
  });

  it('filters the list by scope: a portal sees its subtree only and may not ask for another unit', async () => {
    for (const [orgUnitCode, asOf] of [
      ['29236', '2020-08-15'],
      ['29236', '2020-08-16'],
      ['H29236A', '2020-08-15'],
      ['29239', '2020-08-15'],
    ])
      expect((await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: body({ orgUnitCode, asOf }) })).status).toBe(202);
    const days = 'from=2020-08-15&to=2020-08-16';
    const mine = await http(fx.svc, 'GET', `/v1/reports?limit=1000&${days}`, { key: fx.world.portal29236 });
    expect(mine.status).toBe(200);
    expect(new Set(mine.body.items.map((r: { orgUnitCode: string }) => r.orgUnitCode))).toEqual(new Set(['29236', 'H29236A']));
    expect(mine.body.total).toBe(3);
    expect(mine.body.total).toBe(mine.body.items.length);
    const page = await http(fx.svc, 'GET', `/v1/reports?limit=2&offset=1&${days}`, { key: fx.world.portal29236 });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBe(mine.body.total);
    const theirs = await http(fx.svc, 'GET', '/v1/reports?unit=29239', { key: fx.world.portal29236 });
    expect(theirs.status).toBe(403);
  });

  it('refuses unknown (404) and retired (422) units, and cohorts the unit type does not report (422)', async () => {
    const unknown = await http(fx.svc, 'POST', '/v1/reports', { body: body({ orgUnitCode: '99999' }) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'orgUnitCode' })]);
    const retired = await http(fx.svc, 'POST', '/v1/reports', { body: body({ orgUnitCode: 'OLD1' }) });
    expect(retired.status).toBe(422);
    expect(retired.body.errors[0].field).toBe('orgUnitCode');
    const hamletStaff = await http(fx.svc, 'POST', '/v1/reports', { body: body({ orgUnitCode: 'H29236A', cohort: 'staff' }) });
    expect(hamletStaff.status).toBe(422);
    expect(hamletStaff.body.errors).toEqual([{ field: 'cohort', message: expect.stringContaining('hamlet') }]);
    const deptResidents = await http(fx.svc, 'POST', '/v1/reports', { body: body({ orgUnitCode: 'SO_TTTT' }) });
    expect(deptResidents.status).toBe(422);
    const deptStaff = await http(fx.svc, 'POST', '/v1/reports', { body: body({ orgUnitCode: 'SO_TTTT', cohort: 'staff' }) });
    expect(deptStaff.status).toBe(202);
  });

  it('names each broken inequality of the counts as a field error (400)', async () => {
    const res = await http(fx.svc, 'POST', '/v1/reports', {
      body: body({ headcount: 10, smartphoneHolders: 20, installed: 30, bluetoothOn: 40 }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['bluetoothOn', 'installed', 'smartphoneHolders']);
  });

  it('refuses dates in the future and before the campaign start, which the registry targets can move', async () => {
    const future = await http(fx.svc, 'POST', '/v1/reports', { body: body({ asOf: '2999-01-01' }) });
    expect(future.status).toBe(422);
    expect(future.body.errors).toEqual([{ field: 'asOf', message: expect.stringContaining('future') }]);
    const early = await http(fx.svc, 'POST', '/v1/reports', { body: body({ asOf: '2019-12-31' }) });
    expect(early.status).toBe(422);
    expect(early.body.errors[0].message).toContain('2020-01-01');
    await fx.events.publish(TargetSetV1, 'province', {
      targetId: 'T50',
      name: '50% by 20/08',
      metric: 'install_rate',
      cohorts: ['residents'],
      tree: 'administrative',
      scopeUnitTypes: [],
      scopeLevels: [],
      threshold: 0.5,
      deadline: '2020-08-20',
      campaignStart: '2020-08-01',
      reportingWindowDays: 7,
      revision: 1,
    });
    await settle(fx.svc);
    const before = await http(fx.svc, 'POST', '/v1/reports', { body: body({ asOf: '2020-07-31' }) });
    expect(before.status).toBe(422);
    expect(before.body.errors[0].message).toContain('2020-08-01');
    const onStart = await http(fx.svc, 'POST', '/v1/reports', { body: body({ asOf: '2020-08-01' }) });
    expect(onStart.status).toBe(202);
  });
});
