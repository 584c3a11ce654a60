import { connect, createServer, type Server, type Socket } from 'node:net';

interface Relayed {
  /** The node this connection reaches (the gate's own node). */
  target: string;
  /** The node that dialled, once its route INFO has been read ("server_name"). */
  dialer: string | null;
  sockets: Socket[];
}

/**
 * The cluster routes between the local JetStream nodes, through gates this process holds: every node advertises
 * its gate as its route address, so every route connection (configured or learnt by gossip) passes one. A gate
 * reads the dialling node's name from its route INFO, so `isolate(node)` can cut every route to and from that
 * node (and refuse new ones) while its clients stay connected: the network cut of the fault suite, on loopback,
 * undone by `heal()`.
 */
export class RouteGates {
  private readonly servers = new Map<string, Server>();
  private readonly relayed = new Set<Relayed>();
  private readonly isolated = new Set<string>();
  readonly ports = new Map<string, number>();

  /** A gate for node `name` relaying to its route port. */
  async open(name: string, routePort: number, gatePort: number): Promise<void> {
    const server = createServer((client) => this.relay(name, routePort, client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(gatePort, '127.0.0.1', () => resolve());
    });
    this.servers.set(name, server);
    this.ports.set(name, gatePort);
  }

  private relay(target: string, routePort: number, client: Socket): void {
    client.on('error', () => undefined);
    if (this.isolated.has(target)) {
      client.destroy();
      return;
    }
    const upstream = connect(routePort, '127.0.0.1');
    upstream.on('error', () => undefined);
    const r: Relayed = { target, dialer: null, sockets: [client, upstream] };
    this.relayed.add(r);
    let head = '';
    client.on('data', (chunk: Buffer) => {
      if (r.dialer === null && head.length < 16_384) {
        head += chunk.toString('latin1');
        const m = /"server_name":"([^"]+)"/.exec(head);
        if (m) {
          r.dialer = m[1];
          if (this.isolated.has(r.dialer)) return this.drop(r);
        }
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    for (const s of r.sockets) s.on('close', () => this.drop(r));
  }

  private drop(r: Relayed): void {
    this.relayed.delete(r);
    for (const s of r.sockets) s.destroy();
  }

  /** Cuts every route to and from `name`, and refuses new ones, until heal(). */
  isolate(name: string): void {
    this.isolated.add(name);
    for (const r of [...this.relayed]) if (r.target === name || r.dialer === name) this.drop(r);
  }

  heal(): void {
    this.isolated.clear();
  }

  async close(): Promise<void> {
    for (const r of [...this.relayed]) this.drop(r);
    await Promise.all([...this.servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.clear();
  }
}
