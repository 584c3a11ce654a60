import { CohortSetV1 } from '@app/contracts';
import { intakeService } from '../../../intake/src/main';
import { publishSampleMapping, sample } from '../../../intake/test/exchange/exchange-fixtures';
import { ratesService } from '../../../rates/src/main';
import { waitFor } from '@test/support/int-env';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { complianceService } from '../main';

/**
 * Issue 20, end to end through intake, rates and compliance on one event namespace: the same figures sent as an
 * ADX file (commune 29236, known to DHIS2 as DHIS_TV_AN_PHU), as a DHIS2 data value set (29239) and as a
 * /v1/reports/batch (29242) give the same figures (counts, rates, population rate) in the read model; the
 * district's export in either format, imported again, changes nothing.
 */
describe('exchange: ADX and dataValueSets imports give the batch figures; exports round-trip', () => {
  let intake: RunningService;
  let rates: RunningService;
  let compliance: RunningService;
  let events: EventInjector;
  let portal: string;
  let analyst: string;
  const COMMUNES = ['29236', '29239', '29242'];
  const DAYS = ['2020-08-24', '2020-08-25'];

  beforeAll(async () => {
    intake = await startService(intakeService);
    rates = await startService(ratesService, { namespace: intake.namespace, env: { RATES_FLUSH_DEBOUNCE_MS: '100' } });
    compliance = await startService(complianceService, { namespace: intake.namespace });
    for (const s of [intake, rates, compliance]) await settle(s);
    events = await EventInjector.open(intake.namespace);
    await events.unit({ code: '84', type: 'province', level: 1 });
    await events.unit({ code: '842', type: 'district', adminParentCode: '84', level: 2 });
    await events.unit({ code: '843', type: 'district', adminParentCode: '84', level: 2 });
    for (const code of COMMUNES) {
      await events.unit({ code, type: 'commune', adminParentCode: '842', level: 3 });
      await events.publish(CohortSetV1, code, { orgUnitCode: code, cohort: 'residents', headcount: 1200, asOf: '2019-04-01' });
    }
    await events.unit({ code: '29300', type: 'commune', adminParentCode: '843', level: 3 });
    await publishSampleMapping(events);
    portal = await events.key('portal', '842');
    analyst = await events.key('analyst', null);
    for (const s of [intake, rates, compliance]) await settle(s);
  }, 120_000);

  afterAll(async () => {
    await events?.close();
    for (const s of [compliance, rates]) if (s) await disposeService(s, { database: true, namespace: false });
    if (intake) await disposeService(intake);
  });

  const series = async (unit: string) => {
    const res = await http(compliance, 'GET', `/v1/timeseries?unit=${unit}&cohort=residents&from=${DAYS[0]}&to=${DAYS[1]}`, {
      key: analyst,
    });
    expect(res.status).toBe(200);
    return (res.body.items as Array<Record<string, unknown>>).map(({ orgUnitCode: _u, name: _n, ...rest }) => rest);
  };
  /** The unit's figures once the read model holds both days as reported (installed 420, then 500). */
  const figuresIn = async (unit: string) => {
    try {
      return await waitFor(
        async () => {
          const rows = await series(unit);
          return rows.length === 2 && rows[0].installed === 420 && rows[1].installed === 500 ? rows : null;
        },
        `figures of ${unit}`,
        60_000,
      );
    } catch {
      return series(unit); // for the assertion's diff
    }
  };

  it('gives the same figures whichever door the reports came in by, and the exports import back unchanged', async () => {
    const adx = await http(intake, 'POST', '/v1/reports/adx', {
      key: portal,
      raw: sample('daily-residents.adx.xml'),
      headers: { 'content-type': 'application/adx+xml' },
    });
    expect(adx.body).toMatchObject({ accepted: 2, rejected: 0, unplaced: [] });
    const dvs = await http(intake, 'POST', '/v1/reports/data-value-sets', {
      key: portal,
      body: JSON.parse(sample('daily-residents.dvs.json')),
    });
    expect(dvs.body).toMatchObject({ accepted: 2, rejected: 0, unplaced: [] });
    const batch = await http(intake, 'POST', '/v1/reports/batch', {
      key: portal,
      body: {
        reports: [
          {
            orgUnitCode: '29242',
            cohort: 'residents',
            asOf: DAYS[0],
            headcount: 1000,
            smartphoneHolders: 800,
            installed: 420,
            bluetoothOn: 390,
          },
          {
            orgUnitCode: '29242',
            cohort: 'residents',
            asOf: DAYS[1],
            headcount: 1000,
            smartphoneHolders: 800,
            installed: 500,
            bluetoothOn: 450,
          },
        ],
      },
    });
    expect(batch.body).toMatchObject({ accepted: 2, rejected: 0 });
    // A commune outside the district: not in the district's export.
    const outside = await http(intake, 'POST', '/v1/reports/batch', {
      body: {
        reports: [
          { orgUnitCode: '29300', cohort: 'residents', asOf: DAYS[1], headcount: 10, smartphoneHolders: 9, installed: 8, bluetoothOn: 7 },
        ],
      },
    });
    expect(outside.body).toMatchObject({ accepted: 1 });

    const viaBatch = await figuresIn('29242');
    expect(viaBatch[1]).toMatchObject({
      date: DAYS[1],
      installed: 500,
      bluetoothOn: 450,
      population: 1200,
      installRate: 500 / 800,
      bluetoothRate: 450 / 800,
      populationRate: 500 / 1200,
    });
    expect(await figuresIn('29236')).toEqual(viaBatch);
    expect(await figuresIn('29239')).toEqual(viaBatch);

    const exportAdx = await http(compliance, 'GET', `/v1/exports/adx?unit=842&from=${DAYS[0]}&to=${DAYS[1]}`, { key: portal });
    expect(exportAdx.status).toBe(200);
    expect(exportAdx.headers.get('content-type')).toContain('application/adx+xml');
    expect(exportAdx.text).toContain('<group orgUnit="DHIS_TV_AN_PHU" period="2020-08-25/P1D" dataSet="BLUEZONE_DAILY">');
    expect(exportAdx.text).toContain('<dataValue dataElement="BZ_INSTALLED" COHORT="RESIDENTS" value="500"/>');
    expect(exportAdx.text).not.toContain('29300');
    expect(exportAdx.text.match(/<dataValue /g)).toHaveLength(COMMUNES.length * DAYS.length * 4);
    const exportDvs = await http(compliance, 'GET', `/v1/exports/data-value-sets?unit=842&from=${DAYS[0]}&to=${DAYS[1]}`, { key: portal });
    expect(exportDvs.status).toBe(200);
    expect(exportDvs.body.dataValues).toHaveLength(COMMUNES.length * DAYS.length * 4);
    expect(exportDvs.body.dataValues).toContainEqual({
      dataElement: 'BZ_BLUETOOTH_ON',
      period: '20200824',
      orgUnit: 'DHIS_TV_AN_PHU',
      categoryOptionCombo: 'RESIDENTS',
      value: '390',
    });

    const again = await http(intake, 'POST', '/v1/reports/adx', {
      key: portal,
      raw: exportAdx.text,
      headers: { 'content-type': 'application/adx+xml' },
    });
    expect(again.body).toMatchObject({ accepted: 0, unchanged: COMMUNES.length * DAYS.length, rejected: 0, unplaced: [] });
    const againDvs = await http(intake, 'POST', '/v1/reports/data-value-sets', { key: portal, body: exportDvs.body });
    expect(againDvs.body).toMatchObject({ accepted: 0, unchanged: COMMUNES.length * DAYS.length, rejected: 0, unplaced: [] });

    // Out of the key's subtree: refused as every compliance read is.
    expect((await http(compliance, 'GET', `/v1/exports/adx?unit=843&from=${DAYS[0]}&to=${DAYS[1]}`, { key: portal })).status).toBe(403);
  }, 120_000);
});
