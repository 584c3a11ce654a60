// The roster upload page in a real browser (issue 20): an EZ-board key signs in, picks an enterprise,
// drops a 120-row roster, reads the preview in Vietnamese and confirms it; then a 5-row file replacing it
// is shown held as pending, changes nothing until confirmed, and the confirmation applies it. The figures
// are checked through the roster API, beside the page.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { rosterCsv } from '../../apps/workforce/test/roster-fixtures';
import { publishWorld, type WorkforceKeys } from '../../apps/workforce/test/workforce-world';
import { englishWords, horizontalOverflow, launchChromium, officialContext } from '../dashboard/browser';
import { waitFor } from '../support/int-env';
import { EventInjector, http } from '../support/service-harness';
import { System } from '../support/system';

jest.setTimeout(300_000);

const SCREENSHOTS = join(__dirname, '../../docs/screenshots');
/** Names and words a Vietnamese page rightly shows as they are. */
const ALLOWED = ['Bluezone', 'Bluetooth', 'CSV', 'XLSX', 'Excel', 'API', 'UTF'];
/** 120 workers and one row cut short (five fields under a six-column header): refused, listed with its reason. */
const FULL = Buffer.concat([rosterCsv(120), Buffer.from('ZCUT,"Nguyễn Văn Cụt",0900000000,có,có\n', 'utf8')]);

