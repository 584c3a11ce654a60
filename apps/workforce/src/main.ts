import { runService } from '@app/platform';
import { configureWorkforceFastify } from './http/roster-body.parsers';
import { WorkforceConfig } from './workforce.config';
import { WorkforceModule } from './workforce.module';

export const workforceService = {
  service: 'workforce' as const,
  title: 'Bluezone campaign: Workforce service',
  description: 'Economic Zone enterprise rosters and transport-hub passenger checks.',
  defaultPort: 3004,
  configClass: WorkforceConfig,
  module: (config: WorkforceConfig) => WorkforceModule.register(config),
  // Roster uploads stream past the platform's body limit and string parsing (see http/roster-body.parsers.ts).
  configureFastify: configureWorkforceFastify,
};

if (require.main === module) void runService(workforceService);
