import 'reflect-metadata';
import { type DataSource } from 'typeorm';
import type { EventEnvelope } from '@app/contracts';
import { deleteDurable, EventConsumer, NatsLink, serviceInboxPrefix, type NatsCredentials } from '@app/messaging';
import { createServiceDataSource, initializeAndMigrate, EVENT_TABLE_MIGRATIONS, resetInbox } from '@app/persistence';
import { loadConfig, natsCredentialsOf } from '@app/platform';
import { ComplianceConfig } from './compliance.config';
import { COMPLIANCE_MIGRATIONS } from './compliance.module';
import { ComplianceProjector, PROJECTED_CONTRACTS } from './projection/compliance.projector';
import { activeGeneration, existingGenerations, switchGeneration } from './projection/generation';
import { generationSchema, projectionTablesDdl } from './projection/projection.schema';

export interface RebuildOptions {
  databaseUrl: string;
  natsUrl: string;
  /** The compliance service's own NATS credentials (its permissions cover the rebuild's consumer). */
  natsCredentials?: NatsCredentials;
  namespace: string;
  /** The service's schema (DB_SCHEMA, default `compliance`). */
  schema: string;
  /** How long to wait for the replay to catch up. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

export const REBUILD_DURABLE = 'compliance-rebuild';

export interface RebuildResult {
  previous: number;
  generation: number;
  dropped: number[];
}

/**
 * Rebuilds the read model without downtime: replays the stream from sequence 1 into a fresh
 * generation (its own schema, its own durable consumer) while the live one keeps serving, switches the
 * pointer and the analysts' views in one transaction, drains what arrived meanwhile, and drops the
 * generations older than the one just replaced (that one stays for requests already in flight).
 *
 * Safe with the service running: every projection write is an idempotent "newest wins" upsert, so the
 * live consumer and the replay may both write an event into the new generation during the switch.
 */
export async function rebuildCompliance(o: RebuildOptions): Promise<RebuildResult> {
  const log = o.log ?? (() => undefined);
  const ds: DataSource = createServiceDataSource({
    url: o.databaseUrl,
    schema: o.schema,
    migrations: [...EVENT_TABLE_MIGRATIONS, ...COMPLIANCE_MIGRATIONS],
    poolSize: 4,
    applicationName: 'compliance-rebuild',
  });
  await initializeAndMigrate(ds);
  const link = new NatsLink({
    url: o.natsUrl,
    name: 'compliance-rebuild',
    credentials: o.natsCredentials,
    inboxPrefix: serviceInboxPrefix('compliance'),
    onStatus: log,
  });
  link.start();
  try {
    const previous = await activeGeneration(ds.manager);
    const generation = Math.max(previous, ...(await existingGenerations(ds.manager, o.schema))) + 1;
    const target = generationSchema(o.schema, generation);
    await ds.transaction(async (m) => {
      for (const sql of projectionTablesDdl(target)) await m.query(sql);
    });
    log(`replaying the stream into ${target}`);

    // One name for every rebuild (the NATS permissions name the durables a service may use); it is deleted
    // before and after, so a rebuild interrupted earlier leaves nothing behind.
    const durable = REBUILD_DURABLE;
    await deleteDurable(link, o.namespace, durable);
    await resetInbox(ds.manager, durable);
    const projector = new ComplianceProjector();
    const consumer = new EventConsumer({
      link,
      dataSource: ds,
      namespace: o.namespace,
      durable,
      handlers: new Map(),
      batchHandler: {
        types: new Set(PROJECTED_CONTRACTS.map((c) => c.type)),
        apply: async (events: EventEnvelope[], m) => {
          await projector.applyBatch(target, events, m);
        },
      },
      // Bigger batches than the live consumer: a replay is throughput, not latency.
      batchSize: 1000,
      log: (level, message) => log(`${level}: ${message}`),
    });
    await consumer.start();
    try {
      await consumer.waitUntilIdle(o.timeoutMs ?? 10 * 60_000);
      await ds.transaction(async (m) => {
        await switchGeneration(m, o.schema, generation);
      });
      log(`switched to generation ${generation}`);
      // Events the live consumer wrote to the old generation just before the switch reach the new one here.
      await consumer.waitUntilIdle(o.timeoutMs ?? 10 * 60_000);
    } finally {
      await consumer.stop();
    }
    await deleteDurable(link, o.namespace, durable);
    await resetInbox(ds.manager, durable);

    const dropped: number[] = [];
    for (const g of await existingGenerations(ds.manager, o.schema)) {
      if (g < previous) {
        await ds.query(`DROP SCHEMA "${generationSchema(o.schema, g)}" CASCADE`);
        dropped.push(g);
      }
    }
    return { previous, generation, dropped };
  } finally {
    await link.close();
    await ds.destroy();
  }
}

/** `npm run rebuild -- compliance`: reads the service's environment (DATABASE_URL, NATS_URL, EVENTS_NAMESPACE, DB_SCHEMA). */
async function main(): Promise<void> {
  const service = process.argv[2] ?? 'compliance';
  if (service !== 'compliance') {
    process.stderr.write(`rebuild: this script rebuilds the compliance read model, not ${service}\n`);
    process.exit(2);
  }
  const cfg = loadConfig(ComplianceConfig);
  const started = Date.now();
  const r = await rebuildCompliance({
    databaseUrl: cfg.DATABASE_URL,
    natsUrl: cfg.NATS_URL,
    natsCredentials: natsCredentialsOf(cfg),
    namespace: cfg.EVENTS_NAMESPACE,
    schema: cfg.DB_SCHEMA ?? 'compliance',
    log: (m) => process.stdout.write(`rebuild: ${m}\n`),
  });
  process.stdout.write(
    `rebuild: compliance now serves generation ${r.generation} (was ${r.previous}; dropped ${r.dropped.join(', ') || 'none'}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`rebuild: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
