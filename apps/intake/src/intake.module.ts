import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { RegistryReplica1764460800001, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import type { IntakeConfig } from './intake.config';

@Module({})
export class IntakeModule {
  static register(config: IntakeConfig): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        PlatformModule.forService({
          service: 'intake',
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
