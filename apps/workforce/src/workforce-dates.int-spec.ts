import { DataSource } from 'typeorm';
import { TargetSetV1 } from '@app/contracts';
import { addDays, campaignToday } from '@app/domain';
import { RESIDENTS_50 } from '@test/support/domain-fixtures';
import { http, settle, useService } from '@test/support/service-harness';
import { rosterCsv } from '../test/roster-fixtures';
import { publishWorld } from '../test/workforce-world';
import { workforceService } from './main';

/** Roster and passenger-check dates on the campaign calendar: refused outside it with 422 naming the field, nothing stored. */
describe('workforce: roster asOf and check dates on the campaign calendar', () => {
  const fx = useService(workforceService, publishWorld);
  const tomorrow = addDays(campaignToday('Asia/Ho_Chi_Minh'), 1);
  const roster = (asOf: string) =>
    http(fx.svc, 'POST', `/v1/enterprises/DN-A/rosters?asOf=${asOf}`, {
      key: fx.world.ezBoard,
      raw: rosterCsv(3),
      headers: { 'content-type': 'text/csv' },
    });
  const check = (date: string) =>
    http(fx.svc, 'POST', '/v1/transport-hubs/BX-TRAVINH/checks', {
      key: fx.world.transport,
      body: { date, passengersChecked: 10, alreadyInstalled: 5, installedOnSite: 3, refused: 0 },
    });
  const stored = async () =>
    (
      await fx.svc.app
        .get(DataSource)
        .query(`SELECT (SELECT count(*)::int FROM roster_imports) AS imports, (SELECT count(*)::int FROM outbox) AS outbox`)
    )[0];

  it('refuses year 1, 9999 and tomorrow for a roster and a check', async () => {
    const before = await stored();
    for (const date of ['0001-01-01', '9999-12-31', tomorrow]) {
      const r = await roster(date);
      expect(r.status).toBe(422);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors).toEqual([{ field: 'asOf', message: expect.stringContaining(date) }]);
      const c = await check(date);
      expect(c.status).toBe(422);
      expect(c.body.errors).toEqual([{ field: 'date', message: expect.stringContaining(date) }]);
    }
    expect(await stored()).toEqual(before);
  });

  it('follows the campaign start the registry publishes with its targets', async () => {
    expect((await roster('2020-08-10')).status).toBe(201);
    expect((await check('2020-08-10')).status).toBe(202);
    await fx.events.publish(TargetSetV1, RESIDENTS_50.targetId, { ...RESIDENTS_50, campaignStart: '2020-08-15' });
    await settle(fx.svc);
    expect((await roster('2020-08-14')).body.errors).toEqual([
      { field: 'asOf', message: 'asOf 2020-08-14 is before the campaign start 2020-08-15' },
    ]);
    expect((await check('2020-08-14')).body.errors).toEqual([
      { field: 'date', message: 'date 2020-08-14 is before the campaign start 2020-08-15' },
    ]);
    expect((await roster('2020-08-15')).status).toBe(201);
    expect((await check('2020-08-15')).status).toBe(202);
  });
});