describe('the roster upload page in a real browser (workforce as a process)', () => {
  let sys: System;
  let events: EventInjector;
  let keys: WorkforceKeys;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    sys = await System.create('wfpage', { LOG_LEVEL: 'warn' });
    await sys.startMany(['workforce']);
    base = sys.url('workforce');
    events = await EventInjector.open(sys.namespace);
    keys = await publishWorld(events);
    await waitFor(async () => (await http({ url: base }, 'GET', '/v1/whoami', { key: keys.ezBoard })).status === 200, 'the key replica');
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await events?.close();
    await sys?.dispose();
  });

  /** DN-A's uploads as the API lists them, newest first. */
  const imports = async (): Promise<
    Array<{ id: string; state: string; revision: number | null; aggregates: { headcount: number } | null }>
  > => (await http({ url: base }, 'GET', '/v1/enterprises/DN-A/roster-imports', { key: keys.ezBoard })).body;
  /** The roster in force for DN-A: its latest completed upload. */
  const inForce = async () => (await imports()).find((i) => i.state === 'completed') ?? null;

  async function signIn(page: Page): Promise<void> {
    const res = await page.goto(`${base}/rosters`);
    expect(res?.status()).toBe(401);
    await page.fill('#key', keys.ezBoard);
    await Promise.all([page.waitForURL((u) => u.pathname === '/rosters'), page.click('form[action="/rosters/login"] button')]);
  }

  /** Drops a file on the page's drop zone, as a user dragging it from the file manager does (a DataTransfer). */
  async function dropFile(page: Page, name: string, content: Buffer): Promise<void> {
    await page.evaluate(
      ({ name, b64 }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'text/csv' }));
        const zone = document.getElementById('drop')!;
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { name, b64: content.toString('base64') },
    );
    await expect(page.locator('#chosen').textContent()).resolves.toBe(`Đã chọn: ${name}`);
  }

  async function previewOf(page: Page, name: string, content: Buffer): Promise<string> {
    await page.selectOption('#enterprise', 'DN-A');
    expect(await text(page, '#chosen')).toBe('Chưa chọn tệp nào.');
    await page.fill('#asOf', '20/08/2020');
    await dropFile(page, name, content);
    await Promise.all([page.waitForURL(/\/rosters\/imports\/[0-9a-f-]{36}\?lang=vi$/), page.click('#send')]);
    return /imports\/([0-9a-f-]{36})/.exec(page.url())![1];
  }

  const text = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();
  const noOverflow = async (page: Page, what: string) => {
    const { overflow, widest } = await horizontalOverflow(page);
    expect({ what, overflow: overflow > 0.5 ? `${overflow}px past the edge (${widest})` : 0 }).toEqual({ what, overflow: 0 });
  };

  it('previews, confirms, then holds a 5-row replacement as pending until it is confirmed', async () => {
    const context = await officialContext(browser, 1280);
    const page = await context.newPage();
    await signIn(page);
    // The enterprises under the EZ board, never another department's (DN-OUT).
    const offered = await page
      .locator('#enterprise option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(offered.sort()).toEqual(['DN-A', 'DN-B', 'DN-C', 'DN-D', 'DN-E']);
    expect(await englishWords(page, ALLOWED)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'roster-upload-desktop.png') });

    const first = await previewOf(page, 'danh-sach-120.csv', FULL);
    expect(await page.locator('#state').getAttribute('data-state')).toBe('preview');
    expect(await text(page, '#state')).toContain('Chạy thử: chưa có gì thay đổi');
    expect(await text(page, '#rows-accepted dd')).toBe('120');
    expect(await text(page, '#rows-rejected dd')).toBe('1');
    expect(await text(page, '#refused tbody')).toContain('Dòng có 5 trường trong khi dòng tiêu đề có 6: dòng bị thiếu');
    expect(await text(page, '#joined dd')).toBe('120');
    expect(await text(page, '#left dd')).toBe('0');
    expect(await text(page, '#figures tbody tr:first-child')).toBe('Số người lao động — → 120');
    expect(await englishWords(page, ALLOWED)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'roster-preview-desktop.png'), fullPage: true });
    expect(await inForce()).toBeNull();

    await Promise.all([page.waitForURL(new RegExp(`/rosters/imports/${first}\\?lang=vi$`)), page.click('#confirm')]);
    expect(await page.locator('#state').getAttribute('data-state')).toBe('completed');
    expect(await text(page, '#state')).toBe('Danh sách đã có hiệu lực (lần cập nhật thứ 1).');
    expect(await inForce()).toMatchObject({ id: first, revision: 1, aggregates: { headcount: 120 } });

    await page.click('text=Tải lên tệp khác');
    expect(await page.locator('#enterprise').inputValue()).toBe('DN-A');
    const second = await previewOf(page, 'danh-sach-5.csv', rosterCsv(5));
    expect(await page.locator('#state').getAttribute('data-state')).toBe('pending');
    expect(await text(page, '#state')).toContain('Danh sách này sẽ loại bỏ 115 trong số 120 người lao động');
    expect(await text(page, '#left dd')).toBe('115');
    expect(await text(page, '#removal dd')).toBe('95,8%');
    expect(await text(page, '#figures tbody tr:first-child')).toBe('Số người lao động 120 → 5');
    await page.screenshot({ path: join(SCREENSHOTS, 'roster-pending-desktop.png'), fullPage: true });
    // Nothing changed: the 120 workers stay in force, the 5-row file waits.
    expect(await inForce()).toMatchObject({ id: first, revision: 1, aggregates: { headcount: 120 } });
    expect((await imports()).find((i) => i.id === second)).toMatchObject({ state: 'preview', revision: null });
    const listed = await page.goto(`${base}/rosters`);
    expect(listed?.status()).toBe(200);
    expect(await page.locator(`#held a[href^="/rosters/imports/${second}"]`).count()).toBe(1);

    // At a phone's width: the pending upload and the form, no horizontal overflow.
    const phone = await officialContext(browser, 390, 844);
    const small = await phone.newPage();
    await signIn(small);
    await noOverflow(small, 'the upload page at 390 px');
    await small.screenshot({ path: join(SCREENSHOTS, 'roster-upload-390.png'), fullPage: true });
    await small.goto(`${base}/rosters/imports/${second}?lang=vi`);
    await noOverflow(small, 'the pending upload at 390 px');
    await small.screenshot({ path: join(SCREENSHOTS, 'roster-pending-390.png'), fullPage: true });
    await small.goto(`${base}/rosters/imports/${second}?lang=en`);
    expect(await text(small, '#state')).toContain('this roster would remove 115 of the 120 workers');
    await phone.close();

    await page.goto(`${base}/rosters/imports/${second}?lang=vi`);
    await Promise.all([page.waitForURL(new RegExp(`/rosters/imports/${second}\\?lang=vi$`)), page.click('#confirm')]);
    expect(await page.locator('#state').getAttribute('data-state')).toBe('completed');
    expect(await inForce()).toMatchObject({ id: second, revision: 2, aggregates: { headcount: 5 } });
    await context.close();
  });
});
