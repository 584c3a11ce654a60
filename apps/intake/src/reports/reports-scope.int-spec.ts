import { DataSource } from 'typeorm';
import { ReplicaTree } from '@app/replica';
import { intakeService } from '../main';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '../../../../test/support/service-harness';

/**
 * Scope checks come from an in-memory copy of the replica (ReplicaTree) while it is current: a registry
 * change must take effect for the very next request after the replica transaction commits.
 */
describe('intake: scope answers follow the replica as soon as a registry change is applied', () => {
  let svc: RunningService;
  let events: EventInjector;
  let portal842: string;
  const report = (over: Record<string, unknown> = {}) => ({
    orgUnitCode: '29236',
    cohort: 'residents',
    asOf: '2020-08-25',
    headcount: 1000,
    smartphoneHolders: 800,
    installed: 500,
    bluetoothOn: 450,
    ...over,
  });
  const batchStatus = async (key: string, item: Record<string, unknown>) => {
    const res = await http(svc, 'POST', '/v1/reports/batch', { key, body: { reports: [item] } });
    expect(res.status).toBe(200);
    return res.body.results[0];
  };

  beforeAll(async () => {
    svc = await startService(intakeService);
    await settle(svc);
    events = await EventInjector.open(svc.namespace);
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '843', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    portal842 = await events.key('portal', '842');
    await settle(svc);
  }, 60_000);
  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  it('moves a commune out of a portal subtree, then retires it: single and batch answers change at once', async () => {
    const tree = svc.app.get(ReplicaTree);
    expect((await http(svc, 'POST', '/v1/reports', { key: portal842, body: report() })).status).toBe(202);
    expect(await batchStatus(portal842, report({ asOf: '2020-08-24' }))).toMatchObject({ status: 'accepted' });
    // The copy is warm now: an unchanged replica is served from memory.
    await tree.current();
    const loads = tree.loadCount;
    expect((await http(svc, 'POST', '/v1/reports', { key: portal842, body: report({ installed: 501 }) })).status).toBe(202);
    expect(tree.loadCount).toBe(loads);

    // 29236 moves under 843 (a newer revision): the next request of the 842 portal is out of scope.
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '843', revision: 2 });
    await settle(svc);
    const single = await http(svc, 'POST', '/v1/reports', { key: portal842, body: report({ installed: 502 }) });
    expect(single.status).toBe(403);
    expect(await batchStatus(portal842, report({ installed: 503 }))).toMatchObject({
      status: 'rejected',
      errors: [{ field: 'orgUnitCode', message: expect.stringContaining('may not act for unit 29236') }],
    });
    const portal843 = await events.key('portal', '843');
    await settle(svc);
    expect((await http(svc, 'POST', '/v1/reports', { key: portal843, body: report({ installed: 504 }) })).status).toBe(202);

    // Retired: 422 for both paths.
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '843', active: false, revision: 3 });
    await settle(svc);
    expect((await http(svc, 'POST', '/v1/reports', { key: portal843, body: report({ installed: 505 }) })).status).toBe(422);
    expect(await batchStatus(portal843, report({ installed: 506 }))).toMatchObject({ status: 'rejected', errors: [{ field: 'orgUnitCode', message: expect.stringContaining('retired') }] });

    // A unit that appears is known at once.
    await events.unit({ code: '29240', type: 'commune', adminParentCode: '843' });
    await settle(svc);
    expect((await http(svc, 'POST', '/v1/reports', { key: portal843, body: report({ orgUnitCode: '29240' }) })).status).toBe(202);
    expect(await svc.app.get(DataSource).query(`SELECT count(*)::int AS n FROM reports WHERE org_unit_code = '29240'`)).toEqual([{ n: 1 }]);
  });
});
