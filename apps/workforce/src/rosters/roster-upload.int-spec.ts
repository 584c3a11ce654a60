import ExcelJS from 'exceljs';
import { workforceService } from '../main';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { waitFor } from '@test/support/int-env';
import { rosterXlsx, worker, type Worker } from '../../test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../test/workforce-world';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** An upload taken: in force (201), or held as pending (202) when it replaces most of the roster in force. */
const TAKEN = [201, 202];

describe('workforce: roster uploads, validation and scope', () => {
  let svc: RunningService;
  let events: EventInjector;
  let keys: WorkforceKeys;

  beforeAll(async () => {
    svc = await startService(workforceService);
    events = await EventInjector.open(svc.namespace);
    keys = await publishWorld(events);
    await settle(svc);
  });
  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  const csv = (text: string, lang = 'en') => ({
    raw: Buffer.from(text, 'utf8'),
    headers: { 'content-type': 'text/csv; charset=utf-8', 'accept-language': lang },
  });

  it('takes English headers and every flag style, and rejects bad rows with their line and reason only', async () => {
    const body = [
      'employee_id,full_name,phone,has_smartphone,installed,bluetooth_on',
      'E1,An Nguyen,0901000001,yes,yes,yes', // 2 ok
      'E2,Binh Tran,0901000002,1,1,0', // 3 ok
      'E3,Chi Le,0901000003,x,,', // 4 ok
      'E4,Dung Pham,0901000004,có,không,không', // 5 ok
      'E5,Em Vo,0901000005,no,no,yes', // 6 bluetooth without installed
      'E6,Giang Do,0901000006,false,true,false', // 7 installed without smartphone
      'E1,An Again,0901000007,true,true,true', // 8 duplicate of line 2
      'E8,Hoa Bui,0901000008,maybe,1,1', // 9 unknown flag
      ',Nobody,0901000009,1,1,1', // 10 empty id
      '', // blank line, skipped
      'E10,Khanh Ho,0901000010,TRUE,FALSE,FALSE', // 12 ok
    ].join('\n');
    const res = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', { key: keys.ezBoard, ...csv(body) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      rowsRead: 10,
      rowsAccepted: 5,
      rowsRejected: 5,
      headcount: 5,
      smartphoneHolders: 5,
      installed: 2,
      bluetoothOn: 1,
      revision: 1,
    });
    expect(res.body.rejected).toEqual([
      { line: 6, reason: 'Bluetooth on without Bluezone installed' },
      { line: 7, reason: 'installed without a smartphone' },
      { line: 8, reason: 'duplicate employee id (first on line 2)' },
      { line: 9, reason: expect.stringMatching(/^unknown flag in has_smartphone/) },
      { line: 10, reason: 'empty employee id' },
    ]);
    expect(res.text).not.toMatch(/E1|E5|E8|Nguyen|0901/);
    expect(res.body.diff).toEqual({ joined: 5, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 });

    const progress = await http(svc, 'GET', `/v1/roster-imports/${res.body.importId}`, { key: keys.portalA });
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({
      id: res.body.importId,
      enterpriseCode: 'DN-A',
      asOf: '2020-08-20',
      state: 'completed',
      format: 'csv',
      rowsRead: 10,
      rowsAccepted: 5,
      rowsRejected: 5,
      rejectedNotListed: 0,
      aggregates: { headcount: 5, smartphoneHolders: 5, installed: 2, bluetoothOn: 1 },
      diff: { joined: 5, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 },
    });
    expect(progress.body.rejected).toHaveLength(5);
  });

  it('computes the diff against the previous roster by hashed id: joined, left, newly installed, newly Bluetooth on', async () => {
    const head = 'Mã NV;Họ tên;Có điện thoại thông minh;Đã cài Bluezone;Bật Bluetooth\n';
    const first = head + ['A1;x;có;không;không', 'A2;x;có;có;không', 'A3;x;có;có;có', 'A4;x;không;không;không'].join('\n');
    const r1 = await http(svc, 'POST', '/v1/enterprises/DN-B/rosters?asOf=2020-08-21', { key: keys.ezBoard, ...csv(first) });
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({ headcount: 4, smartphoneHolders: 3, installed: 2, bluetoothOn: 1 });
    // A1 installs, A2 turns Bluetooth on, A3 stays, A4 leaves, A5 and A6 join (A6 already installed: joined only).
    const second = head + ['a1 ;x;có;có;không', 'A2;x;có;có;có', 'A3;x;có;có;có', 'A5;x;không;không;không', 'A6;x;có;có;có'].join('\n');
    const r2 = await http(svc, 'POST', '/v1/enterprises/DN-B/rosters?asOf=2020-08-22', { key: keys.ezBoard, ...csv(second) });
    // One of four workers leaves: 25 %, more than the 20 % a replacement may remove at once, so it is held.
    expect(r2.status).toBe(202);
    expect(r2.body).toMatchObject({
      state: 'pending',
      revision: null,
      removalShare: 0.25,
      headcount: 5,
      smartphoneHolders: 4,
      installed: 4,
      bluetoothOn: 3,
    });
    expect(r2.body.figures).toEqual({
      before: { headcount: 4, smartphoneHolders: 3, installed: 2, bluetoothOn: 1 },
      after: { headcount: 5, smartphoneHolders: 4, installed: 4, bluetoothOn: 3 },
    });
    expect(r2.body.diff).toEqual({ joined: 2, left: 1, newlyInstalled: 1, newlyBluetoothOn: 1 });
    const confirmed = await http(svc, 'POST', `/v1/roster-imports/${r2.body.importId}/confirm`, {
      key: keys.ezBoard,
      body: { previewToken: r2.body.previewToken },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'completed', revision: 1, diff: r2.body.diff, previewToken: null });
  });

  it('takes an .xlsx as a raw body and as a multipart file part, with the same result as the CSV', async () => {
    const list: Worker[] = Array.from({ length: 300 }, (_, i) => worker(i + 1));
    const xlsx = await rosterXlsx(list);
    const raw = await http(svc, 'POST', '/v1/enterprises/DN-C/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      raw: xlsx,
      headers: { 'content-type': XLSX },
    });
    expect(raw.status).toBe(201);
    const expected = {
      headcount: 300,
      smartphoneHolders: list.filter((w) => w.smartphone).length,
      installed: list.filter((w) => w.installed).length,
      bluetoothOn: list.filter((w) => w.bluetoothOn).length,
    };
    expect(raw.body).toMatchObject({ ...expected, rowsRejected: 0 });

    const form = new FormData();
    form.append('note', 'tháng 8');
    form.append('file', new Blob([xlsx], { type: XLSX }), 'danh-sach.xlsx');
    const res = await fetch(`${svc.url}/v1/enterprises/DN-C/rosters?asOf=2020-08-20`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.ezBoard}` },
      body: form,
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(201);
    expect(body).toMatchObject({ ...expected, revision: 2, diff: { joined: 0, left: 0, newlyInstalled: 0, newlyBluetoothOn: 0 } });

    const octet = await http(svc, 'POST', '/v1/enterprises/DN-C/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      raw: xlsx,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(octet.status).toBe(201);
    expect(octet.body).toMatchObject({ ...expected, revision: 3 });
  });

  it('refuses a whole file that is empty, headerless, not CSV/XLSX, or sent as another media type, and changes nothing', async () => {
    const before = await rosterOf('DN-A');
    const empty = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', { key: keys.ezBoard, ...csv('') });
    expect(empty.status).toBe(422);
    expect(empty.body.detail).toMatch(/empty/);
    // Vietnamese first: without an Accept-Language that ranks English higher, the clerk reads Vietnamese.
    for (const lang of ['', 'vi', 'fr, en;q=0.5, vi;q=0.8']) {
      const vi = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', { key: keys.ezBoard, ...csv('', lang) });
      expect({ lang, status: vi.status, detail: vi.body.detail }).toEqual({ lang, status: 422, detail: 'Tệp trống' });
    }
    const noHeaderVi = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      ...csv('a,b\n1,2\n', 'vi-VN'),
    });
    expect(noHeaderVi.body.detail).toMatch(/^Không nhận ra dòng tiêu đề: không dòng nào trong 10 dòng đầu ghi tên cột .* Mã NV/);
    const blank = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', { key: keys.ezBoard, ...csv('\n\n  \n') });
    expect(blank.status).toBe(422);
    const headerOnly = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      ...csv('employee_id,has_smartphone,installed,bluetooth_on\n'),
    });
    expect(headerOnly.status).toBe(422);
    expect(headerOnly.body.detail).toMatch(/no rows/);
    const noHeader = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      ...csv('NV1,An,1,1,1\nNV2,Binh,1,0,0\n'),
    });
    expect(noHeader.status).toBe(422);
    expect(noHeader.body.detail).toMatch(/no recognisable header/);
    expect(noHeader.text).not.toMatch(/NV1|Binh/);
    const partial = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      ...csv('Mã NV,Họ tên,Đã cài Bluezone\nNV1,An,1\n'),
    });
    expect(partial.status).toBe(422);
    expect(partial.body.detail).toBe(
      'no complete header in the first 10 rows: the closest is line 1, whose columns found are “Mã NV” (employee_id), “Đã cài Bluezone” (installed); ' +
        'it lacks the column(s) has_smartphone, bluetooth_on; expected employee_id, has_smartphone, installed, bluetooth_on ' +
        '(or Mã NV, Có điện thoại thông minh, Đã cài Bluezone, Bật Bluetooth)',
    );
    expect(partial.text).not.toMatch(/NV1|An\b/);
    const pdf = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      raw: Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 3, 0xff, 0xfe]),
      headers: { 'content-type': 'text/csv', 'accept-language': 'en-US' },
    });
    expect(pdf.status).toBe(415);
    expect(pdf.body.detail).toMatch(/neither CSV .* nor XLSX/);
    const json = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', { key: keys.ezBoard, body: { rows: [] } });
    expect(json.status).toBe(415);
    const image = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      raw: Buffer.from('GIF89a'),
      headers: { 'content-type': 'image/gif' },
    });
    expect(image.status).toBe(415);
    expect(image.headers.get('content-type')).toContain('application/problem+json');
    const allBad = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-20', {
      key: keys.ezBoard,
      ...csv('Mã NV,Có điện thoại thông minh,Đã cài Bluezone,Bật Bluetooth\nX1,không,có,có\n'),
    });
    expect(allBad.status).toBe(422);
    expect(allBad.body.rejected).toEqual([{ line: 2, reason: 'installed without a smartphone' }]);
    const failed = await http(svc, 'GET', `/v1/roster-imports/${allBad.body.importId}`, { key: keys.ezBoard });
    expect(failed.body).toMatchObject({ state: 'failed', rowsRejected: 1 });
    expect(await rosterOf('DN-A')).toEqual(before);
  });

  it('lets only the EZ board and the enterprise itself upload, only for enterprises, only for past dates', async () => {
    const body = csv('employee_id,has_smartphone,installed,bluetooth_on\nZ1,1,1,1\n');
    expect(TAKEN).toContain(
      (await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-23', { key: keys.portalA, ...body })).status,
    );
    expect(TAKEN).toContain(
      (await http(svc, 'POST', '/v1/enterprises/DN-E/rosters?asOf=2020-08-23', { key: keys.ezBoard, ...body })).status,
    );
    const otherPortal = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-23', { key: keys.portalOut, ...body });
    expect(otherPortal.status).toBe(403);
    const ezOutside = await http(svc, 'POST', '/v1/enterprises/DN-OUT/rosters?asOf=2020-08-23', { key: keys.ezBoard, ...body });
    expect(ezOutside.status).toBe(403);
    expect((await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-23', { key: keys.transport, ...body })).status).toBe(403);
    expect((await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-23', { key: keys.analyst, ...body })).status).toBe(403);
    expect((await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-23', { key: null, ...body })).status).toBe(401);
    const park = await http(svc, 'POST', '/v1/enterprises/KCN-LONGDUC/rosters?asOf=2020-08-23', { key: keys.ezBoard, ...body });
    expect(park.status).toBe(422);
    expect(park.body.detail).toMatch(/not an enterprise/);
    expect((await http(svc, 'POST', '/v1/enterprises/DN-NOPE/rosters?asOf=2020-08-23', { key: keys.ezBoard, ...body })).status).toBe(404);
    const future = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2999-01-01', { key: keys.ezBoard, ...body });
    expect(future.status).toBe(422);
    const badDate = await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-02-30', { key: keys.ezBoard, ...body });
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].field).toBe('asOf');
    // Progress of another enterprise's import is not shown to a portal key.
    const out = await http(svc, 'POST', '/v1/enterprises/DN-OUT/rosters?asOf=2020-08-23', { key: keys.portalOut, ...body });
    expect(TAKEN).toContain(out.status);
    expect((await http(svc, 'GET', `/v1/roster-imports/${out.body.importId}`, { key: keys.portalA })).status).toBe(404);
    expect((await http(svc, 'GET', `/v1/roster-imports/${out.body.importId}`, { key: keys.analyst })).status).toBe(200);
    // The enterprise's own key lists its imports (two at least: the one above and this one).
    expect(TAKEN).toContain(
      (await http(svc, 'POST', '/v1/enterprises/DN-A/rosters?asOf=2020-08-23', { key: keys.ezBoard, ...body })).status,
    );
    const list = await http(svc, 'GET', '/v1/enterprises/DN-A/roster-imports?limit=2', { key: keys.portalA });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
  });

  it("keeps an EZ-board key to its own unit's subtree: a park's key cannot replace another zone's rosters", async () => {
    // DN-A…DN-D answer to the park KCN-LONGDUC, DN-E to the zone KKT-DINHAN; both answer to the board BQL-KKT.
    const parkKey = await events.key('ez_board', 'KCN-LONGDUC');
    await settle(svc);
    const body = csv('employee_id,has_smartphone,installed,bluetooth_on\nP1,1,1,1\n');
    const inPark = await http(svc, 'POST', '/v1/enterprises/DN-B/rosters?asOf=2020-08-24', { key: parkKey, ...body });
    expect(TAKEN).toContain(inPark.status);
    const before = await rosterOf('DN-E');
    const otherZone = await http(svc, 'POST', '/v1/enterprises/DN-E/rosters?asOf=2020-08-24', { key: parkKey, ...body });
    expect(otherZone.status).toBe(403);
    expect(otherZone.headers.get('content-type')).toContain('application/problem+json');
    expect(otherZone.body.detail).toBe(
      'this EZ-board key acts for unit KCN-LONGDUC and its subtree only: it may not act for unit DN-E, which is outside it',
    );
    const otherZoneVi = await http(svc, 'POST', '/v1/enterprises/DN-E/rosters?asOf=2020-08-24', { key: parkKey, ...csv('x\n', 'vi') });
    expect(otherZoneVi.status).toBe(403);
    expect(otherZoneVi.body.detail).toMatch(/^Khóa của Ban quản lý này chỉ dùng cho đơn vị KCN-LONGDUC/);
    expect(await rosterOf('DN-E')).toEqual(before);
    expect((await http(svc, 'POST', '/v1/enterprises/DN-OUT/rosters?asOf=2020-08-24', { key: parkKey, ...body })).status).toBe(403);
    // Reads follow the same rule; the board's own key still covers every zone and park under it.
    expect((await http(svc, 'GET', '/v1/enterprises/DN-E/roster-imports', { key: parkKey })).status).toBe(403);
    expect((await http(svc, 'GET', `/v1/roster-imports/${inPark.body.importId}`, { key: parkKey })).status).toBe(200);
    const boardUpload = await http(svc, 'POST', '/v1/enterprises/DN-E/rosters?asOf=2020-08-24', { key: keys.ezBoard, ...body });
    expect(TAKEN).toContain(boardUpload.status);
    expect((await http(svc, 'GET', `/v1/roster-imports/${boardUpload.body.importId}`, { key: parkKey })).status).toBe(404);
  });

  it('finds the header below title and blank rows (a dry run: nothing changes)', async () => {
    const body = [
      'DANH SÁCH NGƯỜI LAO ĐỘNG CÀI ĐẶT BLUEZONE',
      ',,,,',
      'Công ty TNHH Long Đức - tháng 8/2020',
      '',
      'Mã NV,Họ tên,Có điện thoại thông minh,Đã cài Bluezone,Bật Bluetooth',
      'NV1,An,có,có,không',
      'NV2,Bình,có,không,không',
      'NV3,Chi,có,có',
    ].join('\n');
    const res = await http(svc, 'POST', '/v1/enterprises/DN-D/rosters?asOf=2020-08-20&dryRun=true', { key: keys.ezBoard, ...csv(body) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'preview', rowsAccepted: 2, rowsRejected: 1, headcount: 2, installed: 1 });
    expect(res.body.rejected).toEqual([{ line: 8, reason: '4 field(s) where the header has 5: the row is cut short' }]);
  });

  it('reads an XLSX whose title is merged across the sheet and whose header spans two rows of merged cells', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Danh sách');
    ws.getCell('A1').value = 'DANH SÁCH NGƯỜI LAO ĐỘNG - CÔNG TY TNHH LONG ĐỨC';
    ws.mergeCells('A1:F1');
    ws.getRow(3).values = ['STT', 'Mã NV', 'Họ và tên', 'Có điện thoại thông minh', 'Bluezone', null];
    ws.getRow(4).values = [null, null, null, null, 'Đã cài', 'Bật Bluetooth'];
    for (const col of ['A', 'B', 'C', 'D']) ws.mergeCells(`${col}3:${col}4`);
    ws.mergeCells('E3:F3');
    ws.getRow(5).values = [1, 'NV1', 'Nguyễn Văn An', 'x', 'x', 'x'];
    ws.getRow(6).values = [2, 'NV2', 'Trần Thị Bình', 'x', 'x', null];
    ws.getRow(7).values = [3, 'NV3', 'Lê Chi', null, null, null];
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await http(svc, 'POST', '/v1/enterprises/DN-D/rosters?asOf=2020-08-20&dryRun=true', {
      key: keys.ezBoard,
      raw: file,
      headers: { 'content-type': XLSX },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rowsAccepted: 3, rowsRejected: 0, headcount: 3, smartphoneHolders: 2, installed: 2, bluetoothOn: 1 });
  });

  it('names, in English or Vietnamese, what it found when no row is a complete header', async () => {
    const none = await http(svc, 'POST', '/v1/enterprises/DN-D/rosters?asOf=2020-08-20&dryRun=true', {
      key: keys.ezBoard,
      ...csv('Số hiệu,Tên,ĐTDĐ\nA1,An,1\n', 'en-GB'),
    });
    expect(none.status).toBe(422);
    expect(none.body.detail).toMatch(
      /^no recognisable header: none of the first 10 rows names a roster column; .* employee_id, has_smartphone/,
    );
    const partialVi = await http(svc, 'POST', '/v1/enterprises/DN-D/rosters?asOf=2020-08-20&dryRun=true', {
      key: keys.ezBoard,
      ...csv('Danh sách cài Bluezone\nMã NV,Họ tên,Bật Bluetooth,Đã cài\nNV1,An,1,1\n', 'vi'),
    });
    expect(partialVi.status).toBe(422);
    expect(partialVi.body.detail).toMatch(
      /^Không tìm thấy dòng tiêu đề đầy đủ trong 10 dòng đầu: gần nhất là dòng 2, có các cột “Mã NV” \(employee_id\), “Đã cài” \(installed\), “Bật Bluetooth” \(bluetooth_on\); còn thiếu cột has_smartphone/,
    );
  });

  it.each(['vi', 'en'])('serves templates (%s) that are themselves valid rosters, as CSV and XLSX, without a key', async (lang) => {
    for (const [ext, type] of [
      ['csv', 'text/csv'],
      ['xlsx', XLSX],
    ]) {
      const res = await fetch(`${svc.url}/v1/roster-template.${ext}?lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="roster-template-${lang}.${ext}"`);
      const file = Buffer.from(await res.arrayBuffer());
      const dry = await http(svc, 'POST', '/v1/enterprises/DN-D/rosters?asOf=2020-08-20&dryRun=true', {
        key: keys.ezBoard,
        raw: file,
        headers: { 'content-type': type },
      });
      expect({ ext, status: dry.status }).toEqual({ ext, status: 200 });
      expect(dry.body).toMatchObject({
        rowsAccepted: 3,
        rowsRejected: 0,
        headcount: 3,
        smartphoneHolders: 2,
        installed: 2,
        bluetoothOn: 1,
      });
    }
  });

  it('names the first line of a repeated id within a staged chunk and across chunks (10,000 rows a chunk)', async () => {
    // Line n holds W<n>, except the repeats: E1 on lines 2, 5 and 10003 (the second chunk), E2 on lines 10004 and 10006.
    const lines = ['employee_id,full_name,phone,has_smartphone,installed,bluetooth_on'];
    for (let line = 2; line <= 10_008; line++) {
      const id = [2, 5, 10_003].includes(line) ? 'E1' : [10_004, 10_006].includes(line) ? 'E2' : `W${line}`;
      lines.push(`${id},x,0,yes,yes,${line % 2 ? 'yes' : 'no'}`);
    }
    const res = await http(svc, 'POST', '/v1/enterprises/DN-C/rosters?asOf=2020-08-24&dryRun=true', {
      key: keys.ezBoard,
      ...csv(lines.join('\n')),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'preview', rowsRead: 10_007, rowsAccepted: 10_004, rowsRejected: 3, headcount: 10_004 });
    // Of the rows taken, the odd lines have Bluetooth on: 5,002 of lines 2…10008 less the repeats on lines 5 and 10003.
    expect(res.body.bluetoothOn).toBe(5_003 - 2);
    expect(res.body.rejected).toEqual([
      { line: 5, reason: 'duplicate employee id (first on line 2)' },
      { line: 10_003, reason: 'duplicate employee id (first on line 2)' },
      { line: 10_006, reason: 'duplicate employee id (first on line 10004)' },
    ]);
  });

  it('keeps other routes on JSON: a CSV body elsewhere is refused 415', async () => {
    const res = await http(svc, 'POST', '/v1/transport-hubs/BX-TRAVINH/checks', {
      key: keys.transport,
      ...csv('date,passengersChecked\n2020-08-20,1\n'),
    });
    expect(res.status).toBe(415);
  });

  async function rosterOf(code: string): Promise<unknown> {
    await waitFor(async () => true, 'noop');
    const ds = svc.runtime['dataSource'] as { query: (s: string, p: unknown[]) => Promise<unknown[]> };
    return ds.query(`SELECT as_of::text, import_id, revision, headcount FROM rosters WHERE enterprise_code = $1 ORDER BY as_of`, [code]);
  }
});
