import { runService } from '@app/platform';
import { WorkforceConfig } from './workforce.config';
import { WorkforceModule } from './workforce.module';

export const workforceService = {
  service: 'workforce' as const,
  title: 'Bluezone campaign: Workforce service',
  description: 'Economic Zone enterprise rosters and transport-hub passenger checks.',
  defaultPort: 3004,
  configClass: WorkforceConfig,
  module: (config: WorkforceConfig) => WorkforceModule.register(config),
};

if (require.main === module) void runService(workforceService);
