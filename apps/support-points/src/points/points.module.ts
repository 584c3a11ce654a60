import { Module } from '@nestjs/common';
import { SupportScopeService } from '../common/support-scope.service';
import { ReplicaUnitsService } from '../units/replica-units.service';
import { SupportPointsController } from './support-points.controller';
import { SupportPointsRepository } from './support-points.repository';
import { SupportPointsService } from './support-points.service';

@Module({
  controllers: [SupportPointsController],
  providers: [SupportPointsService, SupportPointsRepository, ReplicaUnitsService, SupportScopeService],
  exports: [SupportPointsService, SupportPointsRepository, ReplicaUnitsService, SupportScopeService],
})
export class PointsModule {}
