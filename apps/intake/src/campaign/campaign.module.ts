import { Module } from '@nestjs/common';
import { CampaignCalendar } from './campaign-calendar.service';
import { TargetSetHandler } from './handlers/target-set.handler';

@Module({
  providers: [CampaignCalendar, TargetSetHandler],
  exports: [CampaignCalendar],
})
export class CampaignModule {}
