import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { liveSubjectOf, REGISTRY_HEARTBEAT, type RegistryHeartbeatV1 } from '@app/contracts';
import { NatsLink } from '@app/messaging';
import { MIGRATIONS_ONLY_ENV, rootLogger } from '@app/platform';
import { RegistryConfig } from '../registry.config';
import { isoMillis } from './api-keys.service';

/**
 * Announces the registry every REGISTRY_HEARTBEAT_MS on `<ns>_live.registry.heartbeat.v1` (core NATS, outside
 * the event stream: never stored), with the time its keys last changed. Services that stop hearing it, or whose
 * key replica is older than it says, check keys with the registry's HTTP API (libs/replica, RegistryPulse).
 * No heartbeat while the database does not answer: without the keys' state there is nothing true to announce.
 */
@Injectable()
export class KeyHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  private readonly log = rootLogger().child({ context: 'key-heartbeat' });

  constructor(
    private readonly ds: DataSource,
    private readonly link: NatsLink,
    private readonly config: RegistryConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (process.env[MIGRATIONS_ONLY_ENV] === '1') return;
    this.timer = setInterval(() => void this.beat(), this.config.REGISTRY_HEARTBEAT_MS);
    this.timer.unref();
    void this.link.whenConnected().then(() => this.beat());
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async beat(): Promise<void> {
    const nc = this.link.nc;
    if (!nc || !this.link.isConnected()) return;
    try {
      const [{ changed }]: Array<{ changed: string | null }> = await this.ds.query(
        `SELECT ${isoMillis('max(greatest(issued_at, revoked_at))')} AS changed FROM api_keys`,
      );
      const beat: RegistryHeartbeatV1 = { source: 'registry', sentAt: new Date().toISOString(), keysChangedAt: changed };
      nc.publish(liveSubjectOf(this.config.EVENTS_NAMESPACE, REGISTRY_HEARTBEAT.name, REGISTRY_HEARTBEAT.version), JSON.stringify(beat));
      if (this.failing) this.log.info('heartbeat resumed');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn(`heartbeat skipped: ${(err as Error).message}`);
      this.failing = true;
    }
  }
}
