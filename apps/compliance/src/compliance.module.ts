import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { RegistryReplica1764460800001, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import type { ComplianceConfig } from './compliance.config';

@Module({})
export class ComplianceModule {
  static register(config: ComplianceConfig): DynamicModule {
    return {
      module: ComplianceModule,
      imports: [
        PlatformModule.forService({
          service: 'compliance',
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
