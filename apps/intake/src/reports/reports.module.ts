import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { ReportGroupWriter } from './report-group-writer';
import { ReportStore } from './report.store';

@Module({
  imports: [CommonModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportStore, ReportGroupWriter],
  exports: [ReportsService],
})
export class ReportsModule {}
