import { Module } from '@nestjs/common';
import { CampaignModule } from '../campaign/campaign.module';
import { CommonModule } from '../common/common.module';
import { ActivitiesController } from './activities.controller';
import { ActivitiesService } from './activities.service';
import { ActivityStore } from './activity.store';

@Module({
  imports: [CampaignModule, CommonModule],
  controllers: [ActivitiesController],
  providers: [ActivitiesService, ActivityStore],
})
export class ActivitiesModule {}
