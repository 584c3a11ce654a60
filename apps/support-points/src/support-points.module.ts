import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import {
  CAMPAIGN_START_SQL,
  CampaignTargetsHandler,
  CampaignTargetsReplica1796428800001,
  REGISTRY_REPLICA_MIGRATIONS,
  RegistryReplicaHandlers,
  replicaAuthProviders,
} from '@app/replica';
import { CoverageModule } from './coverage/coverage.module';
import { SupportPoints1764547200000 } from './migrations/1764547200000-SupportPoints';
import { IdempotencyToPlatform1765065601200 } from './migrations/1765065601200-IdempotencyToPlatform';
import { PointsModule } from './points/points.module';
import { SessionsModule } from './sessions/sessions.module';
import type { SupportPointsConfig } from './support-points.config';

@Module({})
export class SupportPointsModule {
  static register(config: SupportPointsConfig): DynamicModule {
    return {
      module: SupportPointsModule,
      imports: [
        PlatformModule.forService({
          service: 'support-points',
          config,
          migrations: [
            ...REGISTRY_REPLICA_MIGRATIONS,
            SupportPoints1764547200000,
            IdempotencyToPlatform1765065601200,
            CampaignTargetsReplica1796428800001,
          ],
          auth: replicaAuthProviders,
          campaignStartSql: CAMPAIGN_START_SQL,
        }),
        PointsModule,
        SessionsModule,
        CoverageModule,
      ],
      providers: [RegistryReplicaHandlers, CampaignTargetsHandler],
    };
  }
}
