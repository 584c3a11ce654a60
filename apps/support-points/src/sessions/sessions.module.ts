import { Module } from '@nestjs/common';
import { PointsModule } from '../points/points.module';
import { IdempotencyStore } from './idempotency.store';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [PointsModule],
  controllers: [SessionsController],
  providers: [SessionsService, IdempotencyStore],
})
export class SessionsModule {}
