import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsLink, streamNames } from '@app/messaging';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  ApiKeyIssuedV1,
  OrgUnitUpsertedV2,
  producerOf,
  subjectOf,
  type EventContract,
  type OrgUnitUpsertedV2Data,
  type Role,
  type ServiceName,
} from '@app/contracts';
import { makeEvent } from '@app/persistence';
import {
  createServiceApp,
  EventRuntime,
  generateApiKey,
  hashApiKey,
  loadConfig,
  type RunServiceOptions,
  type ServiceConfig,
} from '@app/platform';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl, waitFor } from './int-env';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdefghij';

export interface RunningService {
  app: NestFastifyApplication;
  url: string;
  databaseUrl: string;
  namespace: string;
  runtime: EventRuntime;
  close(): Promise<void>;
}

/**
 * Boots a service in-process against the real PostgreSQL and NATS, in a fresh database and event
 * namespace (or the ones given, to run several services together), listening on a random port.
 */
export async function startService<C extends ServiceConfig>(
  def: RunServiceOptions<C>,
  opts: { databaseUrl?: string; namespace?: string; env?: Record<string, string> } = {},
): Promise<RunningService> {
  const databaseUrl = opts.databaseUrl ?? (await freshDatabase(def.service));
  const namespace = opts.namespace ?? freshNamespace(def.service);
  const config = loadConfig(def.configClass, {
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl(),
    EVENTS_NAMESPACE: namespace,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    PORT: '0',
    ...opts.env,
  });
  const app = await createServiceApp(def, config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const runtime = app.get(EventRuntime);
  // The runtime creates the streams in the background; tests publish right away, so wait for them (on the
  // service's own connection: it may be the only one with credentials for the test's server).
  const nc = await app.get(NatsLink).whenConnected();
  await waitFor(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.info(streamNames(namespace).events);
    return true;
  }, `streams of namespace ${namespace}`);
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    databaseUrl,
    namespace,
    runtime,
    close: async () => {
      await app.close();
    },
  };
}

/** Tears down what startService made when it made them itself. */
export async function disposeService(s: RunningService, owned = { database: true, namespace: true }): Promise<void> {
  await s.close();
  if (owned.database) await dropDatabase(s.databaseUrl).catch(() => undefined);
  if (owned.namespace) await dropNamespace(s.namespace).catch(() => undefined);
}

/** Publishes events straight to a namespace's stream, standing in for the services that produce them. */
export class EventInjector {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: string,
    private readonly source: ServiceName | null,
  ) {}

  /** `source`: the envelope's source; by default the producer of each event's type (consumers refuse any other). */
  static async open(namespace: string, source: ServiceName | null = null): Promise<EventInjector> {
    return new EventInjector(await connect({ servers: natsUrl() }), namespace, source);
  }

  async publish<T extends string, D extends object>(contract: EventContract<T, D>, key: string, data: D): Promise<string> {
    const e = makeEvent(contract, this.source ?? producerOf(contract.type)!, key, data);
    await jetstream(this.nc).publish(subjectOf(this.namespace, contract), JSON.stringify(e), { msgID: e.id });
    return e.id;
  }

  /** A unit as the registry publishes it (v2); a head given without contacts has none. */
  async unit(
    u: Partial<Omit<OrgUnitUpsertedV2Data, 'head'>> & {
      code: string;
      type: OrgUnitUpsertedV2Data['type'];
      head?: { name: string; title: string; phone?: string | null; email?: string | null } | null;
    },
  ): Promise<void> {
    await this.publish(OrgUnitUpsertedV2, u.code, {
      name: u.code,
      bloc: null,
      adminParentCode: null,
      accountableToCode: null,
      level: null,
      active: true,
      revision: 1,
      ...u,
      head: u.head ? { phone: null, email: null, ...u.head } : null,
    });
  }

  /** Issues a key through a key event, as the registry does; returns the clear key. */
  async key(role: Role, orgUnitCode: string | null): Promise<string> {
    const key = generateApiKey();
    const keyId = `k${Math.random().toString(36).slice(2, 10)}`;
    await this.publish(ApiKeyIssuedV1, orgUnitCode ?? keyId, {
      keyId,
      keyHash: hashApiKey(key),
      role,
      orgUnitCode,
      issuedAt: new Date().toISOString(),
    });
    return key;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

/** Waits until every consumer of the service has applied everything in its stream. */
export async function settle(s: RunningService, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => s.runtime.consumers.length > 0, 'consumers to start', timeoutMs);
  for (const c of s.runtime.consumers) await c.waitUntilIdle(timeoutMs);
  // And what the service recorded (a request's events, a consumer's) is on the stream: the relay publishes after the commit.
  const relay = s.runtime.relay;
  if (relay) await waitFor(async () => (await relay.pendingCount()) === 0, 'the outbox to be published', timeoutMs);
}

export async function http(
  s: { url: string },
  method: string,
  path: string,
  opts: { key?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string | Buffer } = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  const key = opts.key === undefined ? TEST_ADMIN_KEY : opts.key;
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${s.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

export interface ServiceFixture<W> {
  readonly svc: RunningService;
  readonly events: EventInjector;
  /** What the file's world set-up returned (keys, codes). */
  readonly world: W;
}

/**
 * For a test file against one service: starts it in beforeAll (fresh database and namespace), lets
 * `world` publish the registry events the file needs, settles, and disposes of everything in afterAll.
 */
export function useService<C extends ServiceConfig, W>(
  def: RunServiceOptions<C>,
  world: (events: EventInjector) => Promise<W>,
): ServiceFixture<W> {
  let svc: RunningService | undefined;
  let events: EventInjector | undefined;
  let made: W | undefined;
  beforeAll(async () => {
    svc = await startService(def);
    await settle(svc); // the stream exists once the consumers do
    events = await EventInjector.open(svc.namespace);
    made = await world(events);
    await settle(svc);
  }, 60_000);
  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });
  return {
    get svc() {
      return svc!;
    },
    get events() {
      return events!;
    },
    get world() {
      return made as W;
    },
  };
}
