import 'reflect-metadata';
import { deleteDurable, NatsLink, serviceInboxPrefix } from '@app/messaging';
import { createServiceDataSource, initializeAndMigrate, EVENT_TABLE_MIGRATIONS } from '@app/persistence';
import { ConfigError, loadConfig, natsCredentialsOf } from '@app/platform';
import { RatesConfig } from './rates.config';
import { RATES_DURABLES, RATES_MIGRATIONS, RATES_STATE_TABLES } from './rates.module';

/**
 * Drops the rates state and makes the next start replay the stream from sequence 1: empties every
 * input and computed table and the inbox, and deletes the service's durable consumers. The outbox is
 * kept (what was accepted for publishing is still published). Run it with the service stopped:
 * `npm run rebuild -- rates`, then start rates; it recomputes every figure from the events.
 */
export async function rebuildRates(config: RatesConfig, log: (line: string) => void = () => undefined): Promise<void> {
  const ds = createServiceDataSource({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA ?? 'rates',
    migrations: [...EVENT_TABLE_MIGRATIONS, ...RATES_MIGRATIONS],
    applicationName: 'rates-rebuild',
  });
  await initializeAndMigrate(ds);
  try {
    await ds.transaction(async (m) => {
      await m.query(`TRUNCATE ${RATES_STATE_TABLES.join(', ')}`);
    });
    log(`emptied ${RATES_STATE_TABLES.join(', ')}`);
  } finally {
    await ds.destroy();
  }
  const link = new NatsLink({
    url: config.NATS_URL,
    name: 'rates-rebuild',
    credentials: natsCredentialsOf(config),
    inboxPrefix: serviceInboxPrefix('rates'),
  });
  link.start();
  try {
    for (const durable of RATES_DURABLES) {
      const deleted = await deleteDurable(link, config.EVENTS_NAMESPACE, durable);
      log(`${deleted ? 'deleted' : 'no'} durable consumer ${durable}`);
    }
  } finally {
    await link.close();
  }
}

if (require.main === module) {
  const which = process.argv[2];
  if (which !== undefined && which !== 'rates') {
    process.stderr.write(`rebuild: this script rebuilds the rates service only (got "${which}")\n`);
    process.exit(2);
  }
  let config: RatesConfig;
  try {
    config = loadConfig(RatesConfig);
  } catch (err) {
    process.stderr.write(`rates rebuild: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exit(1);
  }
  rebuildRates(config, (line) => process.stdout.write(`rates rebuild: ${line}\n`)).then(
    () => {
      process.stdout.write('rates rebuild: done; start the rates service to replay the stream from sequence 1\n');
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`rates rebuild failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
