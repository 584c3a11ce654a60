import { DataSource } from 'typeorm';
import { intakeService } from '../main';
import { publishSampleMapping, sample } from '../../test/exchange/exchange-fixtures';
import { http, useService } from '@test/support/service-harness';

/**
 * Issue 20: reports arriving as ADX or as a DHIS2 data value set are the same reports as a batch's. Three
 * communes of one district get the same two days of figures, one through each door; what intake stores and
 * publishes (the ReportAcceptedV1 events every figure is computed from) is the same for the three.
 */
describe('intake: ADX and dataValueSets imports', () => {
  const fx = useService(intakeService, async (events) => {
    await events.unit({ code: '842', type: 'district' });
    for (const code of ['29236', '29239', '29242', '29245']) await events.unit({ code, type: 'commune', adminParentCode: '842' });
    await events.unit({ code: '843', type: 'district' });
    await events.unit({ code: '29300', type: 'commune', adminParentCode: '843' });
    await publishSampleMapping(events);
    return { portal: await events.key('portal', '842') };
  });
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
    fx.svc.app.get(DataSource).query(sql, params);
  const adx = (body: string, headers: Record<string, string> = {}) =>
    http(fx.svc, 'POST', '/v1/reports/adx', {
      key: fx.world.portal,
      raw: body,
      headers: { 'content-type': 'application/adx+xml', 'accept-language': 'en', ...headers },
    });
  const dvs = (body: unknown, headers: Record<string, string> = {}) =>
    http(fx.svc, 'POST', '/v1/reports/data-value-sets', { key: fx.world.portal, body, headers: { 'accept-language': 'en', ...headers } });
  const published = async (unit: string) =>
    (
      await q<{ d: Record<string, unknown> }>(
        `SELECT envelope->'data' AS d FROM outbox WHERE envelope->>'type' = 'intake.report.accepted' AND envelope->'data'->>'orgUnitCode' = $1
         ORDER BY envelope->'data'->>'asOf'`,
        [unit],
      )
    ).map(({ d }) => ({
      cohort: d.cohort,
      asOf: d.asOf,
      revision: d.revision,
      headcount: d.headcount,
      smartphoneHolders: d.smartphoneHolders,
      installed: d.installed,
      bluetoothOn: d.bluetoothOn,
    }));

  it('an ADX file, a data value set and a batch with the same figures store and publish the same reports', async () => {
    const a = await adx(sample('daily-residents.adx.xml'));
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ accepted: 2, unchanged: 0, rejected: 0, unplaced: [] });
    expect(a.body.results[0]).toMatchObject({
      orgUnit: 'DHIS_TV_AN_PHU',
      period: '2020-08-24/P1D',
      orgUnitCode: '29236',
      cohort: 'residents',
      asOf: '2020-08-24',
      status: 'accepted',
      revision: 1,
    });
    const d = await dvs(JSON.parse(sample('daily-residents.dvs.json')));
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ accepted: 2, unchanged: 0, rejected: 0, unplaced: [] });
    const b = await http(fx.svc, 'POST', '/v1/reports/batch', {
      key: fx.world.portal,
      body: {
        reports: [
          {
            orgUnitCode: '29242',
            cohort: 'residents',
            asOf: '2020-08-24',
            headcount: 1000,
            smartphoneHolders: 800,
            installed: 420,
            bluetoothOn: 390,
          },
          {
            orgUnitCode: '29242',
            cohort: 'residents',
            asOf: '2020-08-25',
            headcount: 1000,
            smartphoneHolders: 800,
            installed: 500,
            bluetoothOn: 450,
          },
        ],
      },
    });
    expect(b.body).toMatchObject({ accepted: 2, rejected: 0 });

    const viaBatch = await published('29242');
    expect(viaBatch).toHaveLength(2);
    expect(await published('29236')).toEqual(viaBatch);
    expect(await published('29239')).toEqual(viaBatch);
    const stored = (unit: string) =>
      q(
        `SELECT cohort, as_of::text, revision, headcount, smartphone_holders, installed, bluetooth_on FROM reports WHERE org_unit_code = $1 ORDER BY as_of`,
        [unit],
      );
    expect(await stored('29236')).toEqual(await stored('29242'));
    expect(await stored('29239')).toEqual(await stored('29242'));

    // The same files again change nothing (as a batch sent again).
    expect((await adx(sample('daily-residents.adx.xml'))).body).toMatchObject({ accepted: 0, unchanged: 2 });
    expect((await dvs(JSON.parse(sample('daily-residents.dvs.json')))).body).toMatchObject({ accepted: 0, unchanged: 2 });
  });

  it("rejects a report with the batch's own per-item errors, and lists the data values that belong to no report", async () => {
    const set = {
      period: '20200820',
      dataValues: [
        // 29245: installed over smartphone holders, the batch's count rule.
        { dataElement: 'BZ_HEADCOUNT', categoryOptionCombo: 'RESIDENTS', orgUnit: '29245', value: '100' },
        { dataElement: 'BZ_SMARTPHONE', categoryOptionCombo: 'RESIDENTS', orgUnit: '29245', value: '50' },
        { dataElement: 'BZ_INSTALLED', categoryOptionCombo: 'RESIDENTS', orgUnit: '29245', value: '60' },
        { dataElement: 'BZ_BLUETOOTH_ON', categoryOptionCombo: 'RESIDENTS', orgUnit: '29245', value: '10' },
        // 29300: outside the key's district.
        { dataElement: 'BZ_HEADCOUNT', categoryOptionCombo: 'RESIDENTS', orgUnit: '29300', value: '100' },
        { dataElement: 'BZ_SMARTPHONE', categoryOptionCombo: 'RESIDENTS', orgUnit: '29300', value: '50' },
        { dataElement: 'BZ_INSTALLED', categoryOptionCombo: 'RESIDENTS', orgUnit: '29300', value: '40' },
        { dataElement: 'BZ_BLUETOOTH_ON', categoryOptionCombo: 'RESIDENTS', orgUnit: '29300', value: '10' },
        // 29242: bluetoothOn missing, and a value that is not a count.
        { dataElement: 'BZ_HEADCOUNT', categoryOptionCombo: 'RESIDENTS', orgUnit: '29242', value: '100' },
        { dataElement: 'BZ_SMARTPHONE', categoryOptionCombo: 'RESIDENTS', orgUnit: '29242', value: '5.5' },
        { dataElement: 'BZ_INSTALLED', categoryOptionCombo: 'RESIDENTS', orgUnit: '29242', value: '4' },
        // Unmapped element, a monthly period, a value without its data element.
        { dataElement: 'MAL_CASES', categoryOptionCombo: 'default', orgUnit: '29242', value: '3' },
        { dataElement: 'BZ_HEADCOUNT', categoryOptionCombo: 'RESIDENTS', orgUnit: '29242', period: '202008', value: '100' },
        { categoryOptionCombo: 'RESIDENTS', orgUnit: '29242', value: '100' },
      ],
    };
    const res = await dvs(set);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 0, unchanged: 0, rejected: 3 });
    const byUnit = Object.fromEntries(res.body.results.map((r: { orgUnitCode: string }) => [r.orgUnitCode, r]));
    const batch = await http(fx.svc, 'POST', '/v1/reports/batch', {
      key: fx.world.portal,
      body: {
        reports: [
          {
            orgUnitCode: '29245',
            cohort: 'residents',
            asOf: '2020-08-20',
            headcount: 100,
            smartphoneHolders: 50,
            installed: 60,
            bluetoothOn: 10,
          },
          {
            orgUnitCode: '29300',
            cohort: 'residents',
            asOf: '2020-08-20',
            headcount: 100,
            smartphoneHolders: 50,
            installed: 40,
            bluetoothOn: 10,
          },
          { orgUnitCode: '29242', cohort: 'residents', asOf: '2020-08-20', headcount: 100, smartphoneHolders: 5.5, installed: 4 },
        ],
      },
    });
    expect(byUnit['29245'].errors).toEqual(batch.body.results[0].errors);
    expect(byUnit['29300'].errors).toEqual(batch.body.results[1].errors);
    expect(byUnit['29242'].errors).toEqual(batch.body.results[2].errors);
    expect(byUnit['29242'].errors.map((e: { field: string }) => e.field).sort()).toEqual(['bluetoothOn', 'smartphoneHolders']);
    expect(res.body.unplaced).toEqual([
      expect.objectContaining({
        at: 'dataValues[11]',
        errors: [
          expect.objectContaining({
            field: 'dataElement',
            message: expect.stringContaining('MAL_CASES (default) is not in the mapping table'),
          }),
        ],
      }),
      expect.objectContaining({
        at: 'dataValues[12]',
        errors: [expect.objectContaining({ field: 'period', message: expect.stringContaining('period 202008 is not one day') })],
      }),
      expect.objectContaining({
        at: 'dataValues[13]',
        errors: [{ field: 'dataValues[13].dataElement', message: 'dataElement is missing' }],
      }),
    ]);
    const vi = await dvs(set, { 'accept-language': 'vi' });
    expect(vi.body.unplaced[0].errors[0].message).toContain('chưa có trong bảng ánh xạ');
  });

  it('keeps an Idempotency-Key as the batch does: the same file replays, another file under it is refused (422)', async () => {
    const file = sample('daily-residents.adx.xml').replaceAll('2020-08-2', '2020-08-1');
    const headers = { 'idempotency-key': 'adx-1' };
    const first = await adx(file, headers);
    expect(first.body).toMatchObject({ accepted: 2 });
    const again = await adx(file, headers);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await adx(file.replace('value="420"', 'value="421"'), headers);
    expect(other.status).toBe(422);
  });

  it('refuses a DOCTYPE (XXE, billion laughs), XML that is not ADX, and a wrong content type', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="29236" period="2020-08-25/P1D" dataSet="X"><dataValue dataElement="BZ_HEADCOUNT" COHORT="RESIDENTS" value="&lol2;"/></group></adx>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY x SYSTEM "file:///etc/passwd">]><adx xmlns="urn:ihe:qrph:adx:2015">&x;</adx>`;
    for (const body of [laughs, xxe]) {
      const res = await adx(body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail).toContain('DOCTYPE');
    }
    const undeclared = await adx(`<adx xmlns="urn:ihe:qrph:adx:2015">&x;</adx>`);
    expect(undeclared.status).toBe(400);
    expect((await adx('<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"/>')).body.detail).toContain('not <adx');
    expect((await adx('<adx xmlns="urn:ihe:qrph:adx:2015"><group')).status).toBe(400);
    // An empty body (the fuzz suite's case: once answered never) and one of blanks: not XML, 400.
    for (const blank of ['', '   \n'])
      for (const headers of [{}, { 'idempotency-key': `blank-${blank.length}` }] as Array<Record<string, string>>) {
        const res = await adx(blank, headers);
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
    const json = await http(fx.svc, 'POST', '/v1/reports/adx', {
      key: fx.world.portal,
      body: { adx: [] },
      headers: { 'accept-language': 'en' },
    });
    expect(json.status).toBe(415);
    expect(json.body.detail).toContain('application/adx+xml');
    expect((await dvs([1, 2])).status).toBe(400);
  });

  it('reads a large ADX file as a stream past the platform body limit', async () => {
    const groups: string[] = [];
    const communes = ['29236', '29239', '29242', '29245'];
    // Days of its own (2021-01-02 on), which no other test of the file reports: every group is a first report.
    for (let day = 1; day <= 2500 / communes.length; day++) {
      const asOf = new Date(Date.UTC(2021, 0, 1) + day * 86400000).toISOString().slice(0, 10);
      for (const c of communes)
        groups.push(
          `<group orgUnit="${c}" period="${asOf}/P1D" dataSet="BLUEZONE_DAILY">` +
            `<dataValue dataElement="BZ_HEADCOUNT" COHORT="RESIDENTS" value="10"><annotation>${'x'.repeat(2000)}</annotation></dataValue><dataValue dataElement="BZ_SMARTPHONE" COHORT="RESIDENTS" value="9"/>` +
            `<dataValue dataElement="BZ_INSTALLED" COHORT="RESIDENTS" value="8"/><dataValue dataElement="BZ_BLUETOOTH_ON" COHORT="RESIDENTS" value="7"/></group>`,
        );
    }
    const file = `<adx xmlns="urn:ihe:qrph:adx:2015">${groups.join('\n')}</adx>`;
    expect(file.length).toBeGreaterThan(5 * 1024 * 1024);
    const res = await adx(file);
    expect(res.status).toBe(200);
    // Every group became one report, accepted.
    expect(res.body.results).toHaveLength(groups.length);
    expect(res.body).toMatchObject({ accepted: groups.length, rejected: 0 });
    expect(res.body.unplaced).toEqual([]);
  }, 60_000);

  it('answers the requests after a large file refused early on the same kept-alive connection (the rest of it is read and dropped)', async () => {
    // Not XML from its first byte, 3 MB long: refused after the first chunk; what follows must not stay in the
    // socket, or the next request on the connection is never read (the fuzz suite's hung request).
    for (let i = 0; i < 3; i++) {
      const res = await adx(`a,b\n${'x'.repeat(3 << 20)}`);
      expect(res.status).toBe(400);
      const next = await adx('<adx xmlns="urn:ihe:qrph:adx:2015"></adx>');
      expect(next.status).toBe(200);
    }
  }, 60_000);

  it('refuses a file of more data values than a batch holds (413), and answers the next request on the connection', async () => {
    const value = '<dataValue dataElement="BZ_HEADCOUNT" COHORT="RESIDENTS" value="1"/>';
    const file = `<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="29236" period="2020-08-01/P1D" dataSet="D">${value.repeat(40_001)}</group></adx>`;
    const res = await adx(file, { 'accept-language': 'vi' });
    expect(res.status).toBe(413);
    expect(res.body.detail).toBe('Tệp có hơn 40.000 giá trị dữ liệu: hãy chia tệp theo kỳ báo cáo hoặc theo huyện');
    expect((await adx(sample('daily-residents.adx.xml'))).status).toBe(200);
  });

  it('takes a data value set past the platform body limit, up to its own (413 beyond)', async () => {
    const set = JSON.parse(sample('daily-residents.dvs.json')) as { dataValues: Array<Record<string, unknown>> };
    set.dataValues = set.dataValues.map((v) => ({
      ...v,
      period: String(v.period).replace('202008', '202007'),
      comment: 'x'.repeat(800_000),
    }));
    const big = await dvs(set);
    expect(JSON.stringify(set).length).toBeGreaterThan(6 * 1024 * 1024);
    expect(big.status).toBe(200);
    expect(big.body).toMatchObject({ accepted: 2, rejected: 0 });
    const tooBig = await http(fx.svc, 'POST', '/v1/reports/data-value-sets', {
      key: fx.world.portal,
      raw: JSON.stringify({ dataValues: [], padding: 'x'.repeat(33 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooBig.status).toBe(413);
    // Every other route keeps the platform's limit.
    const batch = await http(fx.svc, 'POST', '/v1/reports/batch', {
      key: fx.world.portal,
      raw: JSON.stringify({ reports: [], padding: 'x'.repeat(6 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(batch.status).toBe(413);
  }, 60_000);
});
