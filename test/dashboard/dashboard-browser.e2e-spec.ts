import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cohort } from '@app/contracts';
import type { Browser, Page } from 'playwright-core';
import { expectedLaggards, expectedPeopleShort } from '../../tools/simulator/src/expect';
import { DEFAULT_OPTIONS } from '../../tools/simulator/src/scenario';
import { runSimulation, type SimulationResult } from '../../tools/simulator/src/simulate';
import { waitForReadModel } from '../../tools/simulator/src/verify';
import { waitFor } from '../support/int-env';
import { http } from '../support/service-harness';
import { SERVICES, System } from '../support/system';
import { pdfText } from '../notifier/pdf-text';
import { chartPoints, englishWords, horizontalOverflow, launchChromium, officialContext, signIn } from './browser';

const MEMBER_COHORTS: Cohort[] = ['staff', 'students', 'youth_members', 'association_members', 'enterprise_workers'];
/** Vietnamese grouping of a count, as the pages write it (1.234). */
const viInt = (n: number) => new Intl.NumberFormat('vi-VN').format(n);

/** Names and words a Vietnamese page rightly shows as they are. */
const ALLOWED = ['Bluezone', 'Bluetooth', 'CSV', 'XLSX', 'Excel', 'Markdown', 'API', 'docs', 'VNPT', 'Viettel', 'MobiFone', 'Vinaphone'];
const SCREENSHOTS = join(__dirname, '../../docs/screenshots');
const DAYS = ['2020-08-19', '2020-08-21', '2020-08-30'];
/**
 * The simulated campaign (every commune of Trà Vinh, 6.78% on 19/08, the directive of 21/08, the deadline
 * of 30/08), from 14/08 and with fewer enterprises, workers, schools and hubs than the campaign test: the
 * pages are what is tested here (the figures are the campaign test's), and the run stays within minutes.
 */
const SCENARIO = { ...DEFAULT_OPTIONS, from: '2020-08-14', enterprisesPerZone: 1, workersPerEnterprise: 40, schools: 2, transportHubs: 1 };
/** Thành phố Trà Vinh, the district whose key is tried, and another district it must not see. */
const DISTRICT = '842';
const OTHER_DISTRICT = '844';

