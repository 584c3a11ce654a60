import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import {
  CAMPAIGN_START_SQL,
  CampaignTargetsHandler,
  ExchangeMappingReplica1796526000001,
  ExchangeMappingReplicaHandlers,
  REGISTRY_REPLICA_MIGRATIONS,
  RegistryReplicaHandlers,
  RegistryReplicaVersion1764460800002,
  replicaAuthProviders,
} from '@app/replica';
import { ActivitiesModule } from './activities/activities.module';
import { ExchangeModule } from './exchange/exchange.module';
import type { IntakeConfig } from './intake.config';
import { IntakeTables1764547200000 } from './migrations/1764547200000-IntakeTables';
import { IdempotencyToPlatform1765065601100 } from './migrations/1765065601100-IdempotencyToPlatform';
import { ReportsModule } from './reports/reports.module';

@Module({})
export class IntakeModule {
  static register(config: IntakeConfig): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        PlatformModule.forService({
          service: 'intake',
          config,
          migrations: [
            ...REGISTRY_REPLICA_MIGRATIONS,
            IntakeTables1764547200000,
            RegistryReplicaVersion1764460800002,
            IdempotencyToPlatform1765065601100,
            ExchangeMappingReplica1796526000001,
          ],
          auth: replicaAuthProviders,
          campaignStartSql: CAMPAIGN_START_SQL,
        }),
        ReportsModule,
        ActivitiesModule,
        ExchangeModule,
      ],
      providers: [RegistryReplicaHandlers, CampaignTargetsHandler, ExchangeMappingReplicaHandlers],
    };
  }
}
