import { Module } from '@nestjs/common';
import { ReadModelModule } from '../common/read-model.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { ContactAccessController } from './contact-access.controller';

@Module({
  imports: [ReadModelModule],
  controllers: [AnalyticsController, ContactAccessController],
  providers: [AnalyticsService],
  exports: [AnalyticsService],
})
export class AnalyticsModule {}
