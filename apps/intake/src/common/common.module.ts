import { Module } from '@nestjs/common';
import { IdempotencyStore } from './idempotency.store';
import { UnitDirectory } from './unit-directory.service';

@Module({
  providers: [IdempotencyStore, UnitDirectory],
  exports: [IdempotencyStore, UnitDirectory],
})
export class CommonModule {}
