import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { ActivitiesController } from './activities.controller';
import { ActivitiesService } from './activities.service';
import { ActivityStore } from './activity.store';

@Module({
  imports: [CommonModule],
  controllers: [ActivitiesController],
  providers: [ActivitiesService, ActivityStore],
})
export class ActivitiesModule {}
