import { connect } from 'node:net';
import { registryService } from '../../../../apps/registry/src/main';
import { freePort } from '../../../../tools/processes/service-processes';
import { disposeService, http, startService, type RunningService } from '@test/support/service-harness';

const PROBLEM = 'application/problem+json; charset=utf-8';

/** What a raw socket gets back for bytes no HTTP client would send. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(request));
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('utf8')));
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

// Issue 21, items 6 and 8: what reached PostgreSQL or Fastify's defaults and came back 500 or plain JSON.
describe('platform: the HTTP edge of a real service (registry)', () => {
  let svc: RunningService;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    svc = await startService(registryService, { env: { METRICS_PORT: String(metricsPort), RATE_LIMIT_AUTH_FAILURES: '8' } });
  });
  afterAll(async () => {
    if (svc) await disposeService(svc);
  });

  it('refuses a NUL byte in every text input (JSON field, nested field, key label, path, query, CSV) with 400 naming the field', async () => {
    const cases: Array<[string, string, Parameters<typeof http>[3], string[]]> = [
      [
        'PUT',
        '/v1/org-units/84',
        { body: { name: 'Tỉnh\u0000', type: 'province', head: { name: 'A\u0000', title: 'Chủ tịch' } } },
        ['name', 'head.name'],
      ],
      ['POST', '/v1/api-keys', { body: { role: 'analyst', label: 'bad\u0000label' } }, ['label']],
      ['GET', '/v1/org-units/84%00', {}, ['code']],
      ['GET', '/v1/org-units?parent=%00', {}, ['parent']],
      [
        'POST',
        '/v1/org-units/import',
        { raw: 'code,name,type,level,parent_code\n84,Tỉnh Trà\u0000 Vinh,province,1,\n', headers: { 'content-type': 'text/csv' } },
        ['body'],
      ],
    ];
    for (const [method, path, opts, fields] of cases) {
      const res = await http(svc, method, path, opts);
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 400, type: PROBLEM });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    }
    expect((await http(svc, 'GET', '/v1/org-units/84')).status).toBe(404); // nothing was stored
  });

  it('refuses JSON nested 10,000 deep and a 20-digit offset with 400, not a stack overflow or a database error', async () => {
    const deep = await http(svc, 'PUT', '/v1/org-units/84', {
      raw: `{"name":${'['.repeat(10_000)}${']'.repeat(10_000)},"type":"province"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect([deep.status, deep.body.errors[0].field]).toEqual([400, 'body']);
    const offset = await http(svc, 'GET', '/v1/org-units?offset=99999999999999999999');
    expect([offset.status, offset.headers.get('content-type')]).toEqual([400, PROBLEM]);
    expect(offset.body.errors.map((e: { field: string }) => e.field)).toEqual(['offset']);
  });

  it("answers Fastify's own refusals as problem+json: 414, 431, bad JSON, 413, 415, 404, malformed HTTP", async () => {
    const port = Number(new URL(svc.url).port);
    const checks: Array<[number, Promise<{ status: number; headers: Headers }>]> = [
      [414, http(svc, 'GET', `/v1/org-units?parent=${'1'.repeat(9000)}`)],
      [414, http(svc, 'GET', `/v1/org-units/${'1'.repeat(300)}`)],
      [400, http(svc, 'PUT', '/v1/org-units/84', { raw: '{"name":', headers: { 'content-type': 'application/json' } })],
      [
        413,
        http(svc, 'PUT', '/v1/org-units/84', {
          raw: `{"name":"${'a'.repeat(6 * 1024 * 1024)}"}`,
          headers: { 'content-type': 'application/json' },
        }),
      ],
      [415, http(svc, 'PUT', '/v1/org-units/84', { raw: '<unit/>', headers: { 'content-type': 'application/xml' } })],
      [404, http(svc, 'GET', '/v1/no-such-route')],
    ];
    for (const [status, pending] of checks) {
      const res = await pending;
      expect([res.status, res.headers.get('content-type')]).toEqual([status, PROBLEM]);
    }
    const huge = await rawExchange(port, `GET /v1/org-units?parent=${'1'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge).toContain(`Content-Type: ${PROBLEM}`);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
    const garbage = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage).toContain(`Content-Type: ${PROBLEM}`);
  });

  it('sends security headers on the API document and its UI: CSP with frame-ancestors, nosniff, no referrer', async () => {
    for (const path of ['/docs', '/docs/json', '/v1/org-units']) {
      const res = await http(svc, 'GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    // The UI loads only this service's own scripts: nothing inline for the CSP to block.
    const ui = await http(svc, 'GET', '/docs');
    expect(ui.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await http(svc, 'GET', '/docs/swagger-ui-init.js')).status).toBe(200);
  });

  it('serves /metrics to admin keys only, and without a key on the METRICS_PORT listener', async () => {
    expect((await http(svc, 'GET', '/metrics', { key: null })).status).toBe(401);
    const admin = await http(svc, 'GET', '/metrics');
    expect([admin.status, admin.text.includes('bz_process_cpu_seconds_total')]).toEqual([200, true]);
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect([scrape.status, (await scrape.text()).includes('bz_process_cpu_seconds_total')]).toEqual([200, true]);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/org-units`)).status).toBe(404);
  });

  // Last: it blocks this address for the rest of the window.
  it('answers an address that keeps guessing keys 429 problem+json with Retry-After; /health still answers', async () => {
    let res = await http(svc, 'GET', '/v1/whoami', { key: 'bz_guess-0' });
    for (let i = 1; i < 20 && res.status === 401; i++) res = await http(svc, 'GET', '/v1/whoami', { key: `bz_guess-${i}` });
    expect([res.status, res.headers.get('content-type')]).toEqual([429, PROBLEM]);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('x-correlation-id')).toBeTruthy();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await http(svc, 'GET', '/v1/whoami')).status).toBe(429);
    expect((await http(svc, 'GET', '/health/live', { key: null })).status).toBe(200);
  });
});
