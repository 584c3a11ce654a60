import { runService } from '@app/platform';
import { RatesConfig } from './rates.config';
import { RatesModule } from './rates.module';

export const ratesService = {
  service: 'rates' as const,
  title: 'Bluezone campaign: Rates service',
  description: 'Latest figures, roll-ups on both trees, target status and forecasts.',
  defaultPort: 3005,
  configClass: RatesConfig,
  module: (config: RatesConfig) => RatesModule.register(config),
};

if (require.main === module) void runService(ratesService);
