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
  const prefix = type.split('.')[0];
  for (const s of SERVICES) if (BUS_TOPOLOGY[s].publishes === prefix) return s;
  return null;
}

/** The subject filter of a consumer reading `filter` (a prefix, or `>` for every event) in a namespace. */
export function filterSubjectOf(namespace: string, filter: string): string {
  return filter === '>' ? `${namespace}.>` : `${namespace}.${filter}.>`;
}
