// Issue 21, item 7 (intake): an EZ-board key acts for its own unit's subtree only. A key issued for one
// industrial park may not write or read the reports of an enterprise in another economic zone, whether the
// report comes alone, in a batch or in a CSV file; it still reports for the enterprises of its own park.
import { waitFor } from '../support/int-env';
import { http } from '../support/service-harness';
import { System } from '../support/system';

const UNITS: Array<[string, Record<string, unknown>]> = [
  ['84', { name: 'Tỉnh Trà Vinh', type: 'province' }],
  ['842', { name: 'Huyện Càng Long', type: 'district', adminParentCode: '84' }],
  ['BQL-KKT', { name: 'Ban quản lý Khu kinh tế', type: 'department', bloc: 'state', accountableToCode: '84' }],
  ['KKT-A', { name: 'Khu kinh tế A', type: 'economic_zone', adminParentCode: '84', accountableToCode: 'BQL-KKT' }],
  ['KCN-A', { name: 'Khu công nghiệp A', type: 'industrial_park', adminParentCode: '842', accountableToCode: 'KKT-A' }],
  ['KKT-B', { name: 'Khu kinh tế B', type: 'economic_zone', adminParentCode: '84', accountableToCode: 'BQL-KKT' }],
  ['DN-A', { name: 'Công ty A', type: 'enterprise', accountableToCode: 'KCN-A' }],
  ['DN-B', { name: 'Công ty B', type: 'enterprise', accountableToCode: 'KKT-B' }],
];

const report = (orgUnitCode: string, installed: number) => ({
  orgUnitCode,
  cohort: 'enterprise_workers',
  asOf: '2020-08-20',
  headcount: 100,
  smartphoneHolders: 90,
  installed,
  bluetoothOn: 10,
});
const csv = (orgUnitCode: string, installed: number) =>
  `org_unit_code,cohort,as_of,headcount,smartphone_holders,installed,bluetooth_on\n${orgUnitCode},enterprise_workers,2020-08-20,100,90,${installed},10\n`;

describe('intake: an EZ-board key for one park cannot report for another zone’s enterprise', () => {
  let sys: System;
  let intake: { url: string };
  let parkKey: string;
  let boardKey: string;

  beforeAll(async () => {
    sys = await System.create('ezscope');
    await sys.startMany(['registry', 'intake']);
    const registry = { url: sys.url('registry') };
    intake = { url: sys.url('intake') };
    for (const [code, body] of UNITS) {
      const res = await http(registry, 'PUT', `/v1/org-units/${code}`, { key: sys.adminKey, body });
      expect({ code, status: res.status }).toEqual({ code, status: 201 });
    }
    const issue = async (orgUnitCode: string) => {
      const res = await http(registry, 'POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ez_board', orgUnitCode } });
      expect(res.status).toBe(201);
      return res.body.key as string;
    };
    parkKey = await issue('KCN-A');
    boardKey = await issue('BQL-KKT');
    // The replica holds both keys and both enterprises once the board's key may report for DN-B.
    await waitFor(
      async () => (await http(intake, 'POST', '/v1/reports', { key: boardKey, body: report('DN-B', 20) })).status === 202,
      'intake to know the keys and units',
      60_000,
      250,
    );
    await waitFor(async () => (await http(intake, 'GET', '/v1/whoami', { key: parkKey })).status === 200, 'the park key', 60_000, 250);
  });
  afterAll(async () => {
    await sys?.dispose();
  });

  const outsideMessage = expect.stringContaining(
    'this EZ-board key acts for unit KCN-A and its subtree only: it may not act for unit DN-B',
  );

  it('refuses a single report for the other zone with 403 problem+json, and accepts one for its own park', async () => {
    const refused = await http(intake, 'POST', '/v1/reports', { key: parkKey, body: report('DN-B', 30) });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      status: 403,
      detail: expect.stringMatching(/^Khóa của Ban quản lý này chỉ dùng cho đơn vị KCN-A/),
    });
    expect(refused.body.detail).toContain(
      'this EZ-board key acts for unit KCN-A and its subtree only: it may not act for unit DN-B, which is outside it',
    );
    const own = await http(intake, 'POST', '/v1/reports', { key: parkKey, body: report('DN-A', 30) });
    expect(own.status).toBe(202);
    // With an Idempotency-Key the report takes the other write path: the same rule.
    const keyed = await http(intake, 'POST', '/v1/reports', {
      key: parkKey,
      body: report('DN-B', 31),
      headers: { 'idempotency-key': 'ez-single-1' },
    });
    expect(keyed.status).toBe(403);
  });

  it('rejects the other zone’s item of a batch and accepts its own park’s', async () => {
    const res = await http(intake, 'POST', '/v1/reports/batch', {
      key: parkKey,
      body: { reports: [report('DN-A', 40), report('DN-B', 40)] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.body.results[0]).toMatchObject({ index: 0, status: 'accepted' });
    expect(res.body.results[1]).toEqual({ index: 1, status: 'rejected', errors: [{ field: 'orgUnitCode', message: outsideMessage }] });
  });

  it('rejects the other zone’s line of a CSV import and accepts its own park’s', async () => {
    const body = csv('DN-A', 50) + csv('DN-B', 50).split('\n')[1] + '\n';
    const res = await http(intake, 'POST', '/v1/reports/import', { key: parkKey, raw: body, headers: { 'content-type': 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.body.results[0]).toMatchObject({ line: 2, status: 'accepted' });
    expect(res.body.results[1]).toEqual({ line: 3, status: 'rejected', errors: [{ field: 'orgUnitCode', message: outsideMessage }] });
    const alone = await http(intake, 'POST', '/v1/reports/import', {
      key: parkKey,
      raw: csv('DN-B', 51),
      headers: { 'content-type': 'text/csv' },
    });
    expect(alone.body).toMatchObject({ accepted: 0, rejected: 1 });
  });

  it('reads only its own subtree: the other zone’s reports are 403 by unit and absent from the list', async () => {
    const byUnit = await http(intake, 'GET', '/v1/reports?unit=DN-B', { key: parkKey });
    expect(byUnit.status).toBe(403);
    expect(byUnit.headers.get('content-type')).toContain('application/problem+json');
    // A report of its own park's, so the list has something of its own whichever tests ran before.
    expect((await http(intake, 'POST', '/v1/reports', { key: parkKey, body: report('DN-A', 60) })).status).toBe(202);
    const all = await http(intake, 'GET', '/v1/reports?limit=100', { key: parkKey });
    expect(all.status).toBe(200);
    expect(new Set(all.body.items.map((r: { orgUnitCode: string }) => r.orgUnitCode))).toEqual(new Set(['DN-A']));
    // The board's key covers both zones; DN-B holds only what the board wrote.
    const board = await http(intake, 'GET', '/v1/reports?unit=DN-B', { key: boardKey });
    expect(board.status).toBe(200);
    expect(board.body.items.map((r: { installed: number }) => r.installed)).toEqual([20]);
  });
});
