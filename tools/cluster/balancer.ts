import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A small HTTP round-robin in front of one service's replicas (the gateway of deploy/, on loopback). A request
 * goes to the next replica; when that replica refuses the connection (it is down), to the one after it, so a
 * request is only ever retried elsewhere when no replica received it. Any other failure is a 502 to the client,
 * which retries with its Idempotency-Key.
 */
export class Balancer {
  private next = 0;
  private server: Server | null = null;
  port = 0;

  constructor(
    readonly name: string,
    /** The replicas' ports, read at each request (a restarted replica keeps its port). */
    private readonly upstreams: () => number[],
  ) {}

  async listen(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const ports = this.upstreams();
    for (let tried = 0; tried < ports.length; tried++) {
      const port = ports[this.next++ % ports.length];
      const outcome = await this.forward(port, req, body, res);
      if (outcome !== 'refused') return;
    }
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'Bad Gateway', status: 502, detail: `no replica of ${this.name} accepted the connection` }));
    }
  }

  private forward(port: number, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<'done' | 'refused'> {
    return new Promise((resolve) => {
      const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' };
      const up = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        ur.on('end', () => resolve('done'));
        ur.on('error', () => {
          res.destroy();
          resolve('done');
        });
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') return resolve('refused');
        // Sent, maybe processed: the client decides (it retries with the same Idempotency-Key).
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/problem+json' });
          res.end(JSON.stringify({ title: 'Bad Gateway', status: 502, detail: `${this.name} replica on ${port}: ${err.message}` }));
        } else res.destroy();
        resolve('done');
      });
      up.end(body);
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }
}
