import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

export interface NatsLinkOptions {
  readonly url: string;
  readonly name: string;
  readonly onStatus?: (message: string) => void;
}

/**
 * The service's NATS connection, made in the background so that a service whose NATS is away still
 * boots and keeps accepting work into its outbox; it reconnects forever once connected.
 */
export class NatsLink {
  private connection: NatsConnection | null = null;
  private readonly waiters: Array<(nc: NatsConnection) => void> = [];
  private closing = false;
  private readonly ready: Promise<NatsConnection>;

  constructor(private readonly options: NatsLinkOptions) {
    this.ready = new Promise((resolve) => this.waiters.push(resolve));
  }

  start(): void {
    void this.connectLoop();
  }

  /** Resolves once the first connection is made. */
  whenConnected(): Promise<NatsConnection> {
    return this.ready;
  }

  get nc(): NatsConnection | null {
    return this.connection;
  }

  isConnected(): boolean {
    return this.connection !== null && !this.connection.isClosed() && !this.isReconnecting;
  }

  private isReconnecting = false;

  async close(): Promise<void> {
    this.closing = true;
    const nc = this.connection;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (!this.closing) {
      try {
        const nc = await connect({
          servers: this.options.url.split(','),
          name: this.options.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          pingInterval: 10_000,
        });
        this.connection = nc;
        void this.watch(nc);
        this.options.onStatus?.(`connected to NATS at ${nc.getServer()}`);
        for (const w of this.waiters.splice(0)) w(nc);
        return;
      } catch (err) {
        attempt += 1;
        if (attempt === 1 || attempt % 30 === 0) {
          this.options.onStatus?.(`NATS at ${this.options.url} not reachable (${(err as Error).message}); retrying`);
        }
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
      }
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') this.isReconnecting = true;
      if (s.type === 'reconnect') {
        this.isReconnecting = false;
        this.options.onStatus?.('reconnected to NATS');
      }
      if (s.type === 'disconnect') this.options.onStatus?.('disconnected from NATS');
    }
  }
}
