import { runService } from '@app/platform';
import { NotifierConfig } from './notifier.config';
import { NotifierModule } from './notifier.module';

export const notifierService = {
  service: 'notifier' as const,
  title: 'Bluezone campaign: Notifier service',
  description:
    "The daily report e-mailed to the DIC's recipients at the time of day they chose (PDF attached), and reminders to the heads of units that are short of a target near its deadline or not reporting (e-mail, SMS).",
  defaultPort: 3006,
  configClass: NotifierConfig,
  module: (config: NotifierConfig) => NotifierModule.register(config),
};

if (require.main === module) void runService(notifierService);
