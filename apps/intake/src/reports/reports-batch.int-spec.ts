import { DataSource } from 'typeorm';
import { intakeService } from '../main';
import { reportBody } from '../../test/report-fixture';
import { http, settle, useService } from '@test/support/service-harness';

describe('intake: POST /v1/reports/batch and /v1/reports/import', () => {
  const fx = useService(intakeService, async (events) => {
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    await events.unit({ code: '29239', type: 'commune', adminParentCode: '842' });
    const portal = await events.key('portal', '29236');
    return { portal };
  });
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
    fx.svc.app.get(DataSource).query(sql, params);
  const count = async (table: string) => Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0].n);
  const report = reportBody;

  it('accepts the valid items, rejects the others with their fields, and answers per item', async () => {
    const res = await http(fx.svc, 'POST', '/v1/reports/batch', {
      key: fx.world.portal,
      body: {
        reports: [
          report(),
          report({ installed: 900 }),
          report({ orgUnitCode: '29239' }),
          report({ orgUnitCode: 'NOPE' }),
          report({ cohort: 'students' }),
          report({ asOf: '2020-02-30' }),
          report(),
          report({ installed: 510 }),
          report({ headcount: 'many', extra: 1 }),
          42,
        ],
      },
    });
    expect(res.status).toBe(200);
    const r = res.body.results;
    expect(res.body).toMatchObject({ accepted: 2, unchanged: 1, rejected: 7 });
    expect(r[0]).toEqual({ index: 0, status: 'accepted', reportId: expect.any(String), revision: 1 });
    expect(r[1]).toMatchObject({ index: 1, status: 'rejected', errors: [{ field: 'installed' }] });
    expect(r[2]).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'orgUnitCode', message: expect.stringContaining('may not act for unit 29239') }],
    });
    expect(r[3]).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'orgUnitCode', message: expect.stringContaining('not a known unit') }],
    });
    expect(r[4]).toMatchObject({ status: 'rejected', errors: [{ field: 'cohort' }] });
    expect(r[5]).toMatchObject({ status: 'rejected', errors: [{ field: 'asOf' }] });
    // The same item twice in one batch counts once; a different one after it is a correction.
    expect(r[6]).toEqual({ index: 6, status: 'unchanged', reportId: r[0].reportId, revision: 1 });
    expect(r[7]).toEqual({ index: 7, status: 'accepted', reportId: expect.any(String), revision: 2 });
    expect(r[8].errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'headcount']);
    expect(r[9]).toMatchObject({ status: 'rejected', errors: [{ field: 'body' }] });
    // Counted on the batch's own day (2020-08-25): the other tests report on other days.
    expect(Number((await q<{ n: string }>(`SELECT count(*) AS n FROM reports WHERE as_of = '2020-08-25'`))[0].n)).toBe(2);
    expect(Number((await q<{ n: string }>(`SELECT count(*) AS n FROM outbox WHERE envelope->'data'->>'asOf' = '2020-08-25'`))[0].n)).toBe(
      2,
    );
  });

  it('replays a batch or a CSV file sent again with the same Idempotency-Key and refuses another body under it (422)', async () => {
    const body = { reports: [report({ asOf: '2020-08-10' }), report({ asOf: '2020-08-11' })] };
    const headers = { 'idempotency-key': 'batch-7' };
    const first = await http(fx.svc, 'POST', '/v1/reports/batch', { key: fx.world.portal, body, headers });
    expect(first.body.accepted).toBe(2);
    const outbox = await count('outbox');
    const again = await http(fx.svc, 'POST', '/v1/reports/batch', { key: fx.world.portal, body, headers });
    expect(again.body).toEqual(first.body);
    expect(await count('outbox')).toBe(outbox);
    const other = await http(fx.svc, 'POST', '/v1/reports/batch', {
      key: fx.world.portal,
      body: { reports: [report({ asOf: '2020-08-12' })] },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');

    const csv = (installed: number) =>
      `org_unit_code,cohort,as_of,headcount,smartphone_holders,installed,bluetooth_on\n29236,residents,2020-08-13,1000,800,${installed},10\n`;
    const post = (text: string) =>
      http(fx.svc, 'POST', '/v1/reports/import', { key: fx.world.portal, raw: text, headers: { ...headers, 'content-type': 'text/csv' } });
    const file = await post(csv(300));
    expect(file.body).toMatchObject({ accepted: 1 });
    const fileOutbox = await count('outbox');
    const fileAgain = await post(csv(300));
    expect(fileAgain.body).toEqual(file.body);
    expect(fileAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(await count('outbox')).toBe(fileOutbox);
    expect((await post(csv(301))).status).toBe(422);
  });

  it('takes 10,000 reports in one request and one transaction, and counts a resend as unchanged', async () => {
    const units = Array.from({ length: 200 }, (_, i) => `H${String(i).padStart(4, '0')}`);
    for (const code of units) await fx.events.unit({ code, type: 'hamlet', adminParentCode: '29236' });
    await settle(fx.svc);
    const days = Array.from({ length: 50 }, (_, i) => `2020-07-${String((i % 31) + 1).padStart(2, '0')}`);
    const items = units.flatMap((u, i) =>
      days.map((d, j) =>
        j < 31
          ? report({ orgUnitCode: u, asOf: d, installed: 100 + i, bluetoothOn: j })
          : report({ orgUnitCode: u, asOf: d, installed: 300 + i, bluetoothOn: j }),
      ),
    );
    expect(items).toHaveLength(10_000);
    const before = await count('outbox');
    const t0 = Date.now();
    const res = await http(fx.svc, 'POST', '/v1/reports/batch', { key: fx.world.portal, body: { reports: items } });
    const ms = Date.now() - t0;
    expect(res.status).toBe(200);
    // Days 32..50 repeat days 1..19 with other counts: corrections inside the same batch.
    expect(res.body).toMatchObject({ accepted: 10_000, rejected: 0 });
    expect(res.body.results.filter((r: { revision: number }) => r.revision === 2)).toHaveLength(200 * 19);
    process.stdout.write(`batch of 10,000 reports: ${ms} ms (${Math.round(10_000 / (ms / 1000))}/s)\n`);
    expect(await count('outbox')).toBe(before + 10_000);
    // One transaction: every row of the batch carries the one submission time of its transaction.
    const stamps = await q<{ n: string }>(`SELECT count(DISTINCT submitted_at) AS n FROM reports WHERE org_unit_code LIKE 'H%'`);
    expect(stamps[0].n).toBe('1');
    const again = await http(fx.svc, 'POST', '/v1/reports/batch', { key: fx.world.portal, body: { reports: items } });
    // Resending: the latest revision of each key is unchanged; the superseded first-day figures are corrections again.
    expect(again.body.rejected).toBe(0);
    expect(again.body.unchanged + again.body.accepted).toBe(10_000);
  }, 120_000);

  it('imports a CSV with English headers and answers per line with the file line numbers', async () => {
    const csv = [
      'org_unit_code,cohort,as_of,headcount,smartphone_holders,installed,bluetooth_on',
      '29236,residents,2020-08-01,100,80,50,40',
      '29236,residents,2020-08-02,100,80,90,40',
      '',
      '29239,residents,2020-08-01,100,80,50,40',
      '29236,staff,2020-08-01,20,20,20,twenty',
      '29236,staff,02/08/2020,20,20,20,19',
    ].join('\n');
    const res = await http(fx.svc, 'POST', '/v1/reports/import', {
      key: fx.world.portal,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 2, rejected: 3 });
    expect(res.body.results.map((r: { line: number; status: string }) => [r.line, r.status])).toEqual([
      [2, 'accepted'],
      [3, 'rejected'],
      [5, 'rejected'],
      [6, 'rejected'],
      [7, 'accepted'],
    ]);
    expect(res.body.results[1].errors[0].field).toBe('installed');
    expect(res.body.results[3].errors[0].field).toBe('bluetoothOn');
    const staff = await http(fx.svc, 'GET', '/v1/reports?unit=29236&cohort=staff&from=2020-08-01&to=2020-08-02', { key: fx.world.portal });
    expect(staff.body.items.map((r: { asOf: string }) => r.asOf)).toEqual(['2020-08-02']);
  });

  it('imports a CSV with Vietnamese headers, Vietnamese dates and cohort names', async () => {
    const csv =
      '\ufeffMã đơn vị,Nhóm,Ngày,Tổng số,Có điện thoại thông minh,Đã cài đặt,Bật Bluetooth\n29236,Người dân,15/08/2020,1200,900,600,550\n29236,Cán bộ,15/08/2020,40,40,39,39\n';
    const res = await http(fx.svc, 'POST', '/v1/reports/import', {
      key: fx.world.portal,
      raw: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 2, rejected: 0 });
    const list = await http(fx.svc, 'GET', '/v1/reports?unit=29236&from=2020-08-15&to=2020-08-15', { key: fx.world.portal });
    expect(list.body.items.map((r: { cohort: string; headcount: number }) => [r.cohort, r.headcount]).sort()).toEqual([
      ['residents', 1200],
      ['staff', 40],
    ]);
  });

  it('refuses a CSV whose header lacks columns, or that is not CSV at all, naming what is wrong', async () => {
    const noCols = await http(fx.svc, 'POST', '/v1/reports/import', {
      key: fx.world.portal,
      raw: 'org_unit_code,cohort\n29236,residents\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(noCols.status).toBe(400);
    expect(noCols.body.errors[0]).toMatchObject({ field: 'header', message: expect.stringContaining('as_of') });
    const broken = await http(fx.svc, 'POST', '/v1/reports/import', {
      key: fx.world.portal,
      raw: 'org_unit_code,"cohort\n1,2',
      headers: { 'content-type': 'text/csv' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].field).toBe('body');
    const json = await http(fx.svc, 'POST', '/v1/reports/import', { key: fx.world.portal, body: { reports: [] } });
    expect(json.status).toBe(415);
  });
});
