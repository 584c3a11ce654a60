import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { ReportBatchWriter } from './report-batch-writer';
import { ReportGroupWriter } from './report-group-writer';
import { ReportStore } from './report.store';

@Module({
  imports: [CommonModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportStore, ReportGroupWriter, ReportBatchWriter],
  exports: [ReportsService],
})
export class ReportsModule {}
