import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { RegistryReplica1764460800001, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import { WorkforceRosters1764547200000 } from './migrations/1764547200000-WorkforceRosters';
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
          entities: [],
          migrations: [RegistryReplica1764460800001, WorkforceRosters1764547200000],
          auth: replicaAuthProviders,
        }),
        RostersModule,
        TransportModule,
      ],
      providers: [RegistryReplicaHandlers],
    };
  }
}
