import { DataSource } from 'typeorm';
import { ReplicaTree } from '@app/replica';
import { intakeService } from '../main';
import { reportBody } from '../../test/report-fixture';
import { http, settle, useService } from '@test/support/service-harness';

/**
 * Scope checks come from an in-memory copy of the replica (ReplicaTree) while it is current: a registry
 * change must take effect for the very next request after the replica transaction commits.
 */
describe('intake: scope answers follow the replica as soon as a registry change is applied', () => {
  const fx = useService(intakeService, async (events) => {
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '843', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    const portal842 = await events.key('portal', '842');
    return { portal842 };
  });
  const report = reportBody;
  const batchStatus = async (key: string, item: Record<string, unknown>) => {
    const res = await http(fx.svc, 'POST', '/v1/reports/batch', { key, body: { reports: [item] } });
    expect(res.status).toBe(200);
    return res.body.results[0];
  };

  it('moves a commune out of a portal subtree, then retires it: single and batch answers change at once', async () => {
    const tree = fx.svc.app.get(ReplicaTree);
    expect((await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: report() })).status).toBe(202);
    expect(await batchStatus(fx.world.portal842, report({ asOf: '2020-08-24' }))).toMatchObject({ status: 'accepted' });
    // The copy is warm now: an unchanged replica is served from memory.
    await tree.current();
    const loads = tree.loadCount;
    expect((await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: report({ installed: 501 }) })).status).toBe(202);
    expect(tree.loadCount).toBe(loads);

    // 29236 moves under 843 (a newer revision): the next request of the 842 portal is out of scope.
    await fx.events.unit({ code: '29236', type: 'commune', adminParentCode: '843', revision: 2 });
    await settle(fx.svc);
    const single = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: report({ installed: 502 }) });
    expect(single.status).toBe(403);
    expect(await batchStatus(fx.world.portal842, report({ installed: 503 }))).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'orgUnitCode', message: expect.stringContaining('may not act for unit 29236') }],
    });
    const portal843 = await fx.events.key('portal', '843');
    await settle(fx.svc);
    expect((await http(fx.svc, 'POST', '/v1/reports', { key: portal843, body: report({ installed: 504 }) })).status).toBe(202);

    // Retired: 422 for both paths.
    await fx.events.unit({ code: '29236', type: 'commune', adminParentCode: '843', active: false, revision: 3 });
    await settle(fx.svc);
    expect((await http(fx.svc, 'POST', '/v1/reports', { key: portal843, body: report({ installed: 505 }) })).status).toBe(422);
    expect(await batchStatus(portal843, report({ installed: 506 }))).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'orgUnitCode', message: expect.stringContaining('retired') }],
    });

    // A unit that appears is known at once.
    await fx.events.unit({ code: '29240', type: 'commune', adminParentCode: '843' });
    await settle(fx.svc);
    expect((await http(fx.svc, 'POST', '/v1/reports', { key: portal843, body: report({ orgUnitCode: '29240' }) })).status).toBe(202);
    expect(await fx.svc.app.get(DataSource).query(`SELECT count(*)::int AS n FROM reports WHERE org_unit_code = '29240'`)).toEqual([
      { n: 1 },
    ]);
  });
});
