import { Module } from '@nestjs/common';
import { PointsModule } from '../points/points.module';
import { CoverageController } from './coverage.controller';
import { CoverageService } from './coverage.service';

@Module({
  imports: [PointsModule],
  controllers: [CoverageController],
  providers: [CoverageService],
})
export class CoverageModule {}
