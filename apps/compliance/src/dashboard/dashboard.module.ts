import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ReadModelModule } from '../common/read-model.module';
import { OutreachModule } from '../outreach/outreach.module';
import { QualityModule } from '../quality/quality.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';
import { DashboardSessionMiddleware } from './dashboard-session';

@Module({
  imports: [ReadModelModule, AnalyticsModule, OutreachModule, QualityModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
export class DashboardModule implements NestModule {
  /** Every GET of this service, not only the page: its links to the daily report and the CSV exports must work in the same browser. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(DashboardSessionMiddleware).forRoutes({ path: '*path', method: RequestMethod.GET });
  }
}
