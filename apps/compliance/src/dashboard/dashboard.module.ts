import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ReadModelModule } from '../common/read-model.module';
import { OutreachModule } from '../outreach/outreach.module';
import { QualityModule } from '../quality/quality.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

@Module({
  imports: [ReadModelModule, AnalyticsModule, OutreachModule, QualityModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
/** The session cookie is honoured by a Fastify hook (registerDashboardSession, in main.ts). */
export class DashboardModule {}
