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
import { WorkforceRosters1764547200000 } from './migrations/1764547200000-WorkforceRosters';
import { RosterRetention1765000000000 } from './migrations/1765000000000-RosterRetention';
import { TransportIdempotencyToPlatform1765065601300 } from './migrations/1765065601300-TransportIdempotencyToPlatform';
import { RosterHolds1765100000000 } from './migrations/1765100000000-RosterHolds';
import { RosterStageFunction1796515200000 } from './migrations/1796515200000-RosterStageFunction';
import { RosterPrivacyModule } from './roster-privacy/roster-privacy.module';
import { RosterPageModule } from './roster-page/roster-page.module';
import { RostersModule } from './rosters/rosters.module';
import { TransportModule } from './transport/transport.module';
import type { WorkforceConfig } from './workforce.config';

@Module({})
export class WorkforceModule {
  static register(config: WorkforceConfig): DynamicModule {
    return {
      module: WorkforceModule,
      imports: [
        PlatformModule.forService({
          service: 'workforce',
          config,
          migrations: [
            ...REGISTRY_REPLICA_MIGRATIONS,
            WorkforceRosters1764547200000,
            RosterRetention1765000000000,
            TransportIdempotencyToPlatform1765065601300,
            RosterHolds1765100000000,
            CampaignTargetsReplica1796428800001,
            RosterStageFunction1796515200000,
          ],
          auth: replicaAuthProviders,
          campaignStartSql: CAMPAIGN_START_SQL,
        }),
        RostersModule,
        RosterPageModule,
        RosterPrivacyModule,
        TransportModule,
      ],
      providers: [RegistryReplicaHandlers, CampaignTargetsHandler],
    };
  }
}
