import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import {
  CAMPAIGN_START_SQL,
  CampaignTargetsHandler,
  REGISTRY_REPLICA_MIGRATIONS,
  RegistryReplicaHandlers,
  RegistryReplicaVersion1764460800002,
  replicaAuthProviders,
} from '@app/replica';
import { ActivitiesModule } from './activities/activities.module';
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
          ],
          auth: replicaAuthProviders,
          campaignStartSql: CAMPAIGN_START_SQL,
        }),
        ReportsModule,
        ActivitiesModule,
      ],
      providers: [RegistryReplicaHandlers, CampaignTargetsHandler],
    };
  }
}
