import { TargetSetV1 } from '@app/contracts';
import { addDays, campaignToday } from '@app/domain';
import { RESIDENTS_50 } from '@test/support/domain-fixtures';
import { http, settle, useService } from '@test/support/service-harness';
import { publishSupportWorld } from '../../test/support-world';
import { supportPointsService } from '../main';

/** The campaign calendar of support points: every date they are given, refused outside it with 422 naming the field. */
describe('support points: opening, closing, reopening and session dates on the campaign calendar', () => {
  const fx = useService(supportPointsService, publishSupportWorld);
  const tomorrow = addDays(campaignToday('Asia/Ho_Chi_Minh'), 1);
  const point = (id: string, openedOn: string, communeCode = '29308') =>
    http(fx.svc, 'PUT', `/v1/support-points/${id}`, {
      key: fx.world,
      body: { operator: 'VNPT-TV', communeCode, address: 'Cầu Kè', openedOn },
    });
  const post = (id: string, what: 'close' | 'reopen' | 'sessions', body: Record<string, unknown>) =>
    http(fx.svc, 'POST', `/v1/support-points/${id}/${what}`, { key: fx.world, body });
  const session = (date: string) => ({ date, assisted: 3, installed: 2, bluetoothEnabled: 1 });
  const fields = (res: { body: { errors?: Array<{ field: string }> } }) => res.body.errors?.map((e) => e.field);

  it('refuses an opening date in year 1, in 9999 or tomorrow, listing it with the other faults', async () => {
    for (const openedOn of ['0001-01-01', '9999-12-31', tomorrow]) {
      const res = await point('VNPT-9', openedOn);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(fields(res)).toEqual(['openedOn']);
    }
    expect(fields(await point('VNPT-9', '9999-12-31', '99999'))).toEqual(['openedOn', 'communeCode']);
    expect((await http(fx.svc, 'GET', '/v1/support-points/VNPT-9', { key: fx.world })).status).toBe(404);
  });

  it('refuses closing, reopening and session dates off the calendar; nothing changes', async () => {
    expect((await point('VNPT-1', '2020-08-20')).status).toBe(201);
    for (const date of ['0001-01-01', '9999-12-31', tomorrow]) {
      for (const what of ['close', 'sessions'] as const) {
        const res = await post('VNPT-1', what, what === 'close' ? { date } : session(date));
        expect(res.status).toBe(422);
        expect(fields(res)).toEqual(['date']);
      }
    }
    expect((await post('VNPT-1', 'close', { date: '2020-08-25' })).status).toBe(200);
    for (const date of ['9999-12-31', tomorrow]) expect(fields(await post('VNPT-1', 'reopen', { date }))).toEqual(['date']);
    expect((await http(fx.svc, 'GET', '/v1/support-points/VNPT-1', { key: fx.world })).body).toMatchObject({
      periods: [{ openedOn: '2020-08-20', closedOn: '2020-08-25' }],
      sessions: [],
    });
  });

  it('follows the campaign start the registry publishes with its targets', async () => {
    expect((await point('VNPT-2', '2020-08-10')).status).toBe(201);
    await fx.events.publish(TargetSetV1, RESIDENTS_50.targetId, { ...RESIDENTS_50, campaignStart: '2020-08-15' });
    await settle(fx.svc);
    const early = await post('VNPT-2', 'sessions', session('2020-08-14'));
    expect(early.status).toBe(422);
    expect(early.body.errors).toEqual([{ field: 'date', message: 'date 2020-08-14 is before the campaign start 2020-08-15' }]);
    expect((await post('VNPT-2', 'sessions', session('2020-08-15'))).status).toBe(201);
    expect(fields(await point('VNPT-3', '2020-08-14'))).toEqual(['openedOn']);
  });
});
