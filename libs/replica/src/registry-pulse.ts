import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { liveSubjectOf, REGISTRY_HEARTBEAT, RegistryHeartbeatV1, ROLES, type Role } from '@app/contracts';
import { checkPlain, metricCounter, NatsLink } from '@app/messaging';
import { MIGRATIONS_ONLY_ENV, PLATFORM_OPTIONS, rootLogger, type PlatformOptions, type Principal } from '@app/platform';

const keyChecks = metricCounter(
  'bz_key_checks_total',
  'API keys judged by a replica service: from the replica (fresh), by asking the registry (replica stale), or unconfirmed (neither)',
  ['by'],
);

const REGISTRY_RETRY_MS = 3000;

/** What the registry's HTTP API says of a key: its principal, null (unknown or revoked), or that it could not be asked. */
export type RegistryAnswer = Principal | null | 'unreachable';

/**
 * How far a service can trust its replica of the registry's keys. The registry announces itself on
 * `<ns>_live.registry.heartbeat.v1` every REGISTRY_HEARTBEAT_MS with the time its keys last changed; the
 * replica is fresh while a heartbeat was heard within KEY_STALENESS_MS and the replica holds every key change
 * the last heartbeat announced. A stale replica is not trusted alone: keys are checked with the registry's HTTP
 * API (REGISTRY_URL). The service's start counts as a heartbeat, so the bound holds from boot even when NATS
 * never answers.
 */
@Injectable()
export class RegistryPulse implements OnApplicationBootstrap, OnApplicationShutdown {
  private heardAt = Date.now();
  private keysChangedAt: string | null = null;
  /** The last look at whether the replica holds `keysChangedAt`: not repeated more than every 250 ms while it does not. */
  private caughtUp = { keysChangedAt: null as string | null, at: 0, ok: true };
  private wasFresh = true;
  /** Keys the registry refused while the replica was stale: refused until the replica is fresh again (it then knows). */
  private readonly refused = new Set<string>();
  /** When asking the registry last failed: it is not asked again for a moment, so an outage costs no timeout per request. */
  private registryFailedAt = 0;
  private subscription: Subscription | null = null;
  private closed = false;
  private readonly log = rootLogger().child({ context: 'registry-pulse' });
  private readonly stalenessMs: number;
  private readonly registryUrl: string | null;

  constructor(
    private readonly link: NatsLink,
    private readonly ds: DataSource,
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
  ) {
    this.stalenessMs = options.config.KEY_STALENESS_MS;
    this.registryUrl = options.config.REGISTRY_URL ?? null;
    // One gauge per process; it reads the pulse that registered it (one service per process outside tests).
    if (!register.getSingleMetric('bz_registry_heartbeat_age_seconds')) {
      const ageSeconds = (): number => (Date.now() - this.heardAt) / 1000;
      new Gauge({
        name: 'bz_registry_heartbeat_age_seconds',
        help: 'Seconds since the registry was last heard (or since this service started); above KEY_STALENESS_MS/1000 keys are checked with the registry',
        collect() {
          this.set(ageSeconds());
        },
      });
    }
  }

  onApplicationBootstrap(): void {
    if (process.env[MIGRATIONS_ONLY_ENV] === '1') return;
    const subject = liveSubjectOf(this.options.config.EVENTS_NAMESPACE, REGISTRY_HEARTBEAT.name, REGISTRY_HEARTBEAT.version);
    // The client subscribes again by itself after every reconnect.
    void this.link.whenConnected().then((nc) => {
      if (this.closed) return;
      this.subscription = nc.subscribe(subject, { callback: (err, msg) => (err ? undefined : this.heard(msg)) });
    });
  }

  onApplicationShutdown(): void {
    this.closed = true;
    this.subscription?.unsubscribe();
  }

  private heard(msg: Msg): void {
    let beat: RegistryHeartbeatV1;
    try {
      beat = msg.json<RegistryHeartbeatV1>();
    } catch {
      beat = null as never;
    }
    const errors = checkPlain(RegistryHeartbeatV1, beat);
    if (errors.length > 0) {
      this.log.warn(`ignored a registry heartbeat that breaks its contract: ${errors.join('; ')}`);
      return;
    }
    this.heardAt = Date.now();
    this.keysChangedAt = beat.keysChangedAt ?? null;
  }

  /** Whether the replica alone may judge keys now. */
  async isFresh(): Promise<boolean> {
    const fresh = Date.now() - this.heardAt <= this.stalenessMs && (await this.holdsAnnouncedChanges());
    if (fresh !== this.wasFresh) {
      this.wasFresh = fresh;
      if (fresh) this.refused.clear();
      if (fresh) this.log.info('registry heard again and the key replica is current: keys are judged from the replica');
      else
        this.log.warn(
          `no word from the registry for ${Math.round((Date.now() - this.heardAt) / 1000)} s, or the key replica lags it: keys are checked with the registry${this.registryUrl ? '' : ' (REGISTRY_URL unset: unconfirmed keys follow the conservative policy)'}`,
        );
    }
    return fresh;
  }

  private async holdsAnnouncedChanges(): Promise<boolean> {
    const wanted = this.keysChangedAt;
    if (wanted === null) return true;
    const c = this.caughtUp;
    if (c.keysChangedAt === wanted && (c.ok || Date.now() - c.at < 250)) return c.ok;
    const [{ ok }]: Array<{ ok: boolean }> = await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM replica_api_keys WHERE greatest(issued_at, revoked_at) >= $1::timestamptz) AS ok`,
      [wanted],
    );
    this.caughtUp = { keysChangedAt: wanted, at: Date.now(), ok };
    return ok;
  }

  /**
   * Asks the registry who this key is (`GET /v1/whoami` with the key itself: no other secret to hand out). A key
   * it refuses stays refused here while the replica is stale, even if the registry then stops answering.
   */
  async askRegistry(key: string, hash: string): Promise<RegistryAnswer> {
    if (this.refused.has(hash)) return null;
    if (!this.registryUrl || Date.now() - this.registryFailedAt < REGISTRY_RETRY_MS) return 'unreachable';
    try {
      const res = await fetch(new URL('/v1/whoami', this.registryUrl), {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(2000),
      });
      if (res.status === 401) {
        if (this.refused.size >= 10_000) this.refused.clear();
        this.refused.add(hash);
        return null;
      }
      const p = res.status === 200 ? ((await res.json()) as Partial<Principal>) : null;
      if (p && typeof p.keyId === 'string' && ROLES.includes(p.role as Role))
        return { keyId: p.keyId, role: p.role as Role, orgUnitCode: typeof p.orgUnitCode === 'string' ? p.orgUnitCode : null };
    } catch {
      // unreachable, timed out, or not JSON: below
    }
    this.registryFailedAt = Date.now();
    return 'unreachable';
  }

  /** Counts how a key was judged (bz_key_checks_total). */
  noteCheck(by: 'replica' | 'registry' | 'unconfirmed'): void {
    keyChecks.inc({ by });
  }
}
