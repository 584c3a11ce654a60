import { runService } from '@app/platform';
import { RegistryConfig } from './registry.config';
import { RegistryModule } from './registry.module';

export const registryService = {
  service: 'registry' as const,
  title: 'Bluezone campaign: Registry service',
  description: 'Org units on two trees, cohort denominators, campaigns and targets, API keys.',
  defaultPort: 3001,
  configClass: RegistryConfig,
  module: (config: RegistryConfig) => RegistryModule.register(config),
};

if (require.main === module) void runService(registryService);
