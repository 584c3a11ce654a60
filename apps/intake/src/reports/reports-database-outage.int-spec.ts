import { reportBody } from '../../test/report-fixture';
import { intakeService } from '../main';
import { dropDatabase, freshDatabase, waitFor } from '@test/support/int-env';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { TcpProxy } from '@test/support/tcp-proxy';

// PostgreSQL itself is shared: the outage is a relay in front of it that the test cuts (issue 21, item 6).
describe('intake while PostgreSQL is unreachable: 503 with Retry-After, naming the dependency, never 500', () => {
  let proxy: TcpProxy;
  let databaseUrl: string;
  let svc: RunningService;
  let events: EventInjector;
  let portal: string;

  beforeAll(async () => {
    databaseUrl = await freshDatabase('outage');
    const u = new URL(databaseUrl);
    proxy = await TcpProxy.start({ host: u.hostname, port: Number(u.port || 5432) });
    svc = await startService(intakeService, { databaseUrl: TcpProxy.rewrite(databaseUrl, proxy.port) });
    await settle(svc);
    events = await EventInjector.open(svc.namespace);
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    portal = await events.key('portal', '29236');
    await settle(svc);
  });
  afterAll(async () => {
    await events?.close();
    await proxy?.restore().catch(() => undefined);
    if (svc) await disposeService(svc, { database: false, namespace: true });
    await proxy?.close();
    if (databaseUrl) await dropDatabase(databaseUrl).catch(() => undefined);
  });

  it('answers readiness 503 problem+json naming PostgreSQL, reports 503 with Retry-After, and recovers when it is back', async () => {
    expect((await http(svc, 'POST', '/v1/reports', { key: portal, body: reportBody({ asOf: '2020-08-20' }) })).status).toBe(202);
    await proxy.cut();

    const ready = await http(svc, 'GET', '/health', { key: null });
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toContain('application/problem+json');
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(ready.body).toMatchObject({
      status: 503,
      title: 'Service Unavailable',
      checks: { database: { status: 'down' }, nats: { status: 'up' } },
    });
    expect(ready.body.detail).toMatch(/^not ready: PostgreSQL \(database\): unreachable/);
    expect((await http(svc, 'GET', '/health/live', { key: null })).status).toBe(200);

    // The key is known from before the outage or not: either way the answer is 503, never 500.
    for (const key of [portal, 'bz_a-key-this-service-has-never-seen']) {
      const write = await http(svc, 'POST', '/v1/reports', { key, body: reportBody({ asOf: '2020-08-21' }) });
      expect({ key: key.slice(0, 6), status: write.status }).toEqual({ key: key.slice(0, 6), status: 503 });
      expect(write.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(write.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    await proxy.restore();
    await waitFor(async () => (await http(svc, 'GET', '/health', { key: null })).status === 200, 'readiness after the outage', 30_000, 250);
    expect((await http(svc, 'POST', '/v1/reports', { key: portal, body: reportBody({ asOf: '2020-08-21' }) })).status).toBe(202);
  });
});
