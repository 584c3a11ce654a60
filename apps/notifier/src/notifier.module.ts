import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { REGISTRY_REPLICA_MIGRATIONS, RegistryReplicaHandlers, replicaAuthProviders } from '@app/replica';
import { MailSender } from './channels/mail-sender';
import { HttpSmsGateway } from './channels/sms-channel';
import { NotifierClock } from './common/notifier-clock';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { RegistryContactsHandler, TargetStatusesHandler } from './inputs/notifier-inputs.handler';
import { Notifier1796774400000 } from './migrations/1796774400000-Notifier';
import { StatusWithdrawals1796900000100 } from './migrations/1796900000100-StatusWithdrawals';
import type { NotifierConfig } from './notifier.config';
import { RemindersController } from './reminders/reminders.controller';
import { RemindersService } from './reminders/reminders.service';
import { ReportScheduleService } from './reports/report-schedule.service';
import { ReportSource } from './reports/report-source';
import { ReportsController } from './reports/reports.controller';

@Module({})
export class NotifierModule {
  static register(config: NotifierConfig): DynamicModule {
    return {
      module: NotifierModule,
      imports: [
        PlatformModule.forService({
          service: 'notifier',
          config,
          migrations: [...REGISTRY_REPLICA_MIGRATIONS, Notifier1796774400000, StatusWithdrawals1796900000100],
          auth: replicaAuthProviders,
        }),
      ],
      controllers: [ReportsController, RemindersController, DeliveriesController],
      providers: [
        RegistryReplicaHandlers,
        RegistryContactsHandler,
        TargetStatusesHandler,
        NotifierClock,
        MailSender,
        HttpSmsGateway,
        ReportSource,
        DeliveriesService,
        RemindersService,
        ReportScheduleService,
      ],
    };
  }
}
