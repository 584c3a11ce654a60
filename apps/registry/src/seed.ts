import 'reflect-metadata';
import { createServiceDataSource, initializeAndMigrate, EVENT_TABLE_MIGRATIONS } from '@app/persistence';
import { CampaignCalendar, ConfigError, EventOutbox, loadConfig, schemaOf, type PlatformOptions } from '@app/platform';
import { CohortsService } from './cohorts/cohorts.service';
import { REGISTRY_MIGRATIONS } from './migrations';
import { OrgUnitsService } from './org-units/org-units.service';
import { RegistryConfig } from './registry.config';
import { resolveDataDir } from './seed/data-dir';
import { SeedService } from './seed/seed.service';
import { TARGETS_CAMPAIGN_START_SQL, TargetsService } from './targets/targets.service';

/**
 * `npm run seed`: loads the Trà Vinh deployment into the registry's database. It needs PostgreSQL only:
 * the events go to the outbox and the registry's relay publishes them when the service runs.
 * Run from the repository root: node -r ./scripts/register-paths.js dist/apps/registry/src/seed.js
 */
async function main(): Promise<void> {
  const config = loadConfig(RegistryConfig);
  const options: PlatformOptions = {
    service: 'registry',
    config,
    migrations: REGISTRY_MIGRATIONS,
    campaignStartSql: TARGETS_CAMPAIGN_START_SQL,
  };
  const ds = createServiceDataSource({
    url: config.DATABASE_URL,
    schema: schemaOf(options),
    migrations: [...EVENT_TABLE_MIGRATIONS, ...REGISTRY_MIGRATIONS],
    poolSize: 2,
    applicationName: 'registry-seed',
  });
  await initializeAndMigrate(ds);
  try {
    const outbox = new EventOutbox(options);
    const calendar = new CampaignCalendar(ds, options);
    const seed = new SeedService(
      ds,
      new OrgUnitsService(ds, outbox, calendar),
      new CohortsService(ds, outbox, calendar),
      new TargetsService(ds, outbox, calendar),
    );
    const summary = await seed.seedTraVinh(resolveDataDir(config.SEED_DATA_DIR));
    process.stdout.write(`registry seed (tra-vinh): ${JSON.stringify(summary)}\n`);
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`registry seed: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  });
}
