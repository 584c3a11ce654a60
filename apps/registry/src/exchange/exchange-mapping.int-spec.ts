import { DataSource } from 'typeorm';
import { registryService } from '../main';
import { disposeService, http, startService, type RunningService } from '@test/support/service-harness';

jest.setTimeout(60_000);

/** Issue 20: the DHIS2/ADX mapping table, kept by the registry and published for intake and compliance. */
describe('registry: the DHIS2/ADX mapping table', () => {
  let svc: RunningService;
  const events = async (type: string) =>
    (await svc.app.get(DataSource).query(`SELECT envelope->'data' AS d FROM outbox WHERE envelope->>'type' = $1 ORDER BY seq`, [type])).map(
      (r: { d: unknown }) => r.d,
    );

  beforeAll(async () => {
    svc = await startService(registryService);
    await http(svc, 'PUT', '/v1/org-units/84', { body: { name: 'Trà Vinh', type: 'province' } });
    await http(svc, 'PUT', '/v1/org-units/842', { body: { name: 'Càng Long', type: 'district', adminParentCode: '84' } });
  });
  afterAll(async () => {
    if (svc) await disposeService(svc);
  });

  it('maps data elements and org units, publishes each real change with its revision, and removes them', async () => {
    const body = { dataElement: 'BZ_INSTALLED', categoryOptionCombo: 'RESIDENTS', adxDisaggregation: { COHORT: 'RESIDENTS' } };
    const first = await http(svc, 'PUT', '/v1/exchange/mapping/elements/residents/installed', { body });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ cohort: 'residents', field: 'installed', revision: 1, changed: true });
    expect((await http(svc, 'PUT', '/v1/exchange/mapping/elements/residents/installed', { body })).body).toMatchObject({
      revision: 1,
      changed: false,
    });
    // The same data element and combo cannot carry a second count.
    const clash = await http(svc, 'PUT', '/v1/exchange/mapping/elements/residents/bluetoothOn', { body });
    expect(clash.status).toBe(409);
    expect(clash.body.errors[0].field).toBe('dataElement');
    const bad = await http(svc, 'PUT', '/v1/exchange/mapping/elements/residents/population', { body });
    expect(bad.status).toBe(400);
    for (const adxDisaggregation of [{ '1COHORT': 'RESIDENTS' }, { value: 'RESIDENTS' }, { COHORT: 'a b' }]) {
      const refused = await http(svc, 'PUT', '/v1/exchange/mapping/elements/staff/installed', { body: { ...body, adxDisaggregation } });
      expect(refused.status).toBe(422);
    }

    expect((await http(svc, 'PUT', '/v1/exchange/mapping/units/DHIS_CANG_LONG', { body: { orgUnitCode: '842' } })).body).toMatchObject({
      externalCode: 'DHIS_CANG_LONG',
      orgUnitCode: '842',
      revision: 1,
    });
    expect((await http(svc, 'PUT', '/v1/exchange/mapping/units/OTHER', { body: { orgUnitCode: '842' } })).status).toBe(409);
    expect((await http(svc, 'PUT', '/v1/exchange/mapping/units/NOPE', { body: { orgUnitCode: '99999' } })).status).toBe(404);

    const listed = await http(svc, 'GET', '/v1/exchange/mapping');
    expect(listed.body).toEqual({
      elements: [{ cohort: 'residents', field: 'installed', ...body, revision: 1 }],
      units: [{ externalCode: 'DHIS_CANG_LONG', orgUnitCode: '842', revision: 1 }],
    });

    expect((await http(svc, 'DELETE', '/v1/exchange/mapping/elements/residents/installed')).status).toBe(204);
    expect((await http(svc, 'DELETE', '/v1/exchange/mapping/elements/residents/installed')).status).toBe(404);
    expect((await http(svc, 'DELETE', '/v1/exchange/mapping/units/DHIS_CANG_LONG')).status).toBe(204);
    // Mapped again after its removal: the revision goes on, so replicas take it over the removal.
    expect((await http(svc, 'PUT', '/v1/exchange/mapping/elements/residents/installed', { body })).body.revision).toBe(3);
    expect((await http(svc, 'GET', '/v1/exchange/mapping')).body.units).toEqual([]);

    expect(await events('registry.exchange.element.mapped')).toEqual([
      { cohort: 'residents', field: 'installed', ...body, removed: false, revision: 1 },
      { cohort: 'residents', field: 'installed', ...body, removed: true, revision: 2 },
      { cohort: 'residents', field: 'installed', ...body, removed: false, revision: 3 },
    ]);
    expect(await events('registry.exchange.unit.mapped')).toEqual([
      { externalCode: 'DHIS_CANG_LONG', orgUnitCode: '842', revision: 1 },
      { externalCode: 'DHIS_CANG_LONG', orgUnitCode: null, revision: 2 },
    ]);
  });

  it('answers a request that loses the race to map a unit with 409, never a 500', async () => {
    await http(svc, 'PUT', '/v1/org-units/843', { body: { name: 'Cầu Kè', type: 'district', adminParentCode: '84' } });
    // Another request has mapped 843 and not committed yet: this one's check sees the unit free, its write waits.
    const other = svc.app.get(DataSource).createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      await other.query(`INSERT INTO exchange_units (external_code, org_unit_code, revision) VALUES ('RACE_WINNER', '843', 1)`);
      const loser = http(svc, 'PUT', '/v1/exchange/mapping/units/RACE_LOSER', { body: { orgUnitCode: '843' } });
      await new Promise((r) => setTimeout(r, 500));
      await other.commitTransaction();
      const answer = await loser;
      expect(answer.status).toBe(409);
      expect(answer.body.errors[0].field).toBe('orgUnitCode');
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
    expect((await http(svc, 'GET', '/v1/exchange/mapping')).body.units).toEqual(
      expect.arrayContaining([expect.objectContaining({ externalCode: 'RACE_WINNER', orgUnitCode: '843' })]),
    );
  });
});
