import { Agent, request as httpRequest } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * The load generator's HTTP client: node:http with a keep-alive agent (cheaper per request than fetch,
 * so the generator takes less of the two cores from the services it measures). Loopback only.
 */
export interface HttpResult {
  status: number;
  text: string;
}

export class HttpClient {
  readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    readonly key: string,
    maxSockets = 128,
  ) {
    const u = new URL(baseUrl);
    if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error(`the benchmark only drives 127.0.0.1, not ${u.hostname}`);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(
    method: string,
    path: string,
    opts: { body?: unknown; raw?: string | Buffer | Readable; contentType?: string; timeoutMs?: number } = {},
  ): Promise<HttpResult> {
    const u = new URL(path, this.baseUrl);
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    let payload: string | Buffer | undefined;
    let stream: Readable | undefined;
    if (opts.raw !== undefined) {
      if (typeof opts.raw === 'string' || Buffer.isBuffer(opts.raw)) payload = opts.raw;
      else stream = opts.raw;
      headers['content-type'] = opts.contentType ?? 'text/csv';
    } else if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    return new Promise<HttpResult>((resolve, reject) => {
      const req = httpRequest(
        {
          host: u.hostname,
          port: u.port,
          path: `${u.pathname}${u.search}`,
          method,
          headers,
          agent: this.agent,
          timeout: opts.timeoutMs ?? 120_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? 120_000} ms`)));
      req.on('error', reject);
      if (stream) {
        stream.on('error', (err) => req.destroy(err));
        stream.pipe(req);
      } else req.end(payload);
    });
  }

  async json<T = unknown>(
    method: string,
    path: string,
    opts: { body?: unknown; raw?: string | Buffer | Readable; contentType?: string; timeoutMs?: number; accept?: number[] } = {},
  ): Promise<T> {
    const r = await this.request(method, path, opts);
    const ok = (r.status >= 200 && r.status < 300) || opts.accept?.includes(r.status);
    if (!ok) throw new Error(`${method} ${path} → ${r.status}: ${r.text.slice(0, 400)}`);
    return (r.text ? JSON.parse(r.text) : undefined) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  /** Latencies of successful requests, in ms. */
  latencies: number[];
  /** What `fn` reported as the number of items done (e.g. reports accepted in a batch). */
  items: number;
}

/**
 * Closed-loop load: `concurrency` clients each send a request as soon as their previous one is
 * answered, until the time or the request budget is spent. `fn` returns the items the request carried
 * (or throws / returns -1 for a failure).
 */
export async function closedLoop(
  opts: { concurrency: number; durationMs: number; maxRequests: number },
  fn: (i: number) => Promise<number>,
): Promise<LoadResult> {
  const res: LoadResult = { requests: 0, ok: 0, errors: 0, firstError: null, elapsedMs: 0, latencies: [], items: 0 };
  const start = performance.now();
  const deadline = start + opts.durationMs;
  let issued = 0;
  const client = async (): Promise<void> => {
    while (issued < opts.maxRequests && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      try {
        const n = await fn(i);
        if (n < 0) throw new Error('request failed');
        res.ok += 1;
        res.items += n;
        res.latencies.push(performance.now() - t0);
      } catch (err) {
        res.errors += 1;
        res.firstError ??= (err as Error).message;
      }
      res.requests += 1;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  res.elapsedMs = performance.now() - start;
  return res;
}

/**
 * The HTTP floor of a service at a concurrency: GET /v1/whoami with the admin key is the guard, the
 * framework and loopback, with no database or NATS on the way (GET /health pings both, so it is not one).
 */
export async function httpFloor(client: HttpClient, concurrency: number, durationMs: number): Promise<LoadResult> {
  return closedLoop({ concurrency, durationMs, maxRequests: 1_000_000 }, async () =>
    (await client.request('GET', '/v1/whoami')).status === 200 ? 1 : -1,
  );
}
