import { Module } from '@nestjs/common';
import { ReplicaTree } from '@app/replica';
import { IdempotencyStore } from './idempotency.store';
import { UnitDirectory } from './unit-directory.service';

@Module({
  providers: [IdempotencyStore, UnitDirectory, ReplicaTree],
  exports: [IdempotencyStore, UnitDirectory, ReplicaTree],
})
export class CommonModule {}
