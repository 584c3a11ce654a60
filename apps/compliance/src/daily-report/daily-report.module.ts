import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ReadModelModule } from '../common/read-model.module';
import { OutreachModule } from '../outreach/outreach.module';
import { QualityModule } from '../quality/quality.module';
import { DailyReportController } from './daily-report.controller';
import { DailyReportService } from './daily-report.service';
import { OfficialDocumentService } from './document/official-document.service';

@Module({
  imports: [ReadModelModule, AnalyticsModule, OutreachModule, QualityModule],
  controllers: [DailyReportController],
  providers: [DailyReportService, OfficialDocumentService],
})
export class DailyReportModule {}
