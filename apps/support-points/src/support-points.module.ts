import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { RegistryReplica1764460800001, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
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
          entities: [],
          migrations: [RegistryReplica1764460800001],
          auth: replicaAuthProviders,
        }),
      ],
      providers: [RegistryReplicaHandlers],
    };
  }
}