describe('the dashboard in a real browser, over the simulated Trà Vinh campaign', () => {
  let sys: System;
  let sim: SimulationResult;
  let browser: Browser;
  let base: string;
  let districtKey: string;
  const api = async (path: string): Promise<any> => {
    const res = await http({ url: base }, 'GET', path, { key: sys.adminKey });
    if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}`);
    return res.body;
  };

  beforeAll(async () => {
    sys = await System.create('dashui', { SEED: 'tra-vinh' });
    // Seven services booting at once on a shared 2-core machine: give them longer than startAll's minute.
    for (const s of SERVICES) sys.start(s);
    for (const s of SERVICES) await sys.waitHealthy(s, 240_000);
    base = sys.url('compliance');
    sim = await runSimulation(sys.simulatorUrls(), sys.adminKey, SCENARIO, { quiet: true });
    await waitForReadModel(sim.runner, sim.expectations, sim.expectations.allUnits(), [SCENARIO.to], 600_000);
    const issued = await http({ url: sys.url('registry') }, 'POST', '/v1/api-keys', {
      key: sys.adminKey,
      body: { orgUnitCode: DISTRICT, role: 'portal', label: 'district dashboard' },
    });
    if (issued.status !== 201) throw new Error(`district key: ${issued.status} ${issued.text}`);
    districtKey = issued.body.key as string;
    await waitFor(
      async () => (await http({ url: base }, 'GET', '/v1/whoami', { key: districtKey })).status === 200,
      'compliance to learn the key',
      60_000,
      250,
    );
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 1_800_000);

  afterAll(async () => {
    await browser?.close();
    await sys?.dispose();
  });

  const noEnglish = async (page: Page, what: string) =>
    expect({ what, english: await englishWords(page, ALLOWED) }).toEqual({ what, english: [] });
  const noOverflow = async (page: Page, what: string) => {
    const { overflow, widest } = await horizontalOverflow(page);
    expect({ what, overflow: overflow > 0.5 ? `${overflow}px past the edge (${widest})` : 0 }).toEqual({ what, overflow: 0 });
  };
  /** A document of the daily report, as the chairman's office downloads it. */
  const download = async (date: string, format: 'pdf' | 'docx'): Promise<Buffer> => {
    const res = await fetch(`${base}/v1/daily-report?date=${date}&format=${format}`, {
      headers: { authorization: `Bearer ${sys.adminKey}` },
    });
    if (res.status !== 200) throw new Error(`daily report ${date} ${format} → ${res.status}: ${await res.text()}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const chartsReady = (page: Page) => page.waitForSelector('figure.chart .trend[data-ready="true"]', { timeout: 20_000 });

  it('shows an admin the province on 19/08, 21/08 and 30/08: target cards, a chart per target with its data points, in Vietnamese', async () => {
    const ctx = await officialContext(browser, 1280);
    const page = await ctx.newPage();
    const problems: string[] = [];
    // Script errors and CSP refusals; the login form's own 401 and the browser's favicon request are not problems.
    page.on('console', (m) =>
      m.type() === 'error' && !m.text().startsWith('Failed to load resource') ? problems.push(m.text()) : undefined,
    );
    page.on('response', (r) =>
      r.request().resourceType() === 'script' && r.status() !== 200 ? problems.push(`${r.url()} → ${r.status()}`) : undefined,
    );
    page.on('pageerror', (e) => problems.push(String(e)));
    await signIn(page, base, sys.adminKey, `/?date=${DAYS[0]}`);
    for (const day of DAYS) {
      if (!page.url().includes(day)) await page.goto(`${base}/?date=${day}`);
      await chartsReady(page);
      const [y, m, d] = day.split('-');
      await expect(page.locator('p.fresh strong').innerText()).resolves.toBe(`Ngày ${d}/${m}/${y}`);

      const summary = await api(`/v1/summary?date=${day}`);
      const residents = summary.targets.find((t: { targetId: string }) => t.targetId === 'residents-50');
      const card = page.locator('.card[data-target="residents-50"] .big');
      const pct = (v: number) => `${(Math.round(v * 10_000) / 100).toFixed(2).replace('.', ',')}%`;
      await expect(card.innerText()).resolves.toBe(pct(residents.value));
      if (day === '2020-08-19') expect(pct(residents.value)).toBe('6,78%');
      if (day >= '2020-08-21')
        await expect(page.locator('.card[data-target="residents-50"] .badge').innerText()).resolves.toBe('Không đạt (đã quá hạn)');

      // The charts: one per target, their points the province's value on each day up to the day shown.
      const charts = await chartPoints(page);
      expect(Object.keys(charts).sort()).toEqual(['members-100', 'residents-50']);
      const series = await api(`/dashboard/timeseries?units=84&date=${day}`);
      for (const targetId of ['members-100', 'residents-50']) {
        const chart = charts[targetId];
        expect(chart.labels[0]).toBe('04/08');
        expect(chart.labels.at(-1)).toBe('30/08');
        const want = series.items.filter((r: { targetId: string }) => r.targetId === targetId);
        for (const point of want) {
          const i = chart.labels.indexOf(`${point.date.slice(8, 10)}/${point.date.slice(5, 7)}`);
          expect({ targetId, date: point.date, value: chart.values[i] }).toEqual({
            targetId,
            date: point.date,
            value: point.value === null ? null : Math.round(point.value * 1e6) / 1e4,
          });
        }
        // Nothing is drawn after the day shown.
        expect(chart.values.slice(chart.labels.indexOf(`${d}/${m}`) + 1).every((v) => v === null)).toBe(true);
      }
      expect(charts['residents-50'].values[charts['residents-50'].labels.indexOf('19/08')]).toBeCloseTo(6.78, 2);
      await noEnglish(page, `overview ${day}`);
      if (day === '2020-08-30') await page.screenshot({ path: join(SCREENSHOTS, 'overview-30-08.png') });
      if (day === '2020-08-21') await page.locator('#districts').screenshot({ path: join(SCREENSHOTS, 'districts-21-08.png') });
    }
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('drills down from the province to a district to a commune, each page with its chart, children worst first and no English', async () => {
    const ctx = await officialContext(browser, 1280);
    const page = await ctx.newPage();
    await signIn(page, base, sys.adminKey, '/?date=2020-08-30');
    const firstDistrict = page.locator('#districts tbody tr').first().locator('a.unit');
    const districtName = await firstDistrict.innerText();
    await Promise.all([page.waitForURL(/\/dashboard\/units\//), firstDistrict.click()]);
    await expect(page.locator('h1').innerText()).resolves.toBe(districtName);
    await expect(page.locator('nav.crumbs').innerText()).resolves.toContain('Tỉnh Trà Vinh');
    await chartsReady(page);
    expect(Object.keys(await chartPoints(page))).toContain('residents-50');
    // Its communes, worst first by the resident rate.
    const rates = await page
      .locator('#t-children-administrative tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.querySelector('svg.bar title')?.textContent ?? ''));
    const values = rates.map((t) => Number(t.split('%')[0].replace(/\./g, '').replace(',', '.')));
    expect(values.length).toBeGreaterThan(3);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    await noEnglish(page, `district ${districtName}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'district-30-08.png'), fullPage: false });

    const commune = page.locator('#t-children-administrative tbody tr').first().locator('a.unit');
    const communeName = await commune.innerText();
    await Promise.all([page.waitForURL(/\/dashboard\/units\//), commune.click()]);
    await expect(page.locator('h1').innerText()).resolves.toBe(communeName);
    await expect(page.locator('nav.crumbs').innerText()).resolves.toContain(districtName);
    await chartsReady(page);
    await expect(page.locator('#reports').innerText()).resolves.toContain('Người dân');
    await expect(page.locator('#activities').innerText()).resolves.toContain('Phát thanh');
    await noEnglish(page, `commune ${communeName}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'commune-30-08.png'), fullPage: true });
    // Printable: the print style hides the tools and keeps the content.
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('header .tools').isVisible()).resolves.toBe(false);
    await expect(page.locator('#figures').isVisible()).resolves.toBe(true);
    await ctx.close();
  });

  it('reads the members target due today on its deadline (30/08) with the units and people short, its own laggards naming every unit the simulator left short, and breached on 31/08', async () => {
    const ctx = await officialContext(browser, 1280);
    const page = await ctx.newPage();
    await signIn(page, base, sys.adminKey, '/?date=2020-08-30');
    const { expectations, scenario, world } = sim;
    const short = expectedLaggards(expectations, expectations.allUnits(), MEMBER_COHORTS, 1, '2020-08-30');
    const peopleShort = expectedPeopleShort(expectations, world.province, MEMBER_COHORTS, 1, '2020-08-30');
    expect(short.length).toBeGreaterThan(0);
    expect(peopleShort).toBeGreaterThan(0);

    const card = page.locator('.card[data-target="members-100"]');
    await expect(card.getAttribute('data-standing')).resolves.toBe('due_today');
    await expect(card.locator('.standing').innerText()).resolves.toBe('Đến hạn hôm nay, chưa đạt');
    await expect(card.locator('.units-short').innerText()).resolves.toBe(viInt(short.length));
    await expect(card.locator('.people-short').innerText()).resolves.toBe(viInt(peopleShort));
    await card.screenshot({ path: join(SCREENSHOTS, 'members-card-30-08.png') });

    // The target's own list: every unit short, worst first by the distance to the threshold, the simulator's short units named.
    const list = page.locator('.laggards[data-target="members-100"]');
    await expect(list.locator('h3').innerText()).resolves.toContain(`${viInt(short.length)} đơn vị chưa đạt`);
    const rows = list.locator('table').first().locator('tbody tr');
    const named = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td a.unit')?.textContent ?? ''));
    const values = await rows.evaluateAll((trs) =>
      trs.map((tr) => Number((tr.querySelector('svg.bar title')?.textContent ?? '').split('%')[0].replace(/\./g, '').replace(',', '.'))),
    );
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(named).toHaveLength(Math.min(short.length, 30));
    expect(scenario.shortfall.size).toBeGreaterThan(0);
    for (const code of [...scenario.shortfall].sort()) {
      const unit = await api(`/v1/units/${code}?date=2020-08-30`);
      expect({ code, named: named.includes(unit.name) }).toEqual({ code, named: true });
    }
    await list.screenshot({ path: join(SCREENSHOTS, 'members-laggards-30-08.png') });
    await noEnglish(page, 'overview 30/08, the deadline');

    // The day after: breached, the same units short.
    await page.goto(`${base}/?date=2020-08-31`);
    await expect(card.getAttribute('data-standing')).resolves.toBe('breached');
    await expect(card.locator('.standing').innerText()).resolves.toBe('Không đạt (đã quá hạn)');
    await expect(card.locator('.units-short').innerText()).resolves.toBe(viInt(short.length));
    // The picker writes the days as dd/mm/yyyy (never the browser's mm/dd/yyyy) and the freshness line is in Vietnam time, to the second.
    await expect(page.locator('select[name="date"] option:checked').innerText()).resolves.toBe('31/08/2020');
    await expect(page.locator('p.fresh').innerText()).resolves.toMatch(
      /^Ngày 31\/08\/2020 · Số liệu ngày 31\/08\/2020 cập nhật lần cuối lúc \d\d:\d\d:\d\d \d\d\/\d\d\/\d{4} \(giờ Việt Nam\)\. Ngày mới nhất có số liệu: 30\/08\/2020\.$/,
    );
    await page.locator('header .tools').screenshot({ path: join(SCREENSHOTS, 'day-picker.png') });
    await ctx.close();
  });

  it('serves the daily report of 30/08 and 31/08 as the official PDF and DOCX: motto, the DIC to the chairman, members due then breached, the units not reporting named', async () => {
    const summary = async (date: string) =>
      (await api(`/v1/summary?date=${date}`)).targets.find((t: { targetId: string }) => t.targetId === 'members-100');
    const members = await summary('2020-08-30');
    const silent: Array<{ orgUnitCode: string; name: string }> = (await api('/v1/laggards?status=no_data&date=2020-08-30&limit=1000'))
      .items;
    expect(silent.length).toBeGreaterThan(0);
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const fold = (s: string) => s.replace(/\s+/g, ' ');
    const targetLine = (standing: string) =>
      new RegExp(`Chỉ tiêu “${esc(fold(members.name))}”: đạt [0-9.,]+% \\(mức yêu cầu 100,00%, hạn 30/08/2020\\) — ${esc(standing)}\\.`);

    const on30 = pdfText(await download('2020-08-30', 'pdf'));
    for (const expected of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
      'Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Trà Vinh',
      'Nơi nhận:',
      '- Chủ tịch UBND tỉnh (b/c);',
      'Trà Vinh, ngày 30 tháng 8 năm 2020',
      `Còn thiếu ${viInt(members.peopleShort)} người; ${viInt(members.unitsShort)} đơn vị chưa đạt;`,
      '3. Diễn biến 7 ngày qua',
      '6. Đơn vị chưa báo cáo và người đứng đầu',
    ])
      expect({ expected, found: on30.includes(expected) }).toEqual({ expected, found: true });
    expect(on30).toMatch(targetLine('Đến hạn hôm nay, chưa đạt'));
    // Every unit not reporting is named (in code order, the first 40 when there are more).
    const codes = [...new Set(silent.map((r) => r.orgUnitCode))].sort().slice(0, 40);
    for (const code of codes) {
      const name = fold(silent.find((r) => r.orgUnitCode === code)!.name);
      expect({ code, named: on30.includes(name) }).toEqual({ code, named: true });
    }
    const on31 = pdfText(await download('2020-08-31', 'pdf'));
    expect(on31).toMatch(targetLine('Không đạt (đã quá hạn)'));
    expect((await summary('2020-08-31')).standing).toBe('breached');

    // The DOCX: LibreOffice opens it when the machine has it; otherwise its document.xml is read (said in the log).
    const dir = mkdtempSync(join(tmpdir(), 'report-docx-'));
    try {
      const file = join(dir, 'bao-cao.docx');
      writeFileSync(file, await download('2020-08-30', 'docx'));
      if (spawnSync('soffice', ['--version']).status === 0) {
        execFileSync('soffice', ['--headless', '--convert-to', 'pdf', '--outdir', dir, file], { timeout: 180_000 });
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'bao-cao.pdf'), '-'], { encoding: 'utf8' });
        expect(fold(text.normalize('NFC'))).toContain('Độc lập - Tự do - Hạnh phúc');
        expect(fold(text.normalize('NFC'))).toContain('Đến hạn hôm nay, chưa đạt');
      } else {
        process.stdout.write('soffice is not installed: the DOCX is checked through its word/document.xml instead\n');
        const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8', maxBuffer: 64 << 20 });
        for (const expected of ['Độc lập - Tự do - Hạnh phúc', 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG', 'Đến hạn hôm nay, chưa đạt', silent[0].name])
          expect({ expected, found: xml.includes(expected) }).toEqual({ expected, found: true });
        expect(execFileSync('unzip', ['-l', file], { encoding: 'utf8' })).toMatch(/word\/media\/[^\s]+\.png/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fits a 390 px phone: nothing cut off and no sideways scroll, tables as cards', async () => {
    const ctx = await officialContext(browser, 390, 844);
    const page = await ctx.newPage();
    await signIn(page, base, sys.adminKey, '/?date=2020-08-30');
    for (const path of ['/?date=2020-08-30', `/dashboard/units/${DISTRICT}?date=2020-08-30`, `/dashboard/units/84?date=2020-08-30`]) {
      await page.goto(`${base}${path}`);
      await chartsReady(page);
      await noOverflow(page, path);
      await expect(page.locator('table.cardable thead').first().isVisible()).resolves.toBe(false);
    }
    // The daily report as the chairman's office opens it on the phone: laid out at the phone's width, nothing cut off.
    await page.goto(`${base}/v1/daily-report?date=2020-08-30`);
    await expect(page.evaluate(() => window.innerWidth)).resolves.toBe(390);
    await expect(page.locator('h1').innerText()).resolves.toContain('Báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày 30/08/2020');
    await noOverflow(page, 'daily report');
    await page.goto(`${base}/?date=2020-08-30`);
    await chartsReady(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'phone-overview-30-08.png') });
    await page.locator('#districts').screenshot({ path: join(SCREENSHOTS, 'phone-districts-30-08.png') });
    await ctx.close();
  });

  it("signs a district key in to its own district's page and refuses every unit outside its subtree", async () => {
    const ctx = await officialContext(browser, 1280);
    const page = await ctx.newPage();
    await signIn(page, base, districtKey, '/?date=2020-08-30');
    const own = await api(`/v1/units/${DISTRICT}?date=2020-08-30`);
    await expect(page.locator('h1').innerText()).resolves.toBe(own.name);
    await expect(page.locator('#districts').count()).resolves.toBe(0); // no province overview
    await expect(page.locator('nav.crumbs a.unit').count()).resolves.toBe(0); // nothing above it
    await chartsReady(page);
    await noEnglish(page, 'district key');
    await page.screenshot({ path: join(SCREENSHOTS, 'district-key-30-08.png') });
    const commune = own.children.administrative[0].code as string;
    expect((await page.goto(`${base}/dashboard/units/${commune}?date=2020-08-30`))?.status()).toBe(200);
    for (const code of ['84', OTHER_DISTRICT]) {
      const res = await page.goto(`${base}/dashboard/units/${code}?date=2020-08-30`);
      expect({ code, status: res?.status() }).toEqual({ code, status: 403 });
      await expect(page.locator('[role="alert"]').innerText()).resolves.toContain('chỉ được xem đơn vị của mình');
    }
    const other = await page.request.get(`${base}/dashboard/export/figures?unit=${OTHER_DISTRICT}&format=csv`);
    expect(other.status()).toBe(403);
    await ctx.close();
  });

  it("takes an official who follows a link to a commune's page without a key back to that page once signed in", async () => {
    const ctx = await officialContext(browser, 390);
    const page = await ctx.newPage();
    const commune = (await api(`/v1/units/${DISTRICT}?date=2020-08-30`)).children.administrative[0] as { code: string; name: string };
    await signIn(page, base, districtKey, `/dashboard/units/${commune.code}?date=2020-08-30`);
    const at = new URL(page.url());
    expect({ path: at.pathname, date: at.searchParams.get('date') }).toEqual({
      path: `/dashboard/units/${commune.code}`,
      date: '2020-08-30',
    });
    await expect(page.locator('h1').innerText()).resolves.toBe(commune.name);
    await ctx.close();
  });
});
