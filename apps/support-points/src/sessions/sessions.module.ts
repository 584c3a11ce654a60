import { Module } from '@nestjs/common';
import { PointsModule } from '../points/points.module';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [PointsModule],
  controllers: [SessionsController],
  providers: [SessionsService],
})
export class SessionsModule {}
