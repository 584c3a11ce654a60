import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import {
  ActivityRecordedV1,
  FigureUpdatedV1,
  SupportPointOpenedV1,
  TargetSetV1,
  TargetStatusChangedV1,
  type Cohort,
  type FigureUpdatedV1Data,
  type TargetStatus,
} from '@app/contracts';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { complianceService } from '../main';
import { waitFor } from '@test/support/int-env';

const D = '2020-08-21';
const D0 = '2020-08-19';
const EVIL = 'Huyện <script>alert("x")</script> & Co';

/** Trà Vinh's nine district-level units with their real names, from the reference data the registry imports. */
const DISTRICTS = readFileSync(join(__dirname, '../../../../data/tra-vinh-units.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','))
  .filter((cols) => cols[3] === '2')
  .map(([code, name]) => ({ code, name }));

/** District i on D: population and installs differ, so the ranking is known in advance. */
const residentsOf = (i: number) => ({ population: 50_000 + i * 5_000, installed: 10_000 + i * 4_100 });

/** Vietnamese percent with two decimals, written out independently of the service's formatter. */
const viPct = (r: number) => `${(Math.round(r * 10_000) / 100).toFixed(2).replace('.', ',')}%`;
const enPct = (r: number) => `${(Math.round(r * 10_000) / 100).toFixed(2)}%`;

describe('compliance dashboard', () => {
  let svc: RunningService;
  let registry: EventInjector;
  let rates: EventInjector;
  let intake: EventInjector;
  let support: EventInjector;
  let analystKey: string;
  let portalKey: string;
  let ezBoardKey: string;

  const publishFigure = (code: string, cohort: Cohort, date: string, counts: Partial<FigureUpdatedV1Data>) =>
    rates.publish(FigureUpdatedV1, code, {
      orgUnitCode: code,
      cohort,
      tree: cohort === 'residents' ? 'administrative' : 'accountability',
      date,
      headcount: 0,
      smartphoneHolders: 0,
      installed: 0,
      bluetoothOn: 0,
      population: null,
      reportingUnits: 1,
      expectedUnits: 1,
      ...counts,
    });

  const publishStatus = (targetId: string, code: string, date: string, status: TargetStatus, value: number, gap: number) =>
    rates.publish(TargetStatusChangedV1, code, {
      targetId,
      orgUnitCode: code,
      date,
      status,
      previousStatus: null,
      value,
      threshold: targetId === 'T50' ? 0.5 : 1,
      forecastDate: null,
      gap,
    });

  beforeAll(async () => {
    svc = await startService(complianceService);
    [registry, rates, intake, support] = await Promise.all(
      (['registry', 'rates', 'intake', 'support-points'] as const).map((source) => EventInjector.open(svc.namespace, source)),
    );

    await registry.unit({
      code: '84',
      name: 'Tỉnh Trà Vinh',
      type: 'province',
      level: 1,
      head: { name: 'Đồng Văn Lâm', title: 'Chủ tịch UBND tỉnh' },
    });
    for (const d of DISTRICTS) {
      await registry.unit({
        code: d.code,
        name: d.name,
        type: 'district',
        level: 2,
        adminParentCode: '84',
        accountableToCode: '84',
        head: { name: `Nguyễn Văn ${d.code}`, title: 'Chủ tịch UBND' },
      });
    }
    // A unit whose name and head would break the page if they were not escaped.
    await registry.unit({
      code: '899',
      name: EVIL,
      type: 'district',
      level: 2,
      adminParentCode: '84',
      accountableToCode: '84',
      head: { name: '<img src=x onerror=alert(1)>', title: 'Chủ tịch' },
    });
    await registry.unit({
      code: '29266',
      name: 'Thị trấn Càng Long',
      type: 'commune',
      level: 3,
      adminParentCode: '844',
      accountableToCode: '844',
    });
    await registry.unit({ code: '29269', name: 'Xã Mỹ Cẩm', type: 'commune', level: 3, adminParentCode: '844', accountableToCode: '844' });
    await registry.unit({ code: '29236', name: 'Phường 4', type: 'commune', level: 3, adminParentCode: '842', accountableToCode: '842' });
    await registry.unit({ code: 'VNPT-TV', name: 'VNPT Trà Vinh', type: 'telecom', accountableToCode: '84' });
    await registry.publish(TargetSetV1, 'T50', {
      targetId: 'T50',
      name: 'Người dân cài đặt ≥ 50% dân số',
      metric: 'resident_rate',
      cohorts: ['residents'],
      tree: 'administrative',
      scopeUnitTypes: ['commune'],
      scopeLevels: [],
      threshold: 0.5,
      deadline: '2020-08-20',
      campaignStart: '2020-08-04',
      reportingWindowDays: 7,
      revision: 1,
    });
    await registry.publish(TargetSetV1, 'M100', {
      targetId: 'M100',
      name: 'Cán bộ, hội viên bật Bluetooth 100%',
      metric: 'bluetooth_rate',
      cohorts: ['staff', 'youth_members', 'association_members'],
      tree: 'accountability',
      scopeUnitTypes: [],
      scopeLevels: [],
      threshold: 1,
      deadline: '2020-08-30',
      campaignStart: '2020-08-21',
      reportingWindowDays: 7,
      revision: 1,
    });
    analystKey = await registry.key('analyst', null);
    portalKey = await registry.key('portal', '844');
    ezBoardKey = await registry.key('ez_board', '84');

    // The province: 6.78% on D0 (the directive's figure), 30% on D.
    await publishFigure('84', 'residents', D0, {
      headcount: 1_000_000,
      population: 1_000_000,
      smartphoneHolders: 600_000,
      installed: 67_800,
      bluetoothOn: 50_000,
    });
    await publishFigure('84', 'residents', D, {
      headcount: 1_000_000,
      population: 1_000_000,
      smartphoneHolders: 600_000,
      installed: 300_000,
      bluetoothOn: 240_000,
    });
    await publishStatus('T50', '84', D, 'breached', 0.3, 200_000);
    for (const [i, d] of DISTRICTS.entries()) {
      const f = residentsOf(i);
      await publishFigure(d.code, 'residents', D, {
        headcount: f.population,
        smartphoneHolders: f.population / 2,
        installed: f.installed,
        bluetoothOn: f.installed / 2,
        population: f.population,
      });
      const r = f.installed / f.population;
      await publishStatus('T50', d.code, D, r >= 0.5 ? 'met' : 'breached', r, Math.max(0, f.population / 2 - f.installed));
    }
    await publishFigure('899', 'residents', D, {
      headcount: 1_000,
      smartphoneHolders: 500,
      installed: 10,
      bluetoothOn: 5,
      population: 1_000,
    });
    await publishStatus('T50', '899', D, 'breached', 0.01, 490);
    // Members: staff and youth of Thành phố Trà Vinh (842), 150 + 45 of 200 + 60 with Bluetooth on.
    await publishFigure('842', 'staff', D, { headcount: 220, smartphoneHolders: 200, installed: 180, bluetoothOn: 150 });
    await publishFigure('842', 'youth_members', D, { headcount: 70, smartphoneHolders: 60, installed: 50, bluetoothOn: 45 });

    await support.publish(SupportPointOpenedV1, 'P1', {
      pointId: 'P1',
      operatorCode: 'VNPT-TV',
      communeCode: '29266',
      address: 'Bưu điện Càng Long',
      openedOn: '2020-08-15',
      hours: null,
      revision: 1,
    });
    const broadcast = {
      revision: 1,
      submittedAt: `${D}T12:00:00.000Z`,
      date: D,
      kind: 'broadcast' as const,
      supportLocationsAnnounced: true,
    };
    await intake.publish(ActivityRecordedV1, '29266', {
      ...broadcast,
      activityId: '01890000-0000-7000-8000-0000000000d1',
      orgUnitCode: '29266',
      sessionsAired: 2,
      sessionsWithStartAnnouncement: 2,
      sessionsWithEndAnnouncement: 2,
    });
    await intake.publish(ActivityRecordedV1, '29269', {
      ...broadcast,
      activityId: '01890000-0000-7000-8000-0000000000d2',
      orgUnitCode: '29269',
      sessionsAired: 3,
      sessionsWithStartAnnouncement: 3,
      sessionsWithEndAnnouncement: 1,
    });
    await settle(svc);
  }, 60_000);

  afterAll(async () => {
    for (const i of [registry, rates, intake, support]) await i?.close();
    if (svc) await disposeService(svc);
  });

  const section = (html: string, id: string) => {
    const start = html.indexOf(`<section id="${id}">`);
    expect(start).toBeGreaterThanOrEqual(0);
    return html.slice(start, html.indexOf('</section>', start));
  };

  it('renders the day in Vietnamese: targets, districts worst first with their heads and bars, laggards, coverage, broadcasts, links, freshness', async () => {
    const res = await http(svc, 'GET', `/?date=${D}`, { key: analystKey });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    const asOf = res.headers.get('x-as-of-event')!;
    expect(Date.parse(asOf)).toBeGreaterThan(0);
    const html = res.text;
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('Bảng theo dõi cài đặt ứng dụng Bluezone — Tỉnh Trà Vinh');
    // The day's figures as last updated by its reports (Vietnam time, to the second), not the newest event's time.
    expect(html).toMatch(
      /<time datetime="[^"]+\+07:00">Số liệu ngày 21\/08\/2020 cập nhật lần cuối lúc \d\d:\d\d:\d\d \d\d\/\d\d\/\d{4} \(giờ Việt Nam\)\.<\/time>/,
    );

    const targets = section(html, 'targets');
    expect(targets).toContain('Người dân cài đặt ≥ 50% dân số');
    expect(targets).toContain('30,00%');
    expect(targets).toContain('50,00%');
    expect(targets).toContain('200.000'); // people still to install, Vietnamese grouping
    expect(targets).toContain('Không đạt (đã quá hạn)');

    // Districts: lowest resident rate first (the escaped one at 1%), each with its head and its rate.
    const districts = section(html, 'districts');
    const expected = [
      { name: EVIL.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'), rate: 0.01 },
      ...DISTRICTS.map((d, i) => ({ name: d.name, rate: residentsOf(i).installed / residentsOf(i).population })),
    ].sort((a, b) => a.rate - b.rate);
    const positions = expected.map((d) => districts.indexOf(`>${d.name}</a></td>`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const d of expected) expect(districts).toContain(viPct(d.rate));
    expect(districts).toContain('Chủ tịch UBND Nguyễn Văn 844');
    expect(districts).toContain('<svg class="bar"');
    expect(districts).toContain(viPct(195 / 260)); // 842's members with Bluetooth on: (150 + 45) / (200 + 60)

    // Each target has its own list: the resident target's, worst first by the distance to its threshold.
    const all = section(html, 'laggards');
    const start = all.indexOf('<div class="laggards" data-target="T50">');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(all).toContain('<div class="laggards" data-target="M100">');
    const laggards = all.slice(start, all.indexOf('</div>', all.indexOf('<p class="exports', start)));
    expect(laggards).toContain('Tỉnh Trà Vinh');
    expect(laggards).toContain('Chủ tịch UBND tỉnh Đồng Văn Lâm');
    // Worst first: the escaped district (1%), the two lowest districts (20%, 25.6%), the province (30%), the next district (30.3%).
    const rowOf = (name: string) => laggards.indexOf(`>${name}</a></td><td data-label="Người đứng đầu"`);
    const order = [
      rowOf('Huyện &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'),
      rowOf(DISTRICTS[0].name),
      rowOf(DISTRICTS[1].name),
      rowOf('Tỉnh Trà Vinh'),
      rowOf(DISTRICTS[2].name),
    ];
    expect(order.every((p) => p >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const coverage = section(html, 'coverage');
    expect(coverage).toContain('1/3 xã, phường, thị trấn có điểm hỗ trợ (33,33%)');
    expect(coverage).toContain('Xã Mỹ Cẩm'); // 844's commune without a point

    const activity = section(html, 'activity');
    expect(activity).toContain('Phát thanh: 1/3 xã');
    expect(
      activity
        .replace(/<td[^>]*>/g, '<td>')
        .replace(/<a [^>]*>/g, '')
        .replace(/<\/a>/g, ''),
    ).toMatch(
      /<td>Xã Mỹ Cẩm<\/td><td>Huyện Càng Long<\/td><td><span class="num">3<\/span><\/td><td><span class="num">3<\/span><\/td><td><span class="num">1<\/span><\/td>/,
    );
    expect(activity).not.toContain('Thị trấn Càng Long');

    const links = section(html, 'links');
    expect(links).toContain(`href="/v1/daily-report?date=${D}&amp;lang=vi"`);
    expect(links).toContain(`href="/v1/units?date=${D}&amp;type=district&amp;sort=populationRate&amp;format=csv"`);
    expect(links).toContain(`href="/v1/laggards?date=${D}&amp;format=csv"`);
    expect(links).toContain('href="/docs"');
    expect(html).toContain(`href="/?date=${D}&amp;lang=en"`);
  });

  it('escapes names and heads: no markup from the read model reaches the page', async () => {
    const { text: page } = await http(svc, 'GET', `/?date=${D}`, { key: analystKey });
    // The page's only scripts: ECharts and the chart code from this service, and the charts' JSON data blocks.
    expect(page).toContain('<script src="/dashboard/assets/echarts.min.js" defer></script>');
    const text = page
      .replace(/<script src="\/dashboard\/assets\/[a-z.-]+\.js" defer><\/script>/g, '')
      .replace(/<script type="application\/json" data-chart-for="[a-z0-9-]+">[^<]*<\/script>/g, '');
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toContain('<img');
    expect(text).toContain('Huyện &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('escapes them in the Markdown daily report too: a Markdown viewer renders no tag from a name', async () => {
    const md = await http(svc, 'GET', `/v1/daily-report?date=${D}&format=md`, { key: analystKey });
    expect(md.status).toBe(200);
    expect(md.text).not.toMatch(/<script|<img/i);
    expect(md.text).toContain('Huyện &lt;script&gt;alert("x")&lt;/script&gt; &amp; Co');
  });

  it('shows an earlier day (6,78%), defaults to the latest day with data, and serves /dashboard too', async () => {
    const before = await http(svc, 'GET', `/?date=${D0}`, { key: analystKey });
    expect(section(before.text, 'targets')).toContain('6,78%');
    expect(before.text).toContain('Ngày mới nhất có số liệu: 21/08/2020.');
    for (const path of ['/', '/dashboard']) {
      const res = await http(svc, 'GET', path, { key: analystKey });
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<option value="${D}" selected>21/08/2020</option>`);
      expect(section(res.text, 'targets')).toContain('30,00%');
    }
  });

  it('renders the English variant with English numbers', async () => {
    const res = await http(svc, 'GET', `/?date=${D}&lang=en`, { key: analystKey });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-language')).toBe('en');
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('Bluezone installation dashboard — Tỉnh Trà Vinh');
    const targets = section(res.text, 'targets');
    expect(targets).toContain(enPct(0.3));
    expect(targets).toContain('200,000');
    expect(targets).toContain('Breached (deadline passed)');
    expect(section(res.text, 'districts')).toContain('Districts, town and city (worst first)');
    expect(res.text).toContain(`href="/v1/daily-report?date=${D}&amp;lang=en"`);
    expect(res.text).toContain(`href="/?date=${D}&amp;lang=vi"`);
  });

  it('asks a browser for its key once, keeps it in an HttpOnly cookie that also opens the CSV links, and forgets it on logout', async () => {
    const anonymous = await http(svc, 'GET', `/?date=${D}`, { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('text/html');
    expect(anonymous.text).toContain('<form method="post" action="/dashboard/login">');
    expect(anonymous.text).not.toContain('Tỉnh Trà Vinh');

    const login = await fetch(`${svc.url}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ key: analystKey, lang: 'en', date: D }).toString(),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(`/?date=${D}&lang=en`);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^bz_compliance_key=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/);
    const cookie = setCookie.split(';')[0];

    const page = await http(svc, 'GET', `/?date=${D}&lang=en`, { key: null, headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Bluezone installation dashboard');
    const csv = await http(svc, 'GET', `/v1/units?date=${D}&type=district&format=csv`, { key: null, headers: { cookie } });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('Huyện Càng Long');

    const stale = await http(svc, 'GET', '/', { key: null, headers: { cookie: 'bz_compliance_key=bz_not-a-key' } });
    expect(stale.status).toBe(401);
    expect(stale.text).toContain('Khóa không hợp lệ hoặc đã bị thu hồi.');
    expect(stale.headers.get('set-cookie')).toContain('Max-Age=0');

    const logout = await fetch(`${svc.url}/dashboard/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: svc.url, cookie },
      body: 'lang=vi',
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('set-cookie')).toMatch(/^bz_compliance_key=; .*Max-Age=0/);

    // Login CSRF: only same-origin forms (Sec-Fetch-Site, or Origin when a browser sends no Sec-Fetch-*).
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'none' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
      {},
    ] as Array<Record<string, string>>) {
      const refused = await fetch(`${svc.url}/dashboard/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: `key=${analystKey}`,
      });
      expect({ headers, status: refused.status, cookie: refused.headers.get('set-cookie') }).toEqual({
        headers,
        status: 403,
        cookie: null,
      });
    }
  });

  it("goes back, once signed in, to the unit's page the form was shown on, and to nowhere else", async () => {
    const form = await http(svc, 'GET', `/dashboard/units/844?date=${D}`, { key: null });
    expect(form.status).toBe(401);
    expect(form.text).toContain('<input type="hidden" name="unit" value="844">');
    expect((await http(svc, 'GET', `/?date=${D}`, { key: null })).text).not.toContain('name="unit"');
    const login = (fields: Record<string, string>) =>
      fetch(`${svc.url}/dashboard/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ key: analystKey, date: D, lang: 'vi', ...fields }).toString(),
      });
    const back = await login({ unit: '844' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/dashboard/units/844?date=${D}&lang=vi`);
    // A code, never a place: anything else is refused, with no cookie set.
    for (const unit of ['//evil.example', 'https://evil.example/', '844/../../v1/keys', '']) {
      const refused = await login({ unit });
      expect({ unit, status: refused.status, cookie: refused.headers.get('set-cookie') }).toEqual({ unit, status: 400, cookie: null });
    }
  });

  it('marks the cookie Secure only over HTTPS the service sees itself: a client cannot claim it with X-Forwarded-Proto', async () => {
    const login = await fetch(`${svc.url}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', 'x-forwarded-proto': 'https' },
      body: `key=${analystKey}`,
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('set-cookie')).not.toContain('Secure');
  });

  it("links the workforce service's roster upload page for keys that may upload (admin, EZ board), not for the others", async () => {
    const admin = await http(svc, 'GET', `/?date=${D}`);
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('<a class="rosters" href="http://127.0.0.1:3004/rosters?lang=vi">Tải lên danh sách người lao động</a>');
    expect((await http(svc, 'GET', `/?date=${D}`, { key: analystKey })).text).not.toContain('/rosters?');
    // An EZ board's key has no dashboard: the refusal sends it on to the roster page, in the page's language.
    await waitFor(async () => (await http(svc, 'GET', '/v1/whoami', { key: ezBoardKey })).status === 200, 'the EZ-board key');
    const board = await http(svc, 'GET', `/?date=${D}&lang=en`, { key: ezBoardKey });
    expect(board.status).toBe(403);
    expect(board.text).toContain('<a class="rosters" href="http://127.0.0.1:3004/rosters?lang=en">Upload worker rosters</a>');
  });

  it('sends the HTML daily report under a CSP that allows only its own style, by nonce', async () => {
    const res = await http(svc, 'GET', `/v1/daily-report?date=${D}`, { key: analystKey });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("'unsafe-inline'"); // the page's policy replaces the platform's default, not added to it
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('rejects bad parameters as problem+json', async () => {
    for (const [path, field] of [
      ['/?date=2020-02-30', 'date'],
      ['/dashboard?lang=fr', 'lang'],
      ['/?colour=red', 'colour'],
    ]) {
      const res = await http(svc, 'GET', path, { key: analystKey });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const empty = await fetch(`${svc.url}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'key=',
    });
    expect(empty.status).toBe(400);
  });

  describe('a district key (844) sees its own subtree only, on every route of the dashboard', () => {
    // VNPT Trà Vinh is not in the list: it runs a support point in 844's area, and a point is named with its
    // operator (as text, never a link to the operator or any of its figures).
    const outside = () => [
      'Tỉnh Trà Vinh',
      'Phường 4',
      'href="/dashboard/units/VNPT-TV',
      'Huyện &lt;script&gt;',
      'Huyện <script>',
      ...DISTRICTS.filter((d) => d.code !== '844').map((d) => d.name),
    ];
    const expectNothingOutside = (what: string, text: string) => {
      for (const name of outside()) expect({ what, leaks: text.includes(name) ? name : null }).toEqual({ what, leaks: null });
    };
    const UNIT_TABLES = [
      'statuses',
      'figures',
      'children-administrative',
      'children-accountability',
      'reports',
      'activities',
      'support-points',
    ];

    it('lands on its own unit page (/ and /dashboard), with its children linked and no unit above or beside it', async () => {
      for (const path of [
        `/?date=${D}`,
        `/dashboard?date=${D}`,
        `/dashboard/units/844?date=${D}`,
        `/dashboard/units/844?date=${D}&lang=en`,
      ]) {
        const res = await http(svc, 'GET', path, { key: portalKey });
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect(res.text).toContain('Huyện Càng Long');
        expect(res.text).toContain(`href="/dashboard/units/29269?date=${D}`);
        expectNothingOutside(path, res.text);
      }
      const child = await http(svc, 'GET', `/dashboard/units/29269?date=${D}`, { key: portalKey });
      expect(child.status).toBe(200);
      expect(child.text).toContain('Xã Mỹ Cẩm');
      expectNothingOutside('29269', child.text);
    });

    it('is refused (403, said in words) on every unit outside, and cannot tell an unknown unit from a forbidden one', async () => {
      for (const code of ['84', '842', '899', '29236', 'VNPT-TV', 'NO-SUCH-UNIT']) {
        const res = await http(svc, 'GET', `/dashboard/units/${code}?date=${D}`, { key: portalKey });
        expect({ code, status: res.status }).toEqual({ code, status: 403 });
        expect(res.text).toContain('Khóa này chỉ được xem đơn vị của mình và các đơn vị trực thuộc.');
        expectNothingOutside(code, res.text);
      }
    });

    it('exports its own tables only, and never the province overview', async () => {
      for (const table of ['targets', 'districts', 'laggards', 'coverage', 'broadcasts']) {
        const res = await http(svc, 'GET', `/dashboard/export/${table}?date=${D}&format=csv`, { key: portalKey });
        expect({ table, status: res.status }).toEqual({ table, status: 403 });
      }
      for (const table of UNIT_TABLES) {
        for (const format of ['csv', 'xlsx']) {
          const mine = await http(svc, 'GET', `/dashboard/export/${table}?date=${D}&unit=844&format=${format}&lang=vi`, { key: portalKey });
          expect({ table, format, status: mine.status }).toEqual({ table, format, status: 200 });
          if (format === 'csv') expectNothingOutside(table, mine.text);
        }
        for (const unit of ['84', '842', '29236']) {
          const res = await http(svc, 'GET', `/dashboard/export/${table}?date=${D}&unit=${unit}&format=csv`, { key: portalKey });
          expect({ table, unit, status: res.status }).toEqual({ table, unit, status: 403 });
        }
      }
    });

    it('gets time series of its own units in one call, and none with a unit outside', async () => {
      const mine = await http(svc, 'GET', `/dashboard/timeseries?units=844,29269&date=${D}`, { key: portalKey });
      expect(mine.status).toBe(200);
      expect(new Set(mine.body.items.map((r: { code: string }) => r.code))).toEqual(new Set(['844']));
      for (const units of ['844,842', '84', '29236,29269']) {
        const res = await http(svc, 'GET', `/dashboard/timeseries?units=${units}&date=${D}`, { key: portalKey });
        expect({ units, status: res.status }).toEqual({ units, status: 403 });
      }
    });
  });

  describe('exports and time series for keys that read everything', () => {
    it('writes every overview table as XLSX with Vietnamese headers on request and numbers as numbers', async () => {
      const res = await fetch(`${svc.url}/dashboard/export/districts?date=${D}&lang=vi`, {
        headers: { authorization: `Bearer ${analystKey}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
      const ws = wb.worksheets[0];
      const headers = (ws.getRow(1).values as unknown[]).slice(1);
      expect(headers.slice(0, 4)).toEqual(['Hạng', 'Đơn vị', 'Người đứng đầu', 'Người dân cài đặt / dân số']);
      const first = (ws.getRow(2).values as unknown[]).slice(1);
      expect(first[0]).toBe(1);
      expect(typeof first[3]).toBe('number'); // a fraction, shown as a percentage by its format
      expect(ws.getRow(2).getCell(4).numFmt).toBe('0.00%');
      expect(first[1]).toBe(EVIL); // the lowest district, its name as text
      for (const table of ['targets', 'laggards', 'coverage', 'broadcasts']) {
        const r = await http(svc, 'GET', `/dashboard/export/${table}?date=${D}&format=xlsx`, { key: analystKey });
        expect({ table, status: r.status }).toEqual({ table, status: 200 });
      }
      const en = await http(svc, 'GET', `/dashboard/export/districts?date=${D}&format=csv`, { key: analystKey });
      expect(en.text.split('\r\n')[0]).toContain('Rank,Unit,Head,Residents installed / population');
    });

    it("writes CSV through the service's one CSV writer: BOM, quoted text, CRLF", async () => {
      const res = await http(svc, 'GET', `/dashboard/export/districts?date=${D}&format=csv&lang=vi`, { key: analystKey });
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.text.startsWith('Hạng,Đơn vị,')).toBe(true); // fetch drops the BOM when decoding
      expect(res.text).toContain('"Huyện <script>alert(""x"")</script> & Co"');
    });

    it('gives several units day by day in one call, each day the value of the figures holding then', async () => {
      const res = await http(svc, 'GET', `/dashboard/timeseries?units=84,842,844&target=T50&date=${D}&from=${D0}`, { key: analystKey });
      expect(res.status).toBe(200);
      const province = res.body.items.filter((r: { code: string }) => r.code === '84');
      expect(province.map((r: { date: string }) => r.date)).toEqual([D0, '2020-08-20', D]);
      expect(province[0].value).toBeCloseTo(0.0678, 6);
      expect(province[2].value).toBeCloseTo(0.3, 6);
      expect(new Set(res.body.items.map((r: { code: string }) => r.code))).toEqual(new Set(['84', '842', '844']));
      const csv = await http(svc, 'GET', `/dashboard/timeseries?units=84,842&target=T50&date=${D}&format=csv&lang=vi`, { key: analystKey });
      expect(csv.text.split('\r\n')[0]).toBe('Mã đơn vị,Đơn vị,Chỉ tiêu,Ngày,Kết quả,Mức yêu cầu,Số người đạt,Trên tổng số');
    });
  });
});
