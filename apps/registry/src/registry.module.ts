import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { RegistryReplica1764460800001, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import type { RegistryConfig } from './registry.config';

@Module({})
export class RegistryModule {
  static register(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        PlatformModule.forService({
          service: 'registry',
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
