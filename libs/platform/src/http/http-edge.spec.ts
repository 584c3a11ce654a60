import { PassThrough } from 'node:stream';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { loadConfig, ServiceConfig } from '../config/service-config';
import { frameworkErrors, refuseLongUrls } from './fastify-errors';
import { JsonDepthCounter, MAX_JSON_DEPTH, nulFields, nulLines, registerInputGuards } from './input-guards';
import { problemOf, sendProblem } from './problem.filter';
import { registerRateLimits } from './rate-limits';
import { registerSecurityHeaders, securityHeaders } from './security-headers';
import { parseTrustProxy } from './trust-proxy';

/** A bare Fastify with the platform's edge, errors answered the way the Nest filter answers them. */
async function edge(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = loadConfig(ServiceConfig, env);
  const app = Fastify({ trustProxy: parseTrustProxy(config.TRUST_PROXY), frameworkErrors });
  app.setErrorHandler((err, req, reply) => sendProblem(reply, problemOf(err, req.url.split('?')[0])));
  refuseLongUrls(app);
  registerSecurityHeaders(app);
  await registerRateLimits(app, config);
  app.addContentTypeParser(['text/csv'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  registerInputGuards(app);
  app.all('/echo/:code', async (req) => ({ body: req.body ?? null, query: req.query }));
  app.get('/secret', async (req, reply) =>
    req.headers.authorization === 'Bearer good' ? { ok: true } : reply.status(401).send({ status: 401 }),
  );
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/page', async (_req, reply) => reply.header('content-security-policy', "default-src 'none'").type('text/html').send('<p>'));
  await app.ready();
  return app;
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('input guards', () => {
  it('given JSON nested past the limit, then the depth counter stops it; strings and escapes do not count', () => {
    expect(new JsonDepthCounter(3).feed(Buffer.from(nested(3)))).toBe(true);
    expect(new JsonDepthCounter(3).feed(Buffer.from(nested(4)))).toBe(false);
    expect(new JsonDepthCounter(1).feed(Buffer.from('{"a":"[[[[\\"[[[","b":"\\\\"}'))).toBe(true);
    const split = new JsonDepthCounter(2);
    expect(split.feed(Buffer.from('{"a":['))).toBe(true);
    expect(split.feed(Buffer.from('['))).toBe(false);
  });

  it('given NUL characters anywhere in a value, then each is named by its path', () => {
    expect(nulFields({ name: 'a\u0000', head: { name: 'ok', title: '\u0000' }, list: ['x', 'y\u0000'], ['k\u0000']: 1 })).toEqual([
      { field: 'name', message: 'name must not contain a NUL character (U+0000)' },
      { field: 'head.title', message: 'head.title must not contain a NUL character (U+0000)' },
      { field: 'list[1]', message: 'list[1] must not contain a NUL character (U+0000)' },
      { field: 'k\u0000', message: 'a field name must not contain a NUL character (U+0000)' },
    ]);
    expect(nulFields({ fine: 'Trà Vinh', n: 3, b: null })).toEqual([]);
    // A streamed body (a roster) is the request stream: not data to walk, and its object graph has cycles.
    const stream = Object.assign(new PassThrough(), { note: 'x\u0000' });
    (stream as unknown as { self: unknown }).self = stream;
    expect(nulFields(stream)).toEqual([]);
    expect(nulLines('code,name\n84,Tr\u0000a\n85,ok\n86,\u0000\u0000')).toEqual([
      { field: 'body', message: 'body line 2 must not contain a NUL character (U+0000)' },
      { field: 'body', message: 'body line 4 must not contain a NUL character (U+0000)' },
    ]);
  });

  it('given a request with NUL in its body, query, path or CSV, or JSON 10,000 deep, then 400 problem+json naming the field', async () => {
    const app = await edge();
    const cases: Array<[InjectOptions, string]> = [
      [{ method: 'PUT', url: '/echo/84', payload: { name: 'a\u0000b' } }, 'name'],
      [{ method: 'GET', url: '/echo/84?unit=8%004' }, 'unit'],
      [{ method: 'GET', url: '/echo/8%004' }, 'code'],
      [{ method: 'POST', url: '/echo/84', headers: { 'content-type': 'text/csv' }, payload: 'a,b\n1,\u0000\n' }, 'body'],
      [{ method: 'PUT', url: '/echo/84', headers: { 'content-type': 'application/json' }, payload: nested(10_000) }, 'body'],
    ];
    for (const [req, field] of cases) {
      const res = await app.inject(req);
      expect({ url: req.url, status: res.statusCode, type: res.headers['content-type'] }).toEqual({
        url: req.url,
        status: 400,
        type: 'application/problem+json; charset=utf-8',
      });
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const fine = await app.inject({ method: 'PUT', url: '/echo/84', payload: { a: JSON.parse(nested(MAX_JSON_DEPTH - 1)) } });
    expect(fine.statusCode).toBe(200);
    await app.close();
  });

  it("given a URL too long or not valid, then Fastify's router errors are problem+json too", async () => {
    const app = await edge();
    const long = await app.inject({ method: 'GET', url: `/echo/84?x=${'a'.repeat(9000)}` });
    expect([long.statusCode, long.headers['content-type'], long.json().title]).toEqual([
      414,
      'application/problem+json; charset=utf-8',
      'URI Too Long',
    ]);
    const segment = await app.inject({ method: 'GET', url: `/echo/${'a'.repeat(200)}` });
    expect([segment.statusCode, segment.json().errors[0].field]).toEqual([414, 'url']);
    const bad = await app.inject({ method: 'GET', url: '/echo/%zz' });
    expect([bad.statusCode, bad.headers['content-type']]).toEqual([400, 'application/problem+json; charset=utf-8']);
    await app.close();
  });
});

describe('rate limits', () => {
  it('given an address whose requests keep failing authentication, then it gets 429 with Retry-After, whatever key it sends next', async () => {
    const app = await edge({ RATE_LIMIT_AUTH_FAILURES: '3' });
    const from = (remoteAddress: string, key: string) =>
      app.inject({ method: 'GET', url: '/secret', remoteAddress, headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 3; i++) expect((await from('10.0.0.1', `guess${i}`)).statusCode).toBe(401);
    const blocked = await from('10.0.0.1', 'good');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await app.inject({ method: 'GET', url: '/health/live', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    expect((await from('10.0.0.2', 'good')).statusCode).toBe(200);
    await app.close();
  });

  it('given writes past the limit, then 429 per key and per address; reads are not counted', async () => {
    const app = await edge({ RATE_LIMIT_WRITES_PER_KEY: '2', RATE_LIMIT_WRITES_PER_ADDRESS: '4' });
    const write = (remoteAddress: string, key: string) =>
      app.inject({ method: 'POST', url: '/echo/84', remoteAddress, headers: { authorization: `Bearer ${key}` }, payload: {} });
    expect([(await write('10.0.0.1', 'a')).statusCode, (await write('10.0.0.1', 'a')).statusCode]).toEqual([200, 200]);
    const perKey = await write('10.0.0.2', 'a');
    expect([perKey.statusCode, perKey.json().detail]).toEqual([429, 'too many writes with this API key; retry later']);
    expect([(await write('10.0.0.1', 'b')).statusCode, (await write('10.0.0.1', 'c')).statusCode]).toEqual([200, 200]);
    const perAddress = await write('10.0.0.1', 'd');
    expect([perAddress.statusCode, perAddress.json().detail]).toEqual([429, 'too many writes from this address; retry later']);
    expect((await app.inject({ method: 'GET', url: '/echo/84', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    await app.close();
  });

  it('given no TRUST_PROXY, then X-Forwarded-For does not change the address; with it, the proxy is believed', async () => {
    const guess = (app: FastifyInstance, forwardedFor: string) =>
      app.inject({ method: 'GET', url: '/secret', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': forwardedFor } });
    const direct = await edge({ RATE_LIMIT_AUTH_FAILURES: '2' });
    await guess(direct, '1.1.1.1');
    await guess(direct, '2.2.2.2');
    expect((await guess(direct, '3.3.3.3')).statusCode).toBe(429);
    await direct.close();
    const proxied = await edge({ RATE_LIMIT_AUTH_FAILURES: '2', TRUST_PROXY: '127.0.0.1' });
    await guess(proxied, '1.1.1.1');
    await guess(proxied, '2.2.2.2');
    expect((await guess(proxied, '3.3.3.3')).statusCode).toBe(401);
    await proxied.close();
  });
});

describe('security headers', () => {
  it("given helmet's options, then its headers are worked out once: CSP, nosniff, no referrer, no framing, no X-Powered-By", () => {
    const { set, removed } = securityHeaders();
    expect(set['content-security-policy'].split(';')).toEqual(
      expect.arrayContaining(["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]),
    );
    expect(set).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(removed).toEqual(['x-powered-by']);
  });

  it('given any answer (a route, a 404, a refusal by a hook), then it carries them; a page may replace the policy with its own', async () => {
    const app = await edge({ RATE_LIMIT_AUTH_FAILURES: '1' });
    const { set } = securityHeaders();
    const ok = await app.inject({ method: 'GET', url: '/echo/84' });
    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    await app.inject({ method: 'GET', url: '/secret', remoteAddress: '10.0.0.9' });
    const refused = await app.inject({ method: 'GET', url: '/secret', remoteAddress: '10.0.0.9' });
    expect([ok.statusCode, missing.statusCode, refused.statusCode]).toEqual([200, 404, 429]);
    for (const res of [ok, missing, refused]) expect(res.headers).toMatchObject(set);
    const page = await app.inject({ method: 'GET', url: '/page' });
    expect(page.headers).toMatchObject({ ...set, 'content-security-policy': "default-src 'none'" });
    await app.close();
  });
});

describe('TRUST_PROXY', () => {
  it('given nothing, false or 0, then no proxy is trusted; given a hop count or a list, then those', () => {
    expect([parseTrustProxy(undefined), parseTrustProxy(''), parseTrustProxy('false'), parseTrustProxy('0')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,loopback, ::1, fd00::/8')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
  });

  it('given true, a bad address or a bad prefix, then the configuration is refused by name', () => {
    expect(() => loadConfig(ServiceConfig, { TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would trust every client/);
    expect(() => loadConfig(ServiceConfig, { TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY: "10.0.0.0\/33"/);
    expect(() => loadConfig(ServiceConfig, { TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY: "proxy.local"/);
    expect(() => loadConfig(ServiceConfig, { EVENT_LOOP_BLOCK_LIMIT_MS: '5' })).toThrow(
      /EVENT_LOOP_BLOCK_LIMIT_MS must be 0 \(off\) or 100–600000 ms/,
    );
    expect(loadConfig(ServiceConfig, { EVENT_LOOP_BLOCK_LIMIT_MS: '0' }).EVENT_LOOP_BLOCK_LIMIT_MS).toBe(0);
  });
});
