/** The simulator's HTTP client: retries what is safe to retry (every write carries an Idempotency-Key). */
export interface ServiceUrls {
  registry: string;
  intake: string;
  supportPoints: string;
  workforce: string;
  rates: string;
  compliance: string;
}

export function defaultUrls(env: NodeJS.ProcessEnv = process.env): ServiceUrls {
  const host = env.BZ_HOST ?? '127.0.0.1';
  const url = (name: string, port: number) => env[`${name}_URL`] ?? `http://${host}:${env[`${name}_PORT`] ?? port}`;
  return {
    compliance: url('COMPLIANCE', 3000),
    registry: url('REGISTRY', 3001),
    intake: url('INTAKE', 3002),
    supportPoints: url('SUPPORT_POINTS', 3003),
    workforce: url('WORKFORCE', 3004),
    rates: url('RATES', 3005),
  };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  key: string;
  body?: unknown;
  raw?: Buffer | string;
  contentType?: string;
  idempotencyKey?: string;
  /** Statuses that are an answer, not an error (e.g. 404 when probing). */
  accept?: number[];
}

export class Client {
  retries = 0;

  constructor(
    private readonly maxAttempts = 60,
    private readonly retryDelayMs = 500,
  ) {}

  async request<T = any>(method: string, url: string, opts: RequestOptions): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.key}` };
    let body: string | Buffer | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? 'text/csv';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let parsed: unknown;
      try {
        const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(60_000) });
        status = res.status;
        const text = await res.text();
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = text;
        }
      } catch (err) {
        // Connection refused or reset: the service is restarting (fault runs); try again.
        if (attempt >= this.maxAttempts) throw new Error(`${method} ${url}: ${(err as Error).message}`);
        this.retries += 1;
        await new Promise((r) => setTimeout(r, this.retryDelayMs));
        continue;
      }
      if ((status >= 200 && status < 300) || opts.accept?.includes(status)) return { status, body: parsed as T };
      if ((status >= 500 || status === 429) && attempt < this.maxAttempts) {
        this.retries += 1;
        await new Promise((r) => setTimeout(r, this.retryDelayMs));
        continue;
      }
      const detail = (parsed as { detail?: string })?.detail ?? JSON.stringify(parsed)?.slice(0, 300);
      throw new HttpError(status, parsed, `${method} ${url} → ${status}: ${detail}`);
    }
  }
}

/** Runs tasks with at most `n` at a time. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}
