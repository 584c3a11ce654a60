import { nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** Who the service is to the NATS server: a user and password, or an NKEY seed (the server holds only its public key). */
export interface NatsCredentials {
  readonly user?: string;
  readonly password?: string;
  readonly nkeySeed?: string;
}

export interface NatsLinkOptions {
  readonly url: string;
  readonly name: string;
  readonly credentials?: NatsCredentials;
  /**
   * Reply subjects of this connection: `_INBOX.<service>`, so that the server lets each service subscribe to
   * its own replies only (scripts/launcher/nats-auth.js). Default `_INBOX`.
   */
  readonly inboxPrefix?: string;
  readonly onStatus?: (message: string) => void;
}

/** The connection options that carry credentials and the reply prefix (the service's link, and tools acting as a service). */
export function natsAuthOptions(credentials: NatsCredentials | undefined, inboxPrefix?: string): Partial<ConnectionOptions> {
  const o: Partial<ConnectionOptions> = inboxPrefix ? { inboxPrefix } : {};
  if (credentials?.nkeySeed) o.authenticator = nkeyAuthenticator(new TextEncoder().encode(credentials.nkeySeed));
  else if (credentials?.user) Object.assign(o, { user: credentials.user, pass: credentials.password ?? '' });
  return o;
}

/** The inbox prefix of a service's connections (see NatsLinkOptions.inboxPrefix). */
export function serviceInboxPrefix(service: string): string {
  return `_INBOX.${service}`;
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

  /** The prefix of the connection's reply subjects (NatsLinkOptions.inboxPrefix; the client's default when absent). */
  get inboxPrefix(): string | undefined {
    return this.options.inboxPrefix;
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
          // Without: every request (each JetStream publish and ack-ack) builds two Error objects with stack traces up
          // front, for a timeout that rarely comes; they were ~5% of a relay's CPU under load. A timeout still rejects.
          noAsyncTraces: true,
          ...natsAuthOptions(this.options.credentials, this.options.inboxPrefix),
        });
        this.connection = nc;
        void this.watch(nc);
        this.options.onStatus?.(`connected to NATS at ${nc.getServer()}`);
        for (const w of this.waiters.splice(0)) w(nc);
        return;
      } catch (err) {
        attempt += 1;
        // Refused credentials will not get better by themselves, but the operator may fix the server's
        // configuration: keep trying, and say why each time it is reported.
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
