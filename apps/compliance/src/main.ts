import { runService } from '@app/platform';
import { ComplianceConfig } from './compliance.config';
import { ComplianceModule } from './compliance.module';
import { registerDashboardSession } from './dashboard/dashboard-session';

export const complianceService = {
  service: 'compliance' as const,
  title: 'Bluezone campaign: Compliance service',
  description: 'The compliance read model: query API, CSV export, daily report.',
  defaultPort: 3000,
  configClass: ComplianceConfig,
  module: (config: ComplianceConfig) => ComplianceModule.register(config),
  configureFastify: registerDashboardSession,
};

if (require.main === module) void runService(complianceService);
