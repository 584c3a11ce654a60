import { workforceService } from '../main';
import { http, useService, type RunningService } from '@test/support/service-harness';
import { rosterCsv } from '../../test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../test/workforce-world';

/**
 * The roster upload page (issue 20): which enterprises a key is offered and may send a file for (the one
 * scope rule), and that the cookie it signs in with changes nothing when a form comes from another site.
 */
describe('workforce: the roster upload page', () => {
  const fx = useService(workforceService, publishWorld);
  let svc: RunningService;
  let keys: WorkforceKeys;
  beforeAll(() => ({ svc, world: keys } = fx));
  const q = <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (svc.runtime['dataSource'] as { query: (s: string, p: unknown[]) => Promise<T[]> }).query(sql, params);

  /** The enterprise codes the page offers in its form. */
  const offered = (html: string) => [...html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]).sort();

  /** The page's upload form as a browser sends it: the fields, then the file. */
  function form(enterprise: string, file: Buffer, lang = 'vi', asOf = '20/08/2020'): FormData {
    const f = new FormData();
    f.set('lang', lang);
    f.set('enterprise', enterprise);
    f.set('asOf', asOf);
    f.set('file', new Blob([new Uint8Array(file)], { type: 'text/csv' }), 'roster.csv');
    return f;
  }
  const send = (path: string, body: FormData | URLSearchParams, headers: Record<string, string>) =>
    fetch(`${svc.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });

  it("offers an EZ-board key the enterprises under its board only, and an enterprise's key itself", async () => {
    const board = await http(svc, 'GET', '/rosters', { key: keys.ezBoard });
    expect(board.status).toBe(200);
    expect(board.headers.get('content-type')).toMatch(/^text\/html/);
    expect(board.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'; style-src 'nonce-/);
    expect(offered(board.text)).toEqual(['DN-A', 'DN-B', 'DN-C', 'DN-D', 'DN-E']);
    expect(board.text).toContain('Tải lên danh sách người lao động');
    expect(board.text).toContain('href="/v1/roster-template.xlsx?lang=vi"');
    expect(offered((await http(svc, 'GET', '/rosters', { key: keys.portalA })).text)).toEqual(['DN-A']);
    const analyst = await http(svc, 'GET', '/rosters?lang=en', { key: keys.analyst });
    expect(analyst.status).toBe(403);
    expect(analyst.text).toContain('This key may not upload worker rosters');
    const script = await http(svc, 'GET', '/rosters/assets/roster-drop.js', { key: null });
    expect(script.status).toBe(200);
    expect(script.text).toContain('dataTransfer');
  });

  it("refuses another unit's enterprise with the scope's 403 in the page's language, reading nothing of the file", async () => {
    const vi = await send('/rosters/preview', form('DN-OUT', rosterCsv(10)), { authorization: `Bearer ${keys.ezBoard}` });
    expect(vi.status).toBe(403);
    expect(await vi.text()).toContain(
      'Khóa của Ban quản lý này chỉ dùng cho đơn vị BQL-KKT và các đơn vị trực thuộc; đơn vị DN-OUT nằm ngoài phạm vi đó',
    );
    const en = await send('/rosters/preview', form('DN-OUT', rosterCsv(10), 'en'), { authorization: `Bearer ${keys.ezBoard}` });
    expect(en.status).toBe(403);
    expect(await en.text()).toContain('this EZ-board key acts for unit BQL-KKT and its subtree only: it may not act for unit DN-OUT');
    const future = await send('/rosters/preview', form('DN-B', rosterCsv(10), 'vi', '31/12/2099'), {
      authorization: `Bearer ${keys.ezBoard}`,
    });
    expect(future.status).toBe(422);
    expect(await future.text()).toMatch(
      /Ngày của danh sách phải trong thời gian chiến dịch, từ \d{2}\/\d{2}\/\d{4} đến \d{2}\/\d{2}\/\d{4}\./,
    );
    const fromPortal = await send('/rosters/preview', form('DN-B', rosterCsv(10)), { authorization: `Bearer ${keys.portalA}` });
    expect(fromPortal.status).toBe(403);
    expect(await q(`SELECT id FROM roster_imports WHERE enterprise_code IN ('DN-OUT', 'DN-B')`)).toEqual([]);
  });

  it('shows a dry run as a preview and a pending replacement with its numbers and a confirm button', async () => {
    const preview = await send('/rosters/preview', form('DN-C', rosterCsv(12)), { authorization: `Bearer ${keys.ezBoard}` });
    expect(preview.status).toBe(303);
    const location = preview.headers.get('location')!;
    expect(location).toMatch(/^\/rosters\/imports\/[0-9a-f-]{36}\?lang=vi$/);
    const page = await http(svc, 'GET', location, { key: keys.ezBoard });
    expect(page.text).toContain('data-state="preview"');
    expect(page.text).toMatch(/<div id="rows-accepted"><dt>Dòng được chấp nhận<\/dt><dd>12<\/dd>/);
    expect(page.text).toContain('id="confirm"');
    // An enterprise's key sees the upload of its own enterprise only; DN-C is not DN-A's.
    expect((await http(svc, 'GET', location, { key: keys.portalA })).status).toBe(404);

    // A replacement through the API that removes 119 of 120 workers: held as pending, listed, with its numbers.
    const api = (n: number) =>
      http(svc, 'POST', '/v1/enterprises/DN-D/rosters?asOf=2020-08-20', {
        key: keys.ezBoard,
        raw: rosterCsv(n),
        headers: { 'content-type': 'text/csv' },
      });
    expect((await api(120)).status).toBe(201);
    const held = await api(1);
    expect(held.status).toBe(202);
    const home = await http(svc, 'GET', '/rosters', { key: keys.ezBoard });
    expect(home.text).toContain(`/rosters/imports/${held.body.importId}?lang=vi`);
    expect(home.text).toContain('Đang giữ chờ xác nhận');
    const pending = await http(svc, 'GET', `/rosters/imports/${held.body.importId}`, { key: keys.ezBoard });
    expect(pending.text).toContain('data-state="pending"');
    expect(pending.text).toContain('Danh sách này sẽ loại bỏ 119 trong số 120 người lao động');
    expect(pending.text).toContain('id="confirm"');
    expect(pending.text).toContain('id="reject"');
  });

  it('lets the cookie authorise a form from the page itself only: another site (even a sibling port) changes nothing', async () => {
    const crossLogin = await send('/rosters/login', new URLSearchParams({ key: keys.ezBoard, lang: 'vi' }), {
      'sec-fetch-site': 'same-site',
    });
    expect(crossLogin.status).toBe(403);
    expect(crossLogin.headers.get('set-cookie')).toBeNull();
    const login = await send('/rosters/login', new URLSearchParams({ key: keys.ezBoard, lang: 'vi' }), { 'sec-fetch-site': 'same-origin' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect(cookie).toMatch(/^bz_workforce_key=/);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    expect((await http(svc, 'GET', '/rosters', { key: null, headers: { cookie } })).status).toBe(200);

    const held = await send('/rosters/preview', form('DN-E', rosterCsv(8)), { cookie, 'sec-fetch-site': 'same-origin' });
    expect(held.status).toBe(303);
    const id = /imports\/([0-9a-f-]{36})/.exec(held.headers.get('location')!)![1];
    const [{ preview_token: token }] = await q<{ preview_token: string }>(`SELECT preview_token FROM roster_imports WHERE id = $1`, [id]);
    const confirmForm = () => new URLSearchParams({ lang: 'vi', previewToken: token });

    const elsewhere: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'http://evil.example' },
      {},
    ];
    for (const from of elsewhere) {
      const res = await send(`/rosters/imports/${id}/confirm`, confirmForm(), { cookie, ...from });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('yêu cầu từ trang khác đã bị từ chối và không có gì thay đổi');
    }
    const upload = await send('/rosters/preview', form('DN-E', rosterCsv(3)), { cookie, 'sec-fetch-site': 'cross-site' });
    expect(upload.status).toBe(403);
    expect(await q(`SELECT state FROM roster_imports WHERE enterprise_code = 'DN-E'`)).toEqual([{ state: 'preview' }]);
    expect(await q(`SELECT 1 FROM rosters WHERE enterprise_code = 'DN-E'`)).toEqual([]);

    const ok = await send(`/rosters/imports/${id}/confirm`, confirmForm(), { cookie, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(303);
    expect(await q(`SELECT state, revision FROM roster_imports WHERE id = $1`, [id])).toEqual([{ state: 'completed', revision: 1 }]);
  });
});
