import { Module } from '@nestjs/common';
import { ReplicaTree } from '@app/replica';
import { UnitDirectory } from './unit-directory.service';

@Module({
  providers: [UnitDirectory, ReplicaTree],
  exports: [UnitDirectory, ReplicaTree],
})
export class CommonModule {}
