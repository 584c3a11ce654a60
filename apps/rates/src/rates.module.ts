import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { RegistryReplica1764460800001, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import type { RatesConfig } from './rates.config';

@Module({})
export class RatesModule {
  static register(config: RatesConfig): DynamicModule {
    return {
      module: RatesModule,
      imports: [
        PlatformModule.forService({
          service: 'rates',
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
