import { intakeService } from '../../../apps/intake/src/main';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';

describe('platform: a service on the real PostgreSQL and NATS', () => {
  let svc: RunningService;
  let events: EventInjector;

  beforeAll(async () => {
    svc = await startService(intakeService);
    events = await EventInjector.open(svc.namespace);
  });
  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  it('reports ready on /health when PostgreSQL and NATS answer', async () => {
    const res = await http(svc, 'GET', '/health', { key: null });
    expect(res.status).toBe(200);
    expect(res.body.info).toEqual({ database: { status: 'up' }, nats: { status: 'up' } });
  });

  it('serves its OpenAPI document at /docs without a key, and Prometheus metrics at /metrics to an admin key', async () => {
    const doc = await http(svc, 'GET', '/docs/json', { key: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const metrics = await http(svc, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('bz_events_consumed_total');
  });

  it('answers 401 without a key and with an unknown key, as problem+json', async () => {
    const none = await http(svc, 'GET', '/v1/whoami', { key: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    const unknown = await http(svc, 'GET', '/v1/whoami', { key: 'bz_not-a-key-at-all' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toMatch(/unknown or revoked/);
  });

  it('authorises a key it learned from a registry key event, without calling the registry', async () => {
    await events.unit({ code: '84', type: 'province' });
    const key = await events.key('analyst', null);
    await settle(svc);
    const res = await http(svc, 'GET', '/v1/whoami', { key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'analyst', orgUnitCode: null });
    const rows: unknown[] = await svc.runtime['dataSource'].query(`SELECT code FROM replica_org_units`);
    expect(rows).toEqual([{ code: '84' }]);
  });
});
