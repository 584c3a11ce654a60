import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import topology from './bus-topology.json';
import { SERVICES, type ServiceName } from './enums';

/**
 * Who publishes and who consumes what on the bus, from `bus-topology.json`: the one table that the NATS
 * server's permissions are generated from (scripts/launcher/nats-auth.js reads the same file), that every
 * consumer checks an event's producer against, and that each service's consumer groups must match at boot.
 */
export interface ServiceBusRole {
  /** Prefix of the service's events (`<ns>.<prefix>.>`), or null when it publishes none. */
  readonly publishes: string | null;
  /** Its durable consumers and the events each reads: a prefix under `<ns>.`, `>` for all, null for a retired durable. */
  readonly consumers: Readonly<Record<string, string | null>>;
}

export const BUS_TOPOLOGY: Readonly<Record<ServiceName, ServiceBusRole>> = (() => {
  const services = topology.services as Record<string, ServiceBusRole>;
  for (const s of SERVICES) if (!services[s]) throw new Error(`bus-topology.json has no entry for service ${s}`);
  return services as Record<ServiceName, ServiceBusRole>;
})();

/** The service that publishes events of this type (`registry.apikey.issued` → `registry`), or null for a type no service owns. */
export function producerOf(type: string): ServiceName | null {
  const dot = type.indexOf('.');
  return PRODUCER_BY_PREFIX.get(dot < 0 ? type : type.slice(0, dot)) ?? null;
}

/** Asked for every event a consumer reads: the table turned around once. */
const PRODUCER_BY_PREFIX: ReadonlyMap<string, ServiceName> = (() => {
  const out = new Map<string, ServiceName>();
  for (const s of SERVICES) {
    const prefix = BUS_TOPOLOGY[s].publishes;
    if (prefix !== null && !out.has(prefix)) out.set(prefix, s);
  }
  return out;
})();

/** The subject filter of a consumer reading `filter` (a prefix, or `>` for every event) in a namespace. */
export function filterSubjectOf(namespace: string, filter: string): string {
  return filter === '>' ? `${namespace}.>` : `${namespace}.${filter}.>`;
}

/**
 * Signals that are not events: core NATS messages outside the event stream (`<ns>_live.…`, never stored, never
 * replayed), e.g. the registry's heartbeat. The producer's prefix comes first, as for events.
 */
export function liveSubjectOf(namespace: string, name: string, version: number): string {
  return `${namespace}_live.${name}.v${version}`;
}

/**
 * The registry says, every few seconds, that it is there and when its API keys last changed. A service that
 * has not heard it for KEY_STALENESS_MS, or whose replica of the keys is older than `keysChangedAt`, checks
 * keys with the registry itself (README, Design notes, Revocation while the bus is down).
 */
export class RegistryHeartbeatV1 {
  @IsIn(['registry']) source!: 'registry';
  @IsISO8601({ strict: true }) sentAt!: string;
  /** The newest issue or revocation time of any key (ISO, milliseconds, as the key events carry it); null with no key. */
  @IsOptional() @IsISO8601({ strict: true }) keysChangedAt!: string | null;
}
export const REGISTRY_HEARTBEAT = { name: 'registry.heartbeat', version: 1 } as const;
