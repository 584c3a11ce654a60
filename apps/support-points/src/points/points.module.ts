import { Module } from '@nestjs/common';
import { SupportScopeService } from '../common/support-scope.service';
import { ReplicaUnitsService } from '../units/replica-units.service';
import { SupportPointsController } from './support-points.controller';
import { SupportPointStore } from './support-point.store';
import { SupportPointsService } from './support-points.service';

@Module({
  controllers: [SupportPointsController],
  providers: [SupportPointsService, SupportPointStore, ReplicaUnitsService, SupportScopeService],
  exports: [SupportPointsService, SupportPointStore, ReplicaUnitsService, SupportScopeService],
})
export class PointsModule {}
