import { runService } from '@app/platform';
import { SupportPointsConfig } from './support-points.config';
import { SupportPointsModule } from './support-points.module';

export const supportPointsService = {
  service: 'support-points' as const,
  title: 'Bluezone campaign: Support points service',
  description: 'Telecom and post-office installation support points and their daily sessions.',
  defaultPort: 3003,
  configClass: SupportPointsConfig,
  module: (config: SupportPointsConfig) => SupportPointsModule.register(config),
};

if (require.main === module) void runService(supportPointsService);
