import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { registryAuthProviders } from './auth/registry-auth.providers';
import { CohortsModule } from './cohorts/cohorts.module';
import { ExchangeMappingModule } from './exchange/exchange-mapping.module';
import { REGISTRY_MIGRATIONS } from './migrations';
import { OrgUnitsModule } from './org-units/org-units.module';
import type { RegistryConfig } from './registry.config';
import { SeedModule } from './seed/seed.module';
import { TargetsModule } from './targets/targets.module';
import { TARGETS_CAMPAIGN_START_SQL } from './targets/targets.service';

/**
 * The registry is the source of units and keys, so it authorises from its own tables and consumes no
 * registry events (no replica of itself).
 */
@Module({})
export class RegistryModule {
  static register(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        PlatformModule.forService({
          service: 'registry',
          config,
          migrations: REGISTRY_MIGRATIONS,
          auth: registryAuthProviders,
          campaignStartSql: TARGETS_CAMPAIGN_START_SQL,
        }),
        OrgUnitsModule,
        CohortsModule,
        TargetsModule,
        ApiKeysModule,
        ExchangeMappingModule,
        SeedModule,
      ],
    };
  }
}
