import { runService } from '@app/platform';
import { configureIntakeFastify } from './exchange/exchange-body.parsers';
import { IntakeConfig } from './intake.config';
import { IntakeModule } from './intake.module';

export const intakeService = {
  service: 'intake' as const,
  title: 'Bluezone campaign: Intake service',
  description: 'Adoption reports and campaign activity from agency portals.',
  defaultPort: 3002,
  configClass: IntakeConfig,
  module: (config: IntakeConfig) => IntakeModule.register(config),
  // ADX imports stream past the platform's body limit; dataValueSets get a limit of their own (exchange-body.parsers.ts).
  configureFastify: configureIntakeFastify,
};

if (require.main === module) void runService(intakeService);
