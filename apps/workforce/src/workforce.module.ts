import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { RegistryReplica1764460800001, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
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
          migrations: [RegistryReplica1764460800001],
          auth: replicaAuthProviders,
        }),
      ],
      providers: [RegistryReplicaHandlers],
    };
  }
}
